// The casework endpoints end to end through the real `pathaudit serve`: the returns of one case
// answered, submitted, returned, resubmitted and accepted over HTTP; the case's discussion,
// moderation and lock; live safeguarding concerns; actions; collation and comparison; a board
// export made by the QA lead, listed and downloaded once by a board member and opened with
// openpyxl. Each endpoint's authorisation matrix, and refused writes read back (CLI or API) to
// show nothing was stored.

#include "crypto/hash.h"
#include "http_support.h"

using namespace pathaudit::http_test;  // NOLINT: test helpers

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

std::string username_of(const std::string& agency) {
  std::string lower;
  for (char ch : agency)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower + ".1";
}

// `pathaudit ARGS --format json` as the operator, parsed.
Poco::JSON::Array::Ptr cli_rows(const ReviewAudit& a, std::vector<std::string> args) {
  args.push_back("--format");
  args.push_back("json");
  auto r = a.cli(args);
  INFO(r.err);
  REQUIRE(r.status == 0);
  Poco::JSON::Parser parser;
  return parser.parse(r.out).extract<Poco::JSON::Array::Ptr>();
}

// One field of `review case ID --format json` (rows of field and value).
std::string case_field(const ReviewAudit& a, const std::string& case_id, const std::string& name) {
  const auto rows = cli_rows(a, {"review", "case", case_id});
  for (std::size_t i = 0; i < rows->size(); ++i)
    if (field(rows, i, "field") == name)
      return field(rows, i, "value");
  FAIL("no field " << name);
  return "";
}

// The returns of the case with the most returns (at least two), as rows of `review list`.
std::vector<Poco::JSON::Object::Ptr> returns_of_busiest_case(const ReviewAudit& a) {
  const auto all = a.reviews();
  std::map<std::string, std::vector<Poco::JSON::Object::Ptr>> by_case;
  for (std::size_t i = 0; i < all->size(); ++i) {
    const auto row = all->getObject(static_cast<unsigned>(i));
    if (!row->getValue<std::string>("auditor").empty())
      by_case[row->getValue<std::string>("case")].push_back(row);
  }
  std::vector<Poco::JSON::Object::Ptr> best;
  for (const auto& [id, rows] : by_case)
    if (rows.size() > best.size())
      best = rows;
  REQUIRE(best.size() >= 2);
  return best;
}

// Malicious-looking text that must be stored and shown verbatim, never interpreted.
const std::string kSqlText = "Synthetic: Robert'); DROP TABLE reviews; -- \"quoted\" 100% _x_";

std::string json_string(const std::string& s) {
  Poco::JSON::Object o;
  o.set("v", s);
  std::ostringstream out;
  o.stringify(out);
  const std::string t = out.str();  // {"v":"..."}
  return t.substr(5, t.size() - 6);
}

}  // namespace

