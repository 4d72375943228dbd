// The audit set-up over HTTP, end to end against the real `pathaudit serve`: agency extracts
// uploaded (multipart and text/csv; all-or-nothing, with the CLI's row errors; per-route body
// limit; file names checked), an audit created, sampled and assigned, and what the CLI then sees;
// the case, its chronology (an assigned auditor yes, anyone else's auditor 404, recorded in the
// audit log), the flag summary and the metrics; an authorisation matrix for every endpoint; and
// SQL metacharacters stored and read back as text.

#include "http_support.h"

using namespace pathaudit::http_test;  // NOLINT: test helpers

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kBoundary = "pathaudit-test-boundary-7f3a";

// A multipart/form-data body with one file part per (filename, content).
std::string multipart(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string body;
  for (const auto& [name, content] : files) {
    body += "--" + kBoundary + "\r\n";
    body += "Content-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n";
    body += "Content-Type: text/csv\r\n\r\n";
    body += content + "\r\n";
  }
  return body + "--" + kBoundary + "--\r\n";
}

Headers bearer(const std::string& token, const std::string& content_type = "") {
  Headers h{{"Authorization", "Bearer " + token}};
  if (!content_type.empty())
    h.emplace_back("Content-Type", content_type);
  return h;
}

std::string multipart_type() {
  return "multipart/form-data; boundary=" + kBoundary;
}

// One value per row, "|" between columns, read straight from the database (read-only).
std::string sql(const DataDir& d, const std::string& query) {
  return pathaudit::testing::query_db(d.data() + "/pathaudit.db", query);
}

std::int64_t count(const DataDir& d, const std::string& table) {
  return std::stoll(sql(d, "SELECT count(*) FROM " + table));
}

// A synthetic partnership's extracts and an initialised data directory with a QA lead, an admin,
// a board member and one auditor per agency; nothing imported.
class Partnership : public DataDir {
 public:
  Partnership() {
    REQUIRE(run_pathaudit({"synth", "--seed", "5", "--children", "80", "--out", dir_ / "synth"})
                .status == 0);
    REQUIRE(cli({"init", "--partnership", dir_ / "synth/partnership.json"}).status == 0);
    REQUIRE(
        cli({"templates", "import",
             std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/csa-response-pathway/1.json"})
            .status == 0);
    for (const auto& ag : ReviewAudit::kAgencies)
      add_user(auditor(ag), "auditor", ag);
    add_user("qa", "qa_lead");
    add_user("admin", "admin");
    add_user("board", "board");
  }
  static std::string auditor(const std::string& agency) {
    std::string lower;
    for (char ch : agency)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return lower + ".1";
  }
  std::string extract(const std::string& agency) const {
    return read_file(path("synth/events-" + agency + ".csv"));
  }
  std::vector<std::pair<std::string, std::string>> extracts() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& ag : ReviewAudit::kAgencies)
      out.emplace_back("events-" + ag + ".csv", extract(ag));
    return out;
  }
};

Poco::JSON::Array::Ptr cli_json_array(const DataDir& d, std::vector<std::string> args) {
  args.push_back("--format");
  args.push_back("json");
  auto r = d.cli(args);
  INFO(r.err);
  REQUIRE(r.status == 0);
  Poco::JSON::Parser parser;
  return parser.parse(r.out).extract<Poco::JSON::Array::Ptr>();
}

// Every path in the data directory but the database and its journal files: uploads are held in
// memory, so importing must not add to these.
std::set<std::string> entries_besides_database(const DataDir& d) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(d.data())) {
    const std::string name = e.path().filename().string();
    if (name.rfind("pathaudit.db", 0) != 0)
      out.insert(e.path().string());
  }
  return out;
}

}  // namespace

