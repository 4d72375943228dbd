// A whole audit over HTTP, as a partnership would run it once `pathaudit init` has made the data
// directory and its first admin: the admin adds the accounts; the QA lead imports the template and
// the agencies' extracts, creates the audit, samples and assigns it; each auditor completes and
// submits their returns; the QA lead accepts them, records each case's discussion, moderates and
// locks it, and requests the board workbook; a board member downloads it and openpyxl reads it.
// Every state change goes through the API; the CLI only reads, to check what the API said.

#include "http_support.h"

using namespace pathaudit::http_test;  // NOLINT: test helpers

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kBoundary = "pathaudit-flow-boundary-41c9";

Headers bearer(const std::string& token, const std::string& content_type = "") {
  Headers h{{"Authorization", "Bearer " + token}};
  if (!content_type.empty())
    h.emplace_back("Content-Type", content_type);
  return h;
}

std::string json_text(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

std::string lower(const std::string& s) {
  std::string out;
  for (char ch : s)
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

Reply must(const Reply& r, int status) {
  INFO(r.status << " " << r.body);
  REQUIRE(r.status == status);
  return r;
}

}  // namespace

TEST_CASE("a whole audit over HTTP, from accounts and extracts to a board workbook",
          "[http][flow]") {
  DataDir d;
  REQUIRE(run_pathaudit({"synth", "--seed", "11", "--children", "80", "--out", d.path("synth")})
              .status == 0);
  REQUIRE(d.cli({"init", "--partnership", d.path("synth/partnership.json")}).status == 0);
  d.add_user("admin", "admin");  // the first admin: the only account the CLI makes

  Server s(d.data());
  Client c(s.port(), d.cert());
  const Headers admin = bearer(bearer_token(c, "admin"));

  // The admin adds the QA lead, a board member and one auditor per agency the API lists.
  auto add_account = [&](const std::string& name, const std::string& role,
                         const std::string& agency) {
    Poco::JSON::Object u;
    u.set("username", name);
    u.set("display_name", "Synthetic " + name);
    u.set("role", role);
    if (!agency.empty())
      u.set("agency", agency);
    u.set("password", kPassword);
    must(c.call("POST", "/api/v1/users", json_text(u), admin), 201);
  };
  add_account("qa", "qa_lead", "");
  add_account("board", "board", "");
  const auto agencies = must(c.call("GET", "/api/v1/agencies", "", admin), 200).json();
  std::vector<std::string> codes;
  for (std::size_t i = 0; i < agencies->getArray("items")->size(); ++i) {
    codes.push_back(field(agencies->getArray("items"), i, "code"));
    add_account(lower(codes.back()) + ".1", "auditor", codes.back());
  }
  REQUIRE(codes.size() == ReviewAudit::kAgencies.size());

  // The QA lead: template, extracts (one multipart upload), audit, sample, assignment.
  const std::string qa_token = bearer_token(c, "qa");
  const Headers qa = bearer(qa_token);
  const std::string tmpl =
      read_file(std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/csa-response-pathway/1.json");
  // A template that is not valid: one line per problem, nothing stored; and only QA leads import.
  Reply r = c.call("POST", "/api/v1/templates", R"({"key": 5})", qa);
  check_problem(r, 400, "validation");
  REQUIRE(r.json()->getArray("errors"));
  CHECK(r.json()->getArray("errors")->getElement<std::string>(0).rfind("request body: $", 0) == 0);
  check_problem(c.call("POST", "/api/v1/templates", tmpl, admin), 403, "forbidden");
  CHECK(must(c.call("GET", "/api/v1/templates", "", qa), 200).json()->getValue<int>("total") == 0);
  r = must(c.call("POST", "/api/v1/templates", tmpl, qa), 201);
  CHECK(r.json()->getValue<std::string>("ref") == "csa-response-pathway@1");
  // The same bytes again change nothing.
  r = must(c.call("POST", "/api/v1/templates", tmpl, qa), 200);
  CHECK_FALSE(r.json()->getValue<bool>("imported"));

  std::string upload;
  for (const auto& code : codes) {
    upload += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
              "events-" + code + ".csv\"\r\nContent-Type: text/csv\r\n\r\n" +
              read_file(d.path("synth/events-" + code + ".csv")) + "\r\n";
  }
  upload += "--" + kBoundary + "--\r\n";
  r = must(c.call("POST", "/api/v1/imports", upload,
                  bearer(qa_token, "multipart/form-data; boundary=" + kBoundary)),
           201);

  r = must(c.call("POST", "/api/v1/audits",
                  R"({"title": "Synthetic themed audit", "template": "csa-response-pathway",
                      "period_start": "2022-01-01", "period_end": "2027-12-31"})",
                  qa),
           201);
  const std::string audit = std::to_string(r.json()->getValue<std::int64_t>("id"));
  r = must(c.call("POST", "/api/v1/audits/" + audit + "/sample",
                  R"({"size": 2, "seed": 7, "include_flagged": 1})", qa),
           201);
  REQUIRE(r.json()->getArray("cases")->size() == 2);
  r = must(c.call("POST", "/api/v1/audits/" + audit + "/assign", R"({"qa_lead": "qa"})", qa), 200);
  CHECK(r.json()->getArray("agencies_without_auditor")->size() == 0);

  // Every return, as the QA lead sees the queue.
  r = must(c.call("GET", "/api/v1/reviews?audit=" + audit + "&limit=500", "", qa), 200);
  const auto queue = r.json()->getArray("items");
  REQUIRE(queue->size() >= 2);
  std::map<std::string, std::set<std::string>> agencies_of_case;
  std::map<std::string, Headers> auditor_session;
  for (std::size_t i = 0; i < queue->size(); ++i) {
    const std::string id = field(queue, i, "id"), who = field(queue, i, "auditor");
    agencies_of_case[field(queue, i, "case")].insert(field(queue, i, "agency"));
    if (!auditor_session.count(who))
      auditor_session[who] = bearer(bearer_token(c, who));
    // The auditor sees the return in their own list, completes it and submits.
    const Headers& as = auditor_session[who];
    r = must(c.call("GET", "/api/v1/reviews?limit=500", "", as), 200);
    bool listed = false;
    for (std::size_t j = 0; j < r.json()->getArray("items")->size(); ++j)
      listed = listed || field(r.json()->getArray("items"), j, "id") == id;
    CHECK(listed);
    must(c.call("GET", "/api/v1/cases/" + field(queue, i, "case") + "/chronology", "", as), 200);
    r = must(c.call("PUT", "/api/v1/reviews/" + id + "/answers", d.answers_text(id, who), as), 200);
    CHECK(r.json()->getArray("missing_required")->size() == 0);
    r = must(c.call("POST", "/api/v1/reviews/" + id + "/submit", "", as), 200);
    CHECK(r.json()->getValue<std::string>("state") == "submitted");
  }

  // The QA lead accepts each return; then, case by case, discussion, moderation and lock.
  for (std::size_t i = 0; i < queue->size(); ++i) {
    r = must(c.call("POST", "/api/v1/reviews/" + field(queue, i, "id") + "/accept", "", qa), 200);
    CHECK(r.json()->getValue<std::string>("state") == "accepted");
  }
  for (const auto& [case_id, present] : agencies_of_case) {
    Poco::JSON::Object discussion;
    discussion.set("held_on", "2026-11-20");
    Poco::JSON::Array::Ptr attendees = new Poco::JSON::Array;
    for (const auto& code : present)
      attendees->add(code);
    discussion.set("attendees", attendees);
    discussion.set("grades", Poco::JSON::Object::Ptr(new Poco::JSON::Object));
    discussion.set("learning", "Synthetic learning: summaries were shared the same day.");
    r = must(c.call("POST", "/api/v1/cases/" + case_id + "/discussion", json_text(discussion), qa),
             200);
    CHECK(r.json()->getValue<std::string>("state") == "discussed");
    must(c.call("POST", "/api/v1/cases/" + case_id + "/moderation", "", qa), 200);
    must(c.call("POST", "/api/v1/cases/" + case_id + "/lock", "", qa), 200);
  }
  r = must(c.call("GET", "/api/v1/audits/" + audit + "/collation", "", qa), 200);

  // The board workbook: requested by the QA lead with a reason, collected once by the board.
  r = must(c.call("POST", "/api/v1/exports",
                  R"({"audit": )" + audit +
                      R"(, "kind": "board", "reason": "Synthetic board meeting, December"})",
                  qa),
           201);
  const std::string export_id = std::to_string(r.json()->getValue<std::int64_t>("id"));
  const Headers board = bearer(bearer_token(c, "board"));
  r = must(c.call("GET", "/api/v1/exports", "", board), 200);
  CHECK(r.body.find("\"id\":" + export_id) != std::string::npos);
  r = must(c.call("GET", "/api/v1/exports/" + export_id + "/file", "", board), 200);
  const std::string workbook = d.path("board.xlsx");
  write_file(workbook, r.body);
  auto read = run({PYTHON3, "-c",
                   "import openpyxl, sys; wb = openpyxl.load_workbook(sys.argv[1]); "
                   "print(' | '.join(wb.sheetnames))",
                   workbook});
  INFO(read.err);
  REQUIRE(read.status == 0);
  CHECK_THAT(read.out, Catch::Contains("Summary"));
  check_problem(c.call("GET", "/api/v1/exports/" + export_id + "/file", "", board), 404,
                "not-found");

  // What the CLI reads back: every case locked, and the audit log whole.
  for (const auto& [case_id, present] : agencies_of_case) {
    auto shown = d.cli({"review", "case", case_id, "--format", "json"});
    INFO(shown.err);
    REQUIRE(shown.status == 0);
    CHECK_THAT(shown.out, Catch::Contains("\"locked\""));
  }
  auto v = d.cli({"verify-log"});
  INFO(v.out << v.err);
  CHECK(v.status == 0);
  CHECK(s.stop() == 0);
  // Nothing of the template's or the extracts' contents in the server's log.
  CHECK(s.log().find("Synthetic learning") == std::string::npos);
}