TEST_CASE(
    "casework over HTTP: a case from answers to lock, concerns, actions, collation, a board "
    "export downloaded once",
    "[http][casework]") {
  ReviewAudit a;
  a.add_user("board", "board");
  a.add_user("admin", "admin");
  const auto returns = returns_of_busiest_case(a);
  const std::string case_id = returns.front()->getValue<std::string>("case");

  Server s(a.data());
  Client c(s.port(), a.cert());
  const auto qa = bearer(bearer_token(c, "qa")), board = bearer(bearer_token(c, "board")),
             admin = bearer(bearer_token(c, "admin"));
  std::map<std::string, Headers> auditor;  // review id -> its auditor's headers
  for (const auto& row : returns)
    auditor[row->getValue<std::string>("id")] =
        bearer(bearer_token(c, row->getValue<std::string>("auditor")));

  // Each auditor draws the form, answers it and submits.
  std::string first_question;
  for (const auto& row : returns) {
    const std::string id = row->getValue<std::string>("id");
    Reply r = c.call("GET", "/api/v1/reviews/" + id + "/form", "", auditor[id]);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto questions = r.json()->getArray("questions");
    REQUIRE(questions->size() > 0);
    const auto q0 = questions->getObject(0);
    CHECK(!q0->getValue<std::string>("text").empty());
    CHECK(q0->isArray("choices"));
    CHECK(q0->get("value").isEmpty());  // nothing saved yet
    // The template's own words for people: section and stage titles, a label per choice.
    CHECK(q0->getValue<std::string>("section") == "concern_arises");
    CHECK(q0->getValue<std::string>("section_title") == "1.1 A concern arises");
    CHECK(q0->getValue<std::string>("stage_title") == "A concern arises");
    for (std::size_t i = 0; i < questions->size(); ++i) {
      const auto q = questions->getObject(static_cast<unsigned>(i));
      REQUIRE(q->getArray("choice_labels")->size() == q->getArray("choices")->size());
      if (q->getValue<std::string>("type") == "grade") {
        CHECK(q->getArray("choices")->getElement<std::string>(2) == "requires_improvement");
        CHECK(q->getArray("choice_labels")->getElement<std::string>(2) ==
              "Requires improvement to be good");
      }
    }
    first_question = q0->getValue<std::string>("id");
    const std::string answers = a.answers_text(id, row->getValue<std::string>("auditor"));
    r = c.call("PUT", "/api/v1/reviews/" + id + "/answers", answers, auditor[id]);
    INFO(r.body);
    REQUIRE(r.status == 200);
    REQUIRE(r.json()->getArray("missing_required")->size() == 0);
    // The form now carries the saved values.
    r = c.call("GET", "/api/v1/reviews/" + id + "/form", "", auditor[id]);
    REQUIRE(r.status == 200);
    std::size_t with_value = 0;
    const auto after = r.json()->getArray("questions");
    for (std::size_t i = 0; i < after->size(); ++i)
      with_value += after->getObject(static_cast<unsigned>(i))->get("value").isEmpty() ? 0 : 1;
    CHECK(with_value > 0);
    r = c.call("POST", "/api/v1/reviews/" + id + "/submit", "", auditor[id]);
    REQUIRE(r.status == 200);
    CHECK(r.json()->getValue<std::string>("state") == "submitted");
  }

  // The QA lead returns the first with a comment; its auditor resubmits; the QA lead accepts all.
  const std::string first = returns.front()->getValue<std::string>("id");
  Reply r =
      c.call("POST", "/api/v1/reviews/" + first + "/return",
             R"({"comments": {")" + first_question + R"(": "Please say who was told."}})", qa);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("state") == "returned");
  r = c.call("POST", "/api/v1/reviews/" + first + "/submit", "", auditor[first]);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("state") == "resubmitted");

  // Not discussed before every return is accepted: 409, and the case stays open.
  const std::string discussion =
      R"({"held_on": "2026-11-20", "attendees": ["CSC", "POLICE"],
          "grades": {"2.2": "requires_improvement"}, "learning": )" +
      json_string(kSqlText) +
      R"(, "learning_tags": ["information_sharing"],
          "actions": [{"description": "Synthetic action: a same-day route for ABE summaries.",
                       "owner": "POLICE", "due": "2027-01-31"}]})";
  check_problem(c.call("POST", "/api/v1/cases/" + case_id + "/discussion", discussion, qa), 409,
                "conflict");
  CHECK(case_field(a, case_id, "state") == "open");

  for (const auto& row : returns) {
    const std::string id = row->getValue<std::string>("id");
    r = c.call("POST", "/api/v1/reviews/" + id + "/accept", "", qa);
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.json()->getValue<std::string>("state") == "accepted");
  }

  // Bad discussion input: malformed JSON, wrong types, paths named; nothing recorded.
  check_problem(c.call("POST", "/api/v1/cases/" + case_id + "/discussion", R"({"held_on": )", qa),
                400, "validation");
  r = c.call("POST", "/api/v1/cases/" + case_id + "/discussion",
             R"({"held_on": 20261120, "attendees": "CSC", "grades": {"2.2": "brilliant"},
                 "learning": "x"})",
             qa);
  check_problem(r, 400, "validation");
  CHECK_THAT(r.body, Catch::Contains("$.held_on"));
  check_problem(c.call("POST", "/api/v1/cases/" + case_id + "/discussion", discussion,
                       {{"Authorization", qa.front().second}, {"Content-Type", "text/plain"}}),
                415, "unsupported-media-type");
  CHECK(case_field(a, case_id, "state") == "open");

  // Recorded; the learning with SQL metacharacters is stored verbatim.
  r = c.call("POST", "/api/v1/cases/" + case_id + "/discussion", discussion, qa);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("state") == "discussed");
  CHECK(r.json()->getValue<int>("actions_added") == 1);
  CHECK(case_field(a, case_id, "state") == "discussed");
  CHECK(case_field(a, case_id, "learning") == kSqlText);

  // Moderation: a bad entry is refused whole; then every grade moderated as given.
  r = c.call("POST", "/api/v1/cases/" + case_id + "/moderation",
             R"({"grades": [{"review": "x", "question": 7}]})", qa);
  check_problem(r, 400, "validation");
  CHECK(case_field(a, case_id, "state") == "discussed");
  r = c.call("POST", "/api/v1/cases/" + case_id + "/moderation", "", qa);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<int>("grades") > 0);
  CHECK(r.json()->getValue<int>("changed") == 0);
  CHECK(case_field(a, case_id, "state") == "moderated");

  // Concerns: raised by an auditor (verbatim text), listed and acknowledged by the QA lead.
  check_problem(c.call("POST", "/api/v1/reviews/" + first + "/concerns", R"({"description": 5})",
                       auditor[first]),
                400, "validation");
  check_problem(c.call("POST", "/api/v1/reviews/" + first + "/concerns",
                       R"({"description": "   "})", auditor[first]),
                400, "validation");
  r = c.call("GET", "/api/v1/concerns?all=true", "", qa);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<int>("total") == 0);
  r = c.call("POST", "/api/v1/reviews/" + first + "/concerns",
             R"({"description": )" + json_string(kSqlText) + "}", auditor[first]);
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.json()->getValue<int>("qa_leads_notified") == 1);
  const std::string concern = std::to_string(r.json()->getValue<std::int64_t>("id"));
  r = c.call("GET", "/api/v1/concerns?audit=1", "", qa);
  REQUIRE(r.status == 200);
  REQUIRE(r.json()->getValue<int>("total") == 1);
  const auto listed = r.json()->getArray("items")->getObject(0);
  CHECK(listed->getValue<std::string>("description") == kSqlText);
  CHECK(listed->getValue<std::string>("status") == "open");
  CHECK(std::to_string(listed->getValue<std::int64_t>("review")) == first);
  check_problem(c.call("GET", "/api/v1/concerns?all=maybe", "", qa), 400, "validation");
  r = c.call("POST", "/api/v1/concerns/" + concern + "/acknowledge", "", qa);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("status") == "acknowledged");
  check_problem(c.call("POST", "/api/v1/concerns/" + concern + "/acknowledge", "", qa), 409,
                "conflict");
  check_problem(c.call("POST", "/api/v1/concerns/99/acknowledge", "", qa), 404, "not-found");
  CHECK(c.call("GET", "/api/v1/concerns", "", qa).json()->getValue<int>("total") == 0);
  r = c.call("GET", "/api/v1/concerns?all=true", "", qa);
  REQUIRE(r.json()->getValue<int>("total") == 1);
  CHECK(field(r.json()->getArray("items"), 0, "acknowledged_by") == "user:qa");

  // Lock; then nothing about the case changes.
  r = c.call("POST", "/api/v1/cases/" + case_id + "/lock", "", qa);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("state") == "locked");
  CHECK(case_field(a, case_id, "state") == "locked");
  check_problem(c.call("POST", "/api/v1/cases/" + case_id + "/lock", "", qa), 409, "conflict");
  check_problem(c.call("POST", "/api/v1/cases/" + case_id + "/moderation", "", qa), 409,
                "conflict");

  // Actions: added (refusals store nothing), listed, updated.
  const auto before = cli_rows(a, {"actions", "list"})->size();
  REQUIRE(before == 1);  // from the discussion
  r = c.call("POST", "/api/v1/audits/1/actions",
             R"({"description": "Synthetic: x", "owner": "NOSUCH", "due": "2027-02-30"})", qa);
  check_problem(r, 400, "validation");
  CHECK_THAT(r.body, Catch::Contains("$.owner"));
  CHECK_THAT(r.body, Catch::Contains("$.due"));
  check_problem(c.call("POST", "/api/v1/audits/1/actions",
                       R"({"description": "Synthetic: x", "owner": "CSC", "colour": "red"})", qa),
                400, "validation");
  check_problem(c.call("POST", "/api/v1/audits/1/actions",
                       R"({"description": "Synthetic: x", "owner": "CSC", "case": 999})", qa),
                404, "not-found");
  check_problem(
      c.call("POST", "/api/v1/audits/99/actions", R"({"description": "x", "owner": "CSC"})", qa),
      404, "not-found");
  CHECK(cli_rows(a, {"actions", "list"})->size() == before);
  r = c.call("POST", "/api/v1/audits/1/actions",
             R"({"description": )" + json_string(kSqlText) + R"(, "owner": "CSC", "case": )" +
                 case_id + R"(, "due": "2020-01-31"})",
             qa);
  INFO(r.body);
  REQUIRE(r.status == 201);
  const std::string action = std::to_string(r.json()->getValue<std::int64_t>("id"));
  r = c.call("GET", "/api/v1/actions?audit=1&owner=CSC", "", qa);
  REQUIRE(r.status == 200);
  REQUIRE(r.json()->getValue<int>("total") == 1);
  const auto added = r.json()->getArray("items")->getObject(0);
  CHECK(added->getValue<std::string>("description") == kSqlText);
  CHECK(added->getValue<bool>("overdue"));
  CHECK(added->getValue<std::string>("status") == "open");
  CHECK(c.call("GET", "/api/v1/actions?overdue=true", "", qa).json()->getValue<int>("total") == 1);
  check_problem(c.call("GET", "/api/v1/actions?status=maybe", "", qa), 400, "validation");
  check_problem(c.call("PATCH", "/api/v1/actions/" + action, R"({"status": "maybe"})", qa), 400,
                "validation");
  check_problem(c.call("PATCH", "/api/v1/actions/" + action, R"({"due": 5})", qa), 400,
                "validation");
  check_problem(c.call("PATCH", "/api/v1/actions/" + action, "{}", qa), 400, "validation");
  r = c.call("PATCH", "/api/v1/actions/" + action,
             R"({"status": "in_progress", "due": null, "owner": "POLICE"})", qa);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("status") == "in_progress");
  CHECK(r.json()->get("due").isEmpty());
  CHECK(r.json()->getValue<std::string>("owner") == "POLICE");
  CHECK(!r.json()->getValue<bool>("overdue"));
  const auto stored = cli_rows(a, {"actions", "list", "--owner", "POLICE"});
  REQUIRE(stored->size() == 2);
  bool seen = false;
  for (std::size_t i = 0; i < stored->size(); ++i) {
    if (field(stored, i, "id") != action)
      continue;
    CHECK(field(stored, i, "status") == "in_progress");
    CHECK(field(stored, i, "due").empty());
    seen = true;
  }
  CHECK(seen);
  check_problem(c.call("PATCH", "/api/v1/actions/999", R"({"status": "done"})", qa), 404,
                "not-found");

  // Collation: the locked case and its grades counted.
  r = c.call("GET", "/api/v1/audits/1/collation", "", qa);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto col = r.json();
  CHECK(col->getValue<int>("cases") == 4);
  CHECK(col->getObject("cases_by_state")->getValue<int>("locked") == 1);
  CHECK(col->getValue<std::size_t>("returns_counted") == returns.size());
  CHECK(col->getArray("grades")->size() > 0);
  CHECK(col->getArray("agreed_grades")->size() == 1);
  CHECK(col->getValue<int>("grades_moderated") > 0);
  CHECK(col->getObject("themes")->has("information_sharing"));
  check_problem(c.call("GET", "/api/v1/audits/99/collation", "", qa), 404, "not-found");
  r = c.call("GET", "/api/v1/audits/1/comparison?with=1", "", qa);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getArray("rows")->size() > 0);
  check_problem(c.call("GET", "/api/v1/audits/1/comparison", "", qa), 400, "validation");
  check_problem(c.call("GET", "/api/v1/audits/1/comparison?with=x", "", qa), 400, "validation");
  check_problem(c.call("GET", "/api/v1/audits/1/comparison?with=99", "", qa), 404, "not-found");

  // A board export: refused requests make nothing; the manifest never names the file's path.
  Reply refused =
      c.call("POST", "/api/v1/exports", R"({"audit": 1, "kind": "board", "reason": " "})", qa);
  check_problem(refused, 400, "validation");
  CHECK_THAT(refused.json()->getValue<std::string>("detail"),
             Catch::StartsWith("request body: $.reason: every export needs a reason"));
  check_problem(
      c.call("POST", "/api/v1/exports", R"({"audit": 1, "kind": "pdf", "reason": "Board."})", qa),
      400, "validation");
  check_problem(c.call("POST", "/api/v1/exports",
                       R"({"audit": "1", "kind": "board", "reason": "Board."})", qa),
                400, "validation");
  check_problem(c.call("POST", "/api/v1/exports",
                       R"({"audit": 1, "kind": "board", "reason": "Board.", "profile": "x"})", qa),
                400, "validation");
  check_problem(c.call("POST", "/api/v1/exports",
                       R"({"audit": 99, "kind": "board", "reason": "Board."})", qa),
                404, "not-found");
  CHECK(c.call("GET", "/api/v1/exports", "", qa).json()->getValue<int>("total") == 0);
  CHECK((!std::filesystem::exists(a.data() + "/exports") ||
         std::filesystem::is_empty(a.data() + "/exports")));
  r = c.call("POST", "/api/v1/exports",
             R"({"audit": 1, "kind": "board", "reason": "Board meeting, December 2026",
                 "profile": "nhs"})",
             qa);
  INFO(r.body);
  REQUIRE(r.status == 201);
  const auto manifest = r.json();
  const std::string export_id = std::to_string(manifest->getValue<std::int64_t>("id"));
  CHECK(manifest->getValue<std::string>("kind") == "board");
  CHECK(manifest->getValue<std::string>("profile") == "nhs");
  CHECK(manifest->getValue<std::string>("sha256").size() == 64);
  CHECK(!manifest->getValue<std::string>("expires_at").empty());
  CHECK(!manifest->has("file"));
  CHECK(r.body.find(a.data()) == std::string::npos);

  // Listed for the board member; downloaded once, with the right headers, as made.
  r = c.call("GET", "/api/v1/exports", "", board);
  REQUIRE(r.status == 200);
  REQUIRE(r.json()->getValue<int>("total") == 1);
  CHECK(std::to_string(r.json()->getArray("items")->getObject(0)->getValue<std::int64_t>("id")) ==
        export_id);
  check_problem(c.call("GET", "/api/v1/exports/" + export_id + "/file", "", admin), 404,
                "not-found");
  r = c.call("GET", "/api/v1/exports/" + export_id + "/file", "", board);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") ==
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  CHECK(r.header("content-disposition") ==
        "attachment; filename=\"pathaudit-audit-1-board-" + export_id + ".xlsx\"");
  CHECK(r.header("cache-control") == "no-store");
  CHECK(pathaudit::crypto::sha256_hex(r.body) == manifest->getValue<std::string>("sha256"));
  const std::string book = a.path("downloaded.xlsx");
  write_file(book, r.body);
  auto py = pathaudit::testing::run(
      {"/usr/bin/python3", "-c",
       "import openpyxl, sys\nwb = openpyxl.load_workbook(sys.argv[1])\nprint('\\n'.join("
       "wb.sheetnames))",
       book});
  INFO(py.err);
  REQUIRE(py.status == 0);
  for (const char* sheet : {"Cover", "Summary", "Pathway stages", "Agencies", "Flags", "Actions"})
    CHECK_THAT(py.out, Catch::Contains(std::string(sheet) + "\n"));
  // Delivered once, then gone: 404 for everyone, and no longer listed.
  check_problem(c.call("GET", "/api/v1/exports/" + export_id + "/file", "", board), 404,
                "not-found");
  check_problem(c.call("GET", "/api/v1/exports/" + export_id + "/file", "", qa), 404, "not-found");
  CHECK(c.call("GET", "/api/v1/exports", "", board).json()->getValue<int>("total") == 0);

  // A CSV export goes to the QA lead that made it, as text/csv; a board member cannot have it.
  r = c.call("POST", "/api/v1/exports", R"({"audit": 1, "kind": "csv", "reason": "QA review."})",
             qa);
  REQUIRE(r.status == 201);
  const std::string csv_id = std::to_string(r.json()->getValue<std::int64_t>("id"));
  CHECK(r.json()->getValue<std::string>("profile") == "none");
  CHECK(c.call("GET", "/api/v1/exports", "", board).json()->getValue<int>("total") == 0);
  check_problem(c.call("GET", "/api/v1/exports/" + csv_id + "/file", "", board), 404, "not-found");
  r = c.call("GET", "/api/v1/exports/" + csv_id + "/file", "", qa);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/csv");
  CHECK(r.header("content-disposition") ==
        "attachment; filename=\"pathaudit-audit-1-csv-" + csv_id + ".csv\"");
  CHECK(!r.body.empty());
  CHECK(s.stop() == 0);

  // Nothing secret or identifying in the server's log, and the hash chain holds.
  const std::string log = s.log();
  CHECK(log.find("DROP TABLE") == std::string::npos);
  CHECK(log.find("Board meeting") == std::string::npos);
  CHECK(a.cli({"verify-log"}).status == 0);
}