TEST_CASE("audit set-up over HTTP: import, create, sample, assign, read back with the CLI",
          "[http][audits]") {
  Partnership p;
  const auto before = entries_besides_database(p);
  Server s(p.data());
  Client c(s.port(), p.cert());
  const std::string qa = bearer_token(c, "qa");

  // One bad row in one file rejects every file: the CLI's error lines, nothing stored.
  auto files = p.extracts();
  files[1].second += "not,a,valid,row\n";
  Reply r = c.call("POST", "/api/v1/imports", multipart(files), bearer(qa, multipart_type()));
  check_problem(r, 400, "validation");
  {
    const auto problem = r.json();
    CHECK_THAT(problem->getValue<std::string>("detail"), Catch::Contains("nothing was stored"));
    const auto errors = problem->getArray("errors");
    REQUIRE(errors);
    REQUIRE(errors->size() >= 1);
    // file:line:column: message, named as uploaded (never the server's temporary path).
    CHECK(errors->getElement<std::string>(0).rfind(files[1].first + ":", 0) == 0);
    CHECK(r.body.find(p.data()) == std::string::npos);
  }
  CHECK(count(p, "events") == 0);
  CHECK(cli_json_array(p, {"links"})->size() == 0);
  CHECK(sql(p, "SELECT count(*) FROM audit_log WHERE action = 'import.reject'") == "1\n");

  // Fixed: all ten files in one import.
  r = c.call("POST", "/api/v1/imports", multipart(p.extracts()), bearer(qa, multipart_type()));
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto imported = r.json();
  REQUIRE(imported->getArray("files")->size() == ReviewAudit::kAgencies.size());
  CHECK(imported->getArray("files")->getObject(0)->getValue<std::string>("file") ==
        "events-CSC.csv");
  CHECK(imported->getArray("files")->getObject(0)->getValue<std::int64_t>("rows") > 0);
  const auto inserted = imported->getValue<std::int64_t>("inserted");
  CHECK(inserted == count(p, "events"));
  CHECK(imported->getValue<std::int64_t>("updated") == 0);
  {
    std::int64_t per_file = 0;
    const auto list = imported->getArray("files");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto f = list->getObject(static_cast<unsigned>(i));
      CHECK(f->getValue<std::int64_t>("inserted") == f->getValue<std::int64_t>("rows"));
      per_file += f->getValue<std::int64_t>("inserted");
    }
    CHECK(per_file == inserted);
  }
  CHECK(!imported->getObject("flags")->getValue<std::string>("rule_set").empty());
  CHECK(cli_json_array(p, {"links"})->size() == static_cast<std::size_t>(inserted));
  CHECK(sql(p,
            "SELECT count(*) FROM audit_log WHERE action = 'import.commit' AND actor = "
            "'user:qa'") == "1\n");
  // Nothing of the upload was written to the data directory (only the database changed).
  CHECK(entries_besides_database(p) == before);

  // One file as text/csv, named by ?name=: the same rows again update, nothing is added.
  r = c.call("POST", "/api/v1/imports?name=events-CSC.csv", p.extract("CSC"),
             bearer(qa, "text/csv"));
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.json()->getValue<std::int64_t>("inserted") == 0);
  {
    const auto file = r.json()->getArray("files")->getObject(0);
    CHECK(r.json()->getValue<std::int64_t>("updated") == file->getValue<std::int64_t>("rows"));
    CHECK(file->getValue<std::int64_t>("updated") == file->getValue<std::int64_t>("rows"));
    CHECK(file->getValue<std::int64_t>("inserted") == 0);
  }
  CHECK(count(p, "events") == inserted);

  // Create an audit; the title's SQL metacharacters are text.
  const std::string title = "x'); DROP TABLE audits;--";
  Poco::JSON::Object body;
  body.set("title", title);
  body.set("template", "csa-response-pathway");
  body.set("period_start", "2022-01-01");
  body.set("period_end", "2027-12-31");
  std::ostringstream text;
  body.stringify(text);
  r = c.call("POST", "/api/v1/audits", text.str(), bearer(qa));
  INFO(r.body);
  REQUIRE(r.status == 201);
  const auto audit_id = r.json()->getValue<std::int64_t>("id");
  CHECK(r.header("location") == "/api/v1/audits/" + std::to_string(audit_id));
  CHECK(r.json()->getValue<std::string>("title") == title);
  CHECK(r.json()->getValue<std::string>("template") == "csa-response-pathway@1");
  r = c.call("GET", "/api/v1/audits/" + std::to_string(audit_id), "", bearer(qa));
  REQUIRE(r.status == 200);
  CHECK(r.json()->getObject("audit")->getValue<std::string>("title") == title);
  CHECK(field(cli_json_array(p, {"audit", "list"}), 0, "title") == title);

  // A bad body is refused naming the JSON path, and nothing is stored.
  r = c.call("POST", "/api/v1/audits",
             R"({"title": "T", "template": "csa-response-pathway", "period_start": "2022-13-01",
                 "period_end": "2027-12-31", "scope": {"categories": [3]}})",
             bearer(qa));
  check_problem(r, 400, "validation");
  CHECK_THAT(r.body, Catch::Contains("$.scope.categories[0]"));
  r = c.call("POST", "/api/v1/audits", R"({"template": "csa-response-pathway"})", bearer(qa));
  check_problem(r, 400, "validation");
  CHECK_THAT(r.body, Catch::Contains("title"));
  CHECK(count(p, "audits") == 1);

  // Sample; a second sample before assignment replaces the first, as the CLI's does.
  const std::string base = "/api/v1/audits/" + std::to_string(audit_id);
  r = c.call("POST", base + "/sample", R"({"size": 4, "seed": 3, "include_flagged": 2})",
             bearer(qa));
  INFO(r.body);
  REQUIRE(r.status == 201);
  const auto first_sample = r.json()->getValue<std::int64_t>("sample_id");
  CHECK(r.json()->isNull("replaced_sample_id"));
  r = c.call("POST", base + "/sample", R"({"size": 4, "seed": 3, "include_flagged": 2})",
             bearer(qa));
  REQUIRE(r.status == 201);
  const auto sample = r.json();
  CHECK(sample->getValue<std::int64_t>("replaced_sample_id") == first_sample);
  REQUIRE(sample->getArray("cases")->size() == 4);
  CHECK(sample->getArray("cases")->getObject(0)->getValue<bool>("flagged"));
  r = c.call("POST", base + "/sample", R"({"size": 4, "seed": -1})", bearer(qa));
  check_problem(r, 400, "validation");
  CHECK_THAT(r.body, Catch::Contains("$.seed"));

  // Assign: a return per involved agency per case, a discussion per case.
  r = c.call("POST", base + "/assign", R"({"qa_lead": "qa"})", bearer(qa));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto rows = r.json()->getArray("rows");
  REQUIRE(rows->size() >= 2);
  const auto last = rows->getObject(static_cast<unsigned>(rows->size() - 1));
  CHECK(last->getValue<std::string>("kind") == "discussion");
  CHECK(last->getValue<std::int64_t>("cases") == 4);
  // The CLI sees the same audit, sample and returns.
  const auto reviews = cli_json_array(p, {"review", "list"});
  REQUIRE(reviews->size() >= 4);
  std::set<std::string> sampled, reviewed;
  for (std::size_t i = 0; i < sample->getArray("cases")->size(); ++i)
    sampled.insert(sample->getArray("cases")
                       ->getObject(static_cast<unsigned>(i))
                       ->getValue<std::string>("child_key"));
  for (std::size_t i = 0; i < reviews->size(); ++i)
    reviewed.insert(field(reviews, i, "child_key"));
  CHECK(sampled == reviewed);
  // The audit lists its sample's cases again, by case id, for a page reloaded after the draw.
  r = c.call("GET", base, "", bearer(qa));
  REQUIRE(r.status == 200);
  const auto listed = r.json()->getObject("sample")->getArray("cases");
  REQUIRE(listed->size() == 4);
  std::set<std::string> listed_keys;
  for (std::size_t i = 0; i < listed->size(); ++i) {
    const auto item = listed->getObject(static_cast<unsigned>(i));
    listed_keys.insert(item->getValue<std::string>("child_key"));
    Reply one = c.call("GET", "/api/v1/cases/" + item->get("id").toString(), "", bearer(qa));
    REQUIRE(one.status == 200);
    CHECK(one.json()->getValue<std::string>("child_key") ==
          item->getValue<std::string>("child_key"));
  }
  CHECK(listed_keys == sampled);
  auto show = p.cli({"audit", "show", std::to_string(audit_id)});
  CHECK(show.status == 0);
  CHECK_THAT(show.out, Catch::Contains(sample->getValue<std::string>("population_hash")));

  // Once assigned, another sample is a conflict, as for the CLI.
  r = c.call("POST", base + "/sample", R"({"size": 4, "seed": 9})", bearer(qa));
  check_problem(r, 409, "conflict");
  CHECK(sql(p, "SELECT count(*) FROM samples WHERE audit_id = " + std::to_string(audit_id)) ==
        "1\n");

  // The case and its chronology.
  const auto case_id = reviews->getObject(0)->getValue<std::int64_t>("case");
  const std::string holder = Partnership::auditor(field(reviews, 0, "agency"));
  std::set<std::string> involved;
  for (std::size_t i = 0; i < reviews->size(); ++i)
    if (reviews->getObject(static_cast<unsigned>(i))->getValue<std::int64_t>("case") == case_id)
      involved.insert(field(reviews, i, "agency"));
  std::string outsider;
  for (const auto& ag : ReviewAudit::kAgencies)
    if (!involved.count(ag))
      outsider = Partnership::auditor(ag);
  if (outsider.empty()) {
    p.add_user("late.1", "auditor", "CSC");  // holds no return at all
    outsider = "late.1";
  }
  const std::string cases = "/api/v1/cases/" + std::to_string(case_id);
  r = c.call("GET", cases, "", bearer(qa));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::int64_t>("audit_id") == audit_id);
  CHECK(r.json()->getArray("returns")->size() == involved.size());

  const auto log_before = count(p, "audit_log");
  r = c.call("GET", cases + "/chronology", "", bearer(bearer_token(c, holder)));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto chron = r.json();
  CHECK(chron->getValue<std::string>("child_key") == field(reviews, 0, "child_key"));
  const auto events = chron->getArray("events");
  REQUIRE(events->size() >= 1);
  std::string previous;
  std::set<std::string> agencies;
  std::set<std::int64_t> cited;
  for (std::size_t i = 0; i < events->size(); ++i) {
    const auto e = events->getObject(static_cast<unsigned>(i));
    CHECK(e->getValue<std::string>("date") >= previous);
    previous = e->getValue<std::string>("date");
    agencies.insert(e->getValue<std::string>("agency"));
    CHECK(!e->getValue<std::string>("event_ref").empty());
    CHECK(!e->getValue<std::string>("type").empty());
    const auto ids = e->getArray("flag_ids");
    for (std::size_t k = 0; k < ids->size(); ++k)
      cited.insert(ids->getElement<std::int64_t>(static_cast<unsigned>(k)));
  }
  // Every agency with a return on the case has events in it; each cited flag is one of the case's.
  for (const auto& ag : involved)
    CHECK(agencies.count(ag) == 1);
  std::set<std::int64_t> flag_ids;
  const auto flags = chron->getArray("flags");
  for (std::size_t i = 0; i < flags->size(); ++i)
    flag_ids.insert(flags->getObject(static_cast<unsigned>(i))->getValue<std::int64_t>("id"));
  for (const auto id : cited)
    CHECK(flag_ids.count(id) == 1);
  CHECK(sql(p, "SELECT actor || ' ' || object FROM audit_log WHERE action = 'case.chronology'") ==
        "user:" + holder + " case:" + std::to_string(case_id) + "\n");
  {
    // The CLI gives the same chronology, from the same JSON builder.
    auto cli = p.cli(
        {"review", "chronology", std::to_string(case_id), "--as", holder, "--format", "json"});
    INFO(cli.err);
    REQUIRE(cli.status == 0);
    const auto same = json_object(cli.out);
    REQUIRE(same->getArray("events")->size() == events->size());
    for (std::size_t i = 0; i < events->size(); ++i) {
      const auto a = events->getObject(static_cast<unsigned>(i));
      const auto b = same->getArray("events")->getObject(static_cast<unsigned>(i));
      CHECK(a->getValue<std::string>("event_ref") == b->getValue<std::string>("event_ref"));
      CHECK(a->getValue<std::string>("notes") == b->getValue<std::string>("notes"));
    }
    CHECK(p.cli({"review", "chronology", std::to_string(case_id), "--as", outsider}).status != 0);
  }
  CHECK(count(p, "audit_log") > log_before);

  // Another agency's auditor: not found, as for a case that does not exist; nothing recorded.
  r = c.call("GET", cases + "/chronology", "", bearer(bearer_token(c, outsider)));
  check_problem(r, 404, "not-found");
  const Reply missing = c.call("GET", "/api/v1/cases/999999/chronology", "", bearer(qa));
  check_problem(missing, 404, "not-found");
  CHECK(sql(p, "SELECT count(*) FROM audit_log WHERE action = 'case.chronology'") == "2\n");

  // The flag summary and the metrics answer from what was imported.
  r = c.call("GET", "/api/v1/flags/summary", "", bearer(qa));
  REQUIRE(r.status == 200);
  std::int64_t flagged = 0;
  const auto items = r.json()->getArray("items");
  for (std::size_t i = 0; i < items->size(); ++i)
    flagged += items->getObject(static_cast<unsigned>(i))->getValue<std::int64_t>("count");
  CHECK(flagged == count(p, "flags"));
  r = c.call("GET", "/api/v1/metrics?from=2023-04-01&to=2024-03-31", "", bearer(qa));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getArray("measures")->size() >= 1);
  CHECK(r.json()->getArray("rows")->size() >= 1);
  r = c.call("GET", "/api/v1/metrics?from=2023-02-30", "", bearer(qa));
  check_problem(r, 400, "validation");
  // The service's input is named as this request gave it, never as a CLI option.
  CHECK(r.json()->getValue<std::string>("detail") ==
        "query parameter from: expects a date as YYYY-MM-DD");

  CHECK(s.stop() == 0);
  // Nothing of the case content in the server's log.
  CHECK(s.log().find(title) == std::string::npos);
}