TEST_CASE("casework endpoints: who may call each, and refused writes store nothing",
          "[http][casework]") {
  ReviewAudit a;
  a.add_user("board", "board");
  a.add_user("admin", "admin");
  const auto all = a.reviews();
  std::string review, case_id, owner, agency;
  for (std::size_t i = 0; i < all->size() && review.empty(); ++i) {
    if (!field(all, i, "auditor").empty()) {
      review = field(all, i, "id");
      case_id = field(all, i, "case");
      owner = field(all, i, "auditor");
      agency = field(all, i, "agency");
    }
  }
  REQUIRE(!review.empty());
  const std::string other = username_of(agency == "CSC" ? "POLICE" : "CSC");

  Server s(a.data());
  Client c(s.port(), a.cert());
  const std::map<std::string, std::string> tokens{
      {"admin", bearer_token(c, "admin")},     {"qa", bearer_token(c, "qa")},
      {"auditor_own", bearer_token(c, owner)}, {"auditor_other", bearer_token(c, other)},
      {"board", bearer_token(c, "board")},     {"anonymous", ""},
  };
  auto refused = [](std::map<std::string, int> more) {
    std::map<std::string, int> m{{"admin", 403},
                                 {"auditor_own", 403},
                                 {"auditor_other", 403},
                                 {"board", 403},
                                 {"anonymous", 401}};
    for (const auto& [k, v] : more)
      m[k] = v;
    return m;
  };
  const std::string concern = R"({"description": "Synthetic: the child said more today."})";
  const std::string discussion =
      R"({"held_on": "2026-11-20", "attendees": ["CSC"], "grades": {},
          "learning": "Synthetic learning."})";
  const std::string new_action =
      R"({"description": "Synthetic: review the route.", "owner": ")" + agency + R"("})";
  const std::string board_export = R"({"audit": 1, "kind": "board", "reason": "Board."})";

  // Reviews: the form and raising a concern.
  check_matrix(c, tokens,
               {
                   {"GET", "/api/v1/reviews/" + review + "/form", "",
                    refused({{"qa", 200}, {"auditor_own", 200}, {"auditor_other", 404}})},
                   {"POST",
                    "/api/v1/reviews/" + review + "/concerns",
                    concern,
                    {{"admin", 403}, {"auditor_other", 404}, {"board", 403}, {"anonymous", 401}}},
               });
  // Refused: no concern stored.
  CHECK(cli_rows(a, {"review", "concerns", "--all"})->size() == 0);
  check_matrix(c, tokens,
               {
                   {"POST",
                    "/api/v1/reviews/" + review + "/concerns",
                    concern,
                    {{"auditor_own", 201}, {"qa", 201}}},
                   {"GET", "/api/v1/concerns", "", refused({{"qa", 200}})},
                   {"POST", "/api/v1/concerns/1/acknowledge", "", refused({})},
               });
  {
    const auto concerns = cli_rows(a, {"review", "concerns", "--all"});
    REQUIRE(concerns->size() == 2);
    CHECK(field(concerns, 0, "status") == "open");
    CHECK(field(concerns, 1, "status") == "open");
  }
  check_matrix(c, tokens, {{"POST", "/api/v1/concerns/1/acknowledge", "", {{"qa", 200}}}});
  CHECK(cli_rows(a, {"review", "concerns"})->size() == 1);

  // The case: only QA leads, and not before its returns are accepted (409, for the QA lead).
  check_matrix(
      c, tokens,
      {
          {"POST", "/api/v1/cases/" + case_id + "/discussion", discussion, refused({{"qa", 409}})},
          {"POST", "/api/v1/cases/" + case_id + "/moderation", "", refused({{"qa", 409}})},
          {"POST", "/api/v1/cases/" + case_id + "/lock", "", refused({{"qa", 409}})},
      });
  CHECK(case_field(a, case_id, "state") == "open");
  CHECK(case_field(a, case_id, "held_on").empty());

  // Actions: auditors list their agency's; only QA leads add and update.
  check_matrix(c, tokens,
               {
                   {"POST", "/api/v1/audits/1/actions", new_action, refused({})},
               });
  CHECK(cli_rows(a, {"actions", "list"})->size() == 0);
  check_matrix(c, tokens,
               {
                   {"POST", "/api/v1/audits/1/actions", new_action, {{"qa", 201}}},
                   {"GET", "/api/v1/actions", "",
                    refused({{"qa", 200}, {"auditor_own", 200}, {"auditor_other", 200}})},
                   {"PATCH", "/api/v1/actions/1", R"({"status": "done"})", refused({})},
               });
  CHECK(field(cli_rows(a, {"actions", "list"}), 0, "status") == "open");
  check_matrix(c, tokens, {{"PATCH", "/api/v1/actions/1", R"({"status": "done"})", {{"qa", 200}}}});
  CHECK(field(cli_rows(a, {"actions", "list"}), 0, "status") == "done");
  {
    // The other agency's auditor sees none of this agency's actions; the owner's auditor sees it.
    const auto h = bearer(tokens.at("auditor_other"));
    CHECK(c.call("GET", "/api/v1/actions", "", h).json()->getValue<int>("total") == 0);
    CHECK(c.call("GET", "/api/v1/actions", "", bearer(tokens.at("auditor_own")))
              .json()
              ->getValue<int>("total") == 1);
  }

  // Collation and comparison: QA leads only (admins see no case content, even counted).
  check_matrix(c, tokens,
               {
                   {"GET", "/api/v1/audits/1/collation", "", refused({{"qa", 200}})},
                   {"GET", "/api/v1/audits/1/comparison?with=1", "", refused({{"qa", 200}})},
               });

  // Exports: made by QA leads; listed for them and board members; a board workbook downloaded
  // by a board member once. Everyone else is told it does not exist.
  check_matrix(c, tokens, {{"POST", "/api/v1/exports", board_export, refused({})}});
  CHECK(c.call("GET", "/api/v1/exports", "", bearer(tokens.at("qa")))
            .json()
            ->getValue<int>("total") == 0);
  check_matrix(
      c, tokens,
      {
          {"POST", "/api/v1/exports", board_export, {{"qa", 201}}},
          {"GET", "/api/v1/exports", "", refused({{"qa", 200}, {"board", 200}})},
          {"GET",
           "/api/v1/exports/1/file",
           "",
           {{"admin", 404}, {"auditor_own", 404}, {"auditor_other", 404}, {"anonymous", 401}}},
      });
  CHECK(c.call("GET", "/api/v1/exports", "", bearer(tokens.at("board")))
            .json()
            ->getValue<int>("total") == 1);
  check_matrix(c, tokens,
               {
                   {"GET", "/api/v1/exports/1/file", "", {{"board", 200}}},
                   {"GET", "/api/v1/exports/1/file", "", {{"qa", 404}, {"board", 404}}},
               });
  CHECK(s.stop() == 0);
}