TEST_CASE("imports: file names checked, the route's own body limit, media types",
          "[http][audits]") {
  Partnership p;
  const auto before = entries_besides_database(p);
  const std::string csv = p.extract("CSC");
  REQUIRE(csv.size() > 2048);
  {
    Server s(p.data(), {}, {"PATHAUDIT_HTTP_IMPORT_MAX_BYTES=2048"});
    Client c(s.port(), p.cert());
    const std::string qa = bearer_token(c, "qa");
    // Over the import route's limit: 413 before anything is read or stored. (Only the headers
    // are sent: the server closes the connection without reading a body it refuses.)
    auto session = c.session();
    Poco::Net::HTTPRequest req("POST", "/api/v1/imports?name=events-CSC.csv",
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("text/csv");
    req.set("Authorization", "Bearer " + qa);
    req.setContentLength(static_cast<std::streamsize>(csv.size()));
    session->sendRequest(req);
    const Reply r = Client::receive(*session);
    check_problem(r, 413, "payload-too-large");
    CHECK_THAT(r.body, Catch::Contains("2048 bytes"));
    CHECK(count(p, "events") == 0);
    CHECK(count(p, "imports") == 0);
  }
  Server s(p.data());
  Client c(s.port(), p.cert());
  const std::string qa = bearer_token(c, "qa");

  // The default import limit (64 MiB) is announced before the body: refused unread.
  {
    auto session = c.session();
    Poco::Net::HTTPRequest req("POST", "/api/v1/imports?name=big.csv",
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("text/csv");
    req.set("Authorization", "Bearer " + qa);
    req.setContentLength(65LL * 1024 * 1024);
    session->sendRequest(req);
    check_problem(Client::receive(*session), 413, "payload-too-large");
  }
  // Above the server's 1 MiB default, the import route still reads it: 1.5 MiB of bad rows get
  // the row errors, the first 100 and a count.
  const std::string header = csv.substr(0, csv.find('\n') + 1);
  std::string bad_row = "x";
  for (char ch : header)
    if (ch == ',')
      bad_row += ",x";
  std::string padded = header;
  while (padded.size() < 1536 * 1024)
    padded += bad_row + "\n";
  Reply r = c.call("POST", "/api/v1/imports", multipart({{"events-CSC.csv", padded}}),
                   bearer(qa, multipart_type()));
  check_problem(r, 400, "validation");
  {
    const auto errors = r.json()->getArray("errors");
    REQUIRE(errors);
    CHECK(errors->size() == 101);
    CHECK_THAT(errors->getElement<std::string>(100), Catch::Contains("more errors"));
  }

  // File names: plain names only, never echoed back.
  for (const std::string name : {"..%2Fetc%2Fpasswd", "a%2Fb.csv", ".hidden.csv", "c%3A.csv", ""}) {
    r = c.call("POST", "/api/v1/imports?name=" + name, csv, bearer(qa, "text/csv"));
    INFO(name);
    check_problem(r, 400, "validation");
    CHECK_THAT(r.body, Catch::Contains("query parameter name"));
  }
  r = c.call("POST", "/api/v1/imports", csv, bearer(qa, "text/csv"));
  check_problem(r, 400, "validation");
  r = c.call("POST", "/api/v1/imports", multipart({{"../../events-CSC.csv", csv}}),
             bearer(qa, multipart_type()));
  check_problem(r, 400, "validation");
  CHECK(r.body.find("../") == std::string::npos);
  r = c.call("POST", "/api/v1/imports", multipart({{"a.csv", csv}, {"a.csv", csv}}),
             bearer(qa, multipart_type()));
  check_problem(r, 400, "validation");
  // Neither CSV nor multipart; a multipart body that is not one.
  r = c.call("POST", "/api/v1/imports?name=x.csv", "{}", bearer(qa, "application/json"));
  check_problem(r, 415, "unsupported-media-type");
  r = c.call("POST", "/api/v1/imports", "garbage", bearer(qa, multipart_type()));
  check_problem(r, 400, "validation");
  CHECK(count(p, "events") == 0);
  CHECK(count(p, "imports") == 0);
  CHECK(entries_besides_database(p) == before);
  CHECK(s.stop() == 0);
}

TEST_CASE("audits, imports, cases, flag summary, metrics: authorisation matrix", "[http][audits]") {
  ReviewAudit a;
  a.add_user("admin", "admin");
  a.add_user("board", "board");
  const auto reviews = a.reviews();
  const auto case_id = reviews->getObject(0)->getValue<std::int64_t>("case");
  const std::string own = field(reviews, 0, "agency");
  std::set<std::string> involved;
  for (std::size_t i = 0; i < reviews->size(); ++i)
    if (reviews->getObject(static_cast<unsigned>(i))->getValue<std::int64_t>("case") == case_id)
      involved.insert(field(reviews, i, "agency"));
  std::string other;
  for (const auto& ag : ReviewAudit::kAgencies)
    if (!involved.count(ag))
      other = Partnership::auditor(ag);
  if (other.empty()) {
    a.add_user("late.1", "auditor", "CSC");
    other = "late.1";
  }

  Server s(a.data());
  Client c(s.port(), a.cert());
  const std::map<std::string, std::string> tokens{
      {"admin", bearer_token(c, "admin")},
      {"qa", bearer_token(c, "qa")},
      {"auditor_own", bearer_token(c, Partnership::auditor(own))},
      {"auditor_other", bearer_token(c, other)},
      {"board", bearer_token(c, "board")},
      {"anonymous", ""}};
  auto only_qa = [](int ok) {
    return std::map<std::string, int>{{"admin", 403},         {"qa", ok},     {"auditor_own", 403},
                                      {"auditor_other", 403}, {"board", 403}, {"anonymous", 401}};
  };
  const std::string cases = "/api/v1/cases/" + std::to_string(case_id);
  const auto audits_before = count(a, "audits");
  const auto samples_before = count(a, "samples");
  const auto assignments_before = count(a, "assignments");
  // Callers run in name order, so "qa" (the one allowed to write) comes last in each row.
  check_matrix(c, tokens,
               {
                   {"GET", "/api/v1/templates", "", only_qa(200)},
                   {"POST", "/api/v1/audits",
                    R"({"title": "Matrix", "template": "csa-response-pathway@1",
                        "period_start": "2022-01-01", "period_end": "2027-12-31",
                        "scope": {"categories": ["SAB"]}, "dual_review": false})",
                    only_qa(201)},
                   {"POST", "/api/v1/audits/2/sample", R"({"size": 2, "seed": 1})", only_qa(201)},
                   {"POST", "/api/v1/audits/2/assign", R"({"qa_lead": "qa"})", only_qa(200)},
                   {"GET", cases, "", only_qa(200)},
                   {"GET",
                    cases + "/chronology",
                    "",
                    {{"admin", 403},
                     {"qa", 200},
                     {"auditor_own", 200},
                     {"auditor_other", 404},
                     {"board", 403},
                     {"anonymous", 401}}},
                   {"GET", "/api/v1/flags/summary", "", only_qa(200)},
                   {"GET", "/api/v1/metrics", "", only_qa(200)},
               });
  // Refused writes stored nothing: one audit, one sample and its assignments, all by qa.
  CHECK(count(a, "audits") == audits_before + 1);
  CHECK(count(a, "samples") == samples_before + 1);
  CHECK(count(a, "assignments") > assignments_before);
  CHECK(sql(a, "SELECT count(*) FROM audit_log WHERE action = 'case.chronology'") == "2\n");

  // Imports take CSV, so they get their own loop; refusals leave no import behind.
  const std::string csv = read_file(a.path("synth/events-CSC.csv"));
  const auto imports_before = count(a, "imports");
  for (const auto& [caller, status] : only_qa(201)) {
    Headers h{{"Content-Type", "text/csv"}};
    if (!tokens.at(caller).empty())
      h.emplace_back("Authorization", "Bearer " + tokens.at(caller));
    const Reply r = c.call("POST", "/api/v1/imports?name=events-CSC.csv", csv, h);
    INFO(caller << " -> " << r.status << " " << r.body);
    CHECK(r.status == status);
    if (r.status >= 400)
      CHECK(r.header("content-type") == "application/problem+json");
  }
  CHECK(count(a, "imports") == imports_before + 1);
  // The role is decided before the body is even looked at: another role's upload is never read.
  check_problem(c.call("POST", "/api/v1/imports?name=x.csv", "{}",
                       {{"Authorization", "Bearer " + tokens.at("auditor_own")},
                        {"Content-Type", "application/json"}}),
                403, "forbidden");
  CHECK(s.stop() == 0);
}
