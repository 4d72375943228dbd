// The review workflow end to end: the real pathaudit binary on a synthetic partnership in a real
// data directory. Returns go through every state, QA leads return, accept, discuss, moderate and
// lock; auditors reach only their own returns; live concerns reach the QA leads; collation counts
// what the answers files said; and no free text reaches the database file in clear. Expected
// figures come from the answers files the test wrote and from sqlite3 queries, never from the
// code under test.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

using pathaudit::testing::read_file;
using pathaudit::testing::run;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::RunResult;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace {

const std::string kPassword = "correct horse battery staple";
const std::string kFill = std::string(PATHAUDIT_SOURCE_DIR) + "/scripts/demo-answers";
const std::vector<std::string> kAgencies{"CSC",    "POLICE", "GP",    "ED",  "HV",
                                         "SCHOOL", "SARC",   "CAMHS", "VCS", "EH"};

using Row = std::map<std::string, std::string>;

// RFC 4180 as cli/output.h writes it: header row, quoted fields where needed.
std::vector<Row> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!field.empty() || !rows.back().empty())
    rows.back().push_back(field);
  if (rows.back().empty())
    rows.pop_back();
  std::vector<Row> out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    Row row;
    for (std::size_t c = 0; c < rows[0].size() && c < rows[r].size(); ++c)
      row[rows[0][c]] = rows[r][c];
    out.push_back(row);
  }
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class Audit {
 public:
  // A synthetic partnership, imported; the default template; two auditors per agency, two QA
  // leads, an admin and a board member; an audit of `cases` cases, sampled and assigned, the
  // first `flagged` of them drawn from children with flags.
  explicit Audit(int cases = 4, bool dual = false, int flagged = 0) {
    REQUIRE(pa({"synth", "--seed", "5", "--children", "80", "--out", dir_ / "synth"}).status == 0);
    REQUIRE(cli({"init", "--partnership", dir_ / "synth/partnership.json"}).status == 0);
    std::vector<std::string> import{"import"};
    for (const auto& a : kAgencies)
      import.push_back(dir_ / ("synth/events-" + a + ".csv"));
    REQUIRE(cli(import).status == 0);
    REQUIRE(
        cli({"templates", "import",
             std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/csa-response-pathway/1.json"})
            .status == 0);
    for (const auto& a : kAgencies) {
      std::string lower;
      for (char c : a)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (const char* n : {"1", "2"})
        add_user(lower + "." + n, "auditor", a);
    }
    add_user("qa", "qa_lead");
    add_user("qa.two", "qa_lead");
    add_user("admin", "admin");
    add_user("board", "board");
    std::vector<std::string> create{"audit",          "create",     "--title",
                                    "Reviews",        "--template", "csa-response-pathway",
                                    "--period-start", "2022-01-01", "--period-end",
                                    "2027-12-31"};
    if (dual)
      create.push_back("--dual-review");
    REQUIRE(cli(create).status == 0);
    REQUIRE(cli({"sample", "--audit", "1", "--size", std::to_string(cases), "--seed", "3",
                 "--include-flagged", std::to_string(flagged)})
                .status == 0);
    auto r = cli({"assign", "--audit", "1", "--qa-lead", "qa"});
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  std::string data() const { return dir_ / "data"; }
  std::string path(const std::string& name) const { return dir_ / name; }

  RunResult pa(std::vector<std::string> args) const { return run_pathaudit(std::move(args)); }
  RunResult cli(std::vector<std::string> args) const {
    args.push_back("--data-dir");
    args.push_back(data());
    return run_pathaudit(std::move(args));
  }
  RunResult as(const std::string& user, std::vector<std::string> args) const {
    args.push_back("--as");
    args.push_back(user);
    return cli(std::move(args));
  }
  RunResult sh(const std::string& command) const { return run({"/bin/sh", "-c", command}); }

  void add_user(const std::string& name, const std::string& role, const std::string& agency = "") {
    std::string cmd = "printf '%s\\n' " + shell_quote(kPassword) + " | " +
                      shell_quote(PATHAUDIT_BINARY) + " users add --data-dir " +
                      shell_quote(data()) + " --username " + name + " --display-name " +
                      shell_quote("Test " + name) + " --role " + role + " --password-stdin";
    if (!agency.empty())
      cmd += " --agency " + agency;
    auto r = sh(cmd);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  std::vector<Row> reviews(const std::string& user = "") const {
    std::vector<std::string> args{"review", "list", "--format", "csv"};
    auto r = user.empty() ? cli(args) : as(user, args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return parse_csv(r.out);
  }
  Row review(const std::string& id) const {
    for (const auto& r : reviews()) {
      if (r.at("id") == id)
        return r;
    }
    FAIL("no review " + id);
    return {};
  }
  std::string state(const std::string& id) const { return review(id).at("state"); }

  // Writes a complete answers file for the review (scripts/demo-answers over `review form`) and
  // returns its path.
  std::string answers_file(const Row& r, int variant = 0) const {
    const std::string file =
        path("answers-" + r.at("id") + "-" + std::to_string(variant) + ".json");
    auto res = sh(shell_quote(PATHAUDIT_BINARY) + " review form " + r.at("id") + " --data-dir " +
                  shell_quote(data()) + " --as " + r.at("auditor") + " --format json | " +
                  "/usr/bin/python3 " + shell_quote(kFill) + " --variant " +
                  std::to_string(variant) + " > " + shell_quote(file));
    INFO(res.err);
    REQUIRE(res.status == 0);
    return file;
  }

  // Answers, submits and accepts every return (slot 2 answers with another variant).
  void complete_all() const {
    for (const auto& r : reviews()) {
      const std::string file = answers_file(r, r.at("slot") == "2" ? 1 : 0);
      REQUIRE(as(r.at("auditor"), {"review", "answer", r.at("id"), "--file", file}).status == 0);
      REQUIRE(as(r.at("auditor"), {"review", "submit", r.at("id")}).status == 0);
      REQUIRE(as("qa", {"review", "accept", r.at("id")}).status == 0);
    }
  }

  std::string sql(const std::string& query) const {
    return pathaudit::testing::query_db(data() + "/pathaudit.db", query);
  }

  // Every file in the data directory, concatenated: where plaintext must never be.
  std::string everything_on_disk() const {
    std::string all;
    for (const auto& e : std::filesystem::recursive_directory_iterator(data())) {
      if (e.is_regular_file())
        all += read_file(e.path().string());
    }
    return all;
  }

 private:
  TempDir dir_;
};

Poco::JSON::Object::Ptr json_object(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

TEST_CASE("a return goes through every state, with comments from the QA lead", "[reviews]") {
  Audit a;
  const Row first = a.reviews().front();
  const std::string id = first.at("id"), auditor = first.at("auditor");
  CHECK(first.at("state") == "assigned");

  // Nothing to submit yet.
  auto r = a.as(auditor, {"review", "submit", id});
  CHECK(r.status == 1);
  CHECK_THAT(r.err,
             Catch::Contains("cannot submit a review that is assigned with no answers saved"));

  // A partial save leaves required questions; submit names them and stores nothing.
  write_file(a.path("partial.json"),
             R"({"answers": {"concern_arises.recognised_as_csa": "yes",
                 "concern_arises.good_practice": "Referred on the same day."}})");
  r = a.as(auditor, {"review", "answer", id, "--file", a.path("partial.json")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("2 answers saved"));
  CHECK(a.state(id) == "in_progress");
  r = a.as(auditor, {"review", "submit", id});
  CHECK(r.status == 65);
  CHECK_THAT(r.err, Catch::Contains("concern_arises.how_arose: required, not answered"));
  CHECK(a.state(id) == "in_progress");

  // Complete, submit; a QA lead cannot answer it, an auditor cannot accept it.
  const std::string full = a.answers_file(first);
  REQUIRE(a.as(auditor, {"review", "answer", id, "--file", full}).status == 0);
  r = a.as("qa", {"review", "answer", id, "--file", full});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("only the auditor assigned"));
  REQUIRE(a.as(auditor, {"review", "submit", id}).status == 0);
  CHECK(a.state(id) == "submitted");
  r = a.as(auditor, {"review", "accept", id});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("is for QA leads"));
  // Submitted work is not edited until it is returned.
  r = a.as(auditor, {"review", "answer", id, "--file", full});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot save a review that is submitted"));

  // Returned with a comment on one question; the auditor sees it.
  const std::string comment = "Say what the grade rests on: which records?";
  write_file(a.path("comments.json"),
             R"({"comments": {"concern_arises.grade": ")" + comment + R"("}})");
  r = a.as("qa", {"review", "return", id, "--file", a.path("comments.json")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(a.state(id) == "returned");
  CHECK(a.review(id).at("returned") == "1");
  r = a.as(auditor, {"review", "show", id, "--format", "json"});
  REQUIRE(r.status == 0);
  const auto shown = json_object(r.out);
  bool found = false;
  for (const auto& v : *shown->getArray("answers")) {
    const auto x = v.extract<Poco::JSON::Object::Ptr>();
    if (x->getValue<std::string>("question") == "concern_arises.grade") {
      CHECK(x->getValue<std::string>("comment") == comment);
      found = true;
    }
  }
  CHECK(found);

  // Revised and resubmitted, then accepted; accepted work changes no more.
  write_file(a.path("fix.json"), R"({"answers": {"concern_arises.grade": "requires_improvement",
      "concern_arises.evidence": {"value": "Case notes, March.", "tags": ["recording"]}}})");
  REQUIRE(a.as(auditor, {"review", "answer", id, "--file", a.path("fix.json")}).status == 0);
  CHECK(a.state(id) == "returned");
  REQUIRE(a.as(auditor, {"review", "submit", id}).status == 0);
  CHECK(a.state(id) == "resubmitted");
  REQUIRE(a.as("qa", {"review", "accept", id}).status == 0);
  CHECK(a.state(id) == "accepted");
  r = a.as(auditor, {"review", "answer", id, "--file", full});
  CHECK(r.status == 1);
  r = a.as("qa", {"review", "accept", id});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot accept a review that is accepted"));

  // Every act is in the audit log by object only, and the chain verifies.
  const std::string log = a.sql("SELECT action || ' ' || object FROM audit_log");
  for (const char* act :
       {"review.save", "review.submit", "review.return", "review.accept", "review.read"})
    CHECK_THAT(log, Catch::Contains(std::string(act) + " review:" + id));
  CHECK(a.cli({"verify-log"}).status == 0);
}

TEST_CASE("answers files that do not fit the template are refused whole, naming the path",
          "[reviews]") {
  Audit a;
  const Row r = a.reviews().front();
  const std::string id = r.at("id"), auditor = r.at("auditor");
  const std::string secret = "Synthetic secret remark about a child";
  write_file(a.path("bad.json"), R"({"answers": {
      "concern_arises.recognised_as_csa": "perhaps",
      "concern_arises.grade": "excellent",
      "concern_arises.good_practice": ")" +
                                     secret + R"(",
      "no_such.question": "x",
      "concern_arises.first_recorded": 42}})");
  auto res = a.as(auditor, {"review", "answer", id, "--file", a.path("bad.json")});
  CHECK(res.status == 65);
  CHECK_THAT(res.err, Catch::Contains("$.answers['concern_arises.first_recorded']"));
  // The shape error stops reading; fix it and the template errors are all listed.
  write_file(a.path("bad.json"), R"({"answers": {
      "concern_arises.recognised_as_csa": "perhaps",
      "concern_arises.grade": "excellent",
      "concern_arises.good_practice": ")" +
                                     secret + R"(",
      "no_such.question": "x"}})");
  res = a.as(auditor, {"review", "answer", id, "--file", a.path("bad.json")});
  CHECK(res.status == 65);
  CHECK_THAT(res.err, Catch::Contains("bad.json: $.answers['concern_arises.recognised_as_csa']: "
                                      "expected yes, no or na"));
  CHECK_THAT(res.err, Catch::Contains("$.answers['concern_arises.grade']: expected a grade on the "
                                      "ofsted scale"));
  CHECK_THAT(res.err, Catch::Contains("$.answers['no_such.question']: not a question"));
  CHECK(res.err.find(secret) == std::string::npos);
  CHECK(res.err.find("perhaps") == std::string::npos);
  // All or nothing: the valid answer in the file was not saved either.
  CHECK(a.state(id) == "assigned");
  CHECK(a.sql("SELECT count(*) FROM answers") == "0\n");
  // Not JSON at all, and an unknown member.
  write_file(a.path("bad.json"), "{\"answers\": ");
  res = a.as(auditor, {"review", "answer", id, "--file", a.path("bad.json")});
  CHECK(res.status == 65);
  CHECK_THAT(res.err, Catch::Contains("not valid JSON"));
  write_file(a.path("bad.json"), R"({"answer": {}})");
  res = a.as(auditor, {"review", "answer", id, "--file", a.path("bad.json")});
  CHECK(res.status == 65);
  CHECK_THAT(res.err, Catch::Contains("$.answer: unknown member"));

  // A section marked not applicable needs no answers, and takes none.
  write_file(a.path("na.json"), R"({"not_applicable": ["police_investigation"],
      "answers": {"police_investigation.grade": "good"}})");
  res = a.as(auditor, {"review", "answer", id, "--file", a.path("na.json")});
  CHECK(res.status == 65);
  CHECK_THAT(res.err, Catch::Contains("section police_investigation is marked not applicable"));
  const std::string full = a.answers_file(r);
  REQUIRE(a.as(auditor, {"review", "answer", id, "--file", full}).status == 0);
  write_file(a.path("na.json"), R"({"not_applicable": ["police_investigation", "medical"]})");
  res = a.as(auditor, {"review", "answer", id, "--file", a.path("na.json")});
  INFO(res.err);
  REQUIRE(res.status == 0);
  CHECK_THAT(res.out, Catch::Contains("cleared"));
  CHECK(a.sql("SELECT not_applicable FROM reviews WHERE id = " + id) ==
        "police_investigation,medical\n");
  CHECK(a.as(auditor, {"review", "submit", id}).status == 0);
}

TEST_CASE("an auditor reaches only their own returns, admins and board members none", "[reviews]") {
  Audit a;
  const auto all = a.reviews();
  REQUIRE(all.size() >= 4);
  std::map<std::string, std::set<std::string>> by_auditor;
  for (const auto& r : all)
    by_auditor[r.at("auditor")].insert(r.at("id"));
  const std::string mine = all.front().at("auditor");
  // Their list is exactly their assignments, whatever they filter on.
  std::set<std::string> listed;
  for (const auto& r : a.reviews(mine))
    listed.insert(r.at("id"));
  CHECK(listed == by_auditor[mine]);
  auto r = a.as(mine, {"review", "list", "--assignee", "qa", "--format", "csv"});
  REQUIRE(r.status == 0);
  CHECK(parse_csv(r.out).size() == by_auditor[mine].size());

  // Another's return answers exactly as a return that does not exist.
  std::string other;
  for (const auto& row : all) {
    if (row.at("auditor") != mine) {
      other = row.at("id");
      break;
    }
  }
  REQUIRE(!other.empty());
  const auto theirs = a.as(mine, {"review", "show", other});
  const auto none = a.as(mine, {"review", "show", "99999"});
  CHECK(theirs.status == 1);
  CHECK(theirs.err == "pathaudit: no review " + other + " (see `pathaudit review list`)\n");
  CHECK(none.err == "pathaudit: no review 99999 (see `pathaudit review list`)\n");
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"review", "form", other},
           {"review", "submit", other},
           {"review", "answer", other, "--file", a.answers_file(all.front())}}) {
    auto res = a.as(mine, cmd);
    CHECK(res.status == 1);
    CHECK_THAT(res.err, Catch::Contains("no review " + other));
  }
  write_file(a.path("concern.txt"), "Synthetic concern");
  CHECK(a.as(mine, {"review", "concern", other, "--file", a.path("concern.txt")}).status == 1);

  // Flags: only those of the auditor's cases are listed or decided.
  auto own_flags = a.as(mine, {"flags", "--format", "csv"});
  REQUIRE(own_flags.status == 0);
  const std::string own_children = a.sql(
      "SELECT DISTINCT ch.display_key FROM assignments x JOIN users u ON u.id = x.user_id "
      "JOIN sample_cases c ON c.id = x.sample_case_id JOIN children ch ON ch.id = c.child_id "
      "WHERE u.username = '" +
      mine + "'");
  for (const auto& f : parse_csv(own_flags.out))
    CHECK_THAT(own_children, Catch::Contains(f.at("child_key")));
  const std::string foreign_flag = a.sql(
      "SELECT f.id FROM flags f WHERE f.child_id NOT IN (SELECT c.child_id FROM "
      "assignments x JOIN users u ON u.id = x.user_id JOIN sample_cases c ON "
      "c.id = x.sample_case_id WHERE u.username = '" +
      mine + "') LIMIT 1");
  if (!foreign_flag.empty()) {
    write_file(a.path("reason.txt"), "Synthetic reason");
    auto res = a.as(mine, {"flags", "dismiss", foreign_flag.substr(0, foreign_flag.size() - 1),
                           "--reason-file", a.path("reason.txt")});
    CHECK(res.status == 1);
    CHECK_THAT(res.err, Catch::Contains("does not exist"));
  }

  // Admins and board members see no case content at all.
  for (const char* who : {"admin", "board"}) {
    for (const auto& cmd : std::vector<std::vector<std::string>>{
             {"review", "list"}, {"review", "show", other}, {"flags"}, {"actions", "list"}}) {
      auto res = a.as(who, cmd);
      INFO(who << " " << cmd.front() << " " << cmd.back());
      CHECK(res.status == 1);
      CHECK(res.out.empty());
    }
  }
  // QA lead work is refused to auditors.
  CHECK(a.as(mine, {"review", "concerns"}).status == 1);
  CHECK(a.as(mine, {"review", "case", all.front().at("case")}).status == 1);
  CHECK(a.as(mine, {"audit", "collate", "1"}).status == 1);
  // A disabled account acts no more.
  REQUIRE(a.cli({"users", "disable", mine}).status == 0);
  auto res = a.as(mine, {"review", "list"});
  CHECK(res.status == 1);
  CHECK_THAT(res.err, Catch::Contains("disabled"));
}

TEST_CASE("a case is discussed, moderated and locked once its returns are accepted", "[reviews]") {
  Audit a(3);
  const auto all = a.reviews();
  // A case with two returns or more, so that moderating one leaves another as it was. Which
  // children are sampled follows the fresh pseudonym key; a child known to one agency only has
  // one return.
  std::string case_id;
  std::vector<Row> returns;
  for (const auto& candidate : all) {
    returns.clear();
    for (const auto& r : all) {
      if (r.at("case") == candidate.at("case"))
        returns.push_back(r);
    }
    if (returns.size() >= 2) {
      case_id = candidate.at("case");
      break;
    }
  }
  REQUIRE(!case_id.empty());
  const std::string learning = "Synthetic learning: ABE summaries reached CSC two days late.";
  const std::string action = "Synthetic action: a same-day route for ABE summaries.";
  write_file(a.path("discussion.json"),
             R"({"held_on": "2026-11-20", "attendees": ["CSC", "POLICE"],
                 "grades": {"2.2": "requires_improvement", "2.4": "good"},
                 "learning": ")" +
                 learning +
                 R"(", "learning_tags": ["information_sharing"], "learning_board_safe": true,
                 "actions": [{"description": ")" +
                 action + R"(", "owner": "POLICE",
                              "due": "2026-01-31"}]})");
  // Not before every return is accepted, and the refusal says which are not.
  auto r = a.as("qa", {"review", "discuss", case_id, "--file", a.path("discussion.json")});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot be discussed until every return is accepted"));
  CHECK_THAT(r.err, Catch::Contains("review " + returns.front().at("id") + " (" +
                                    returns.front().at("agency") + ") is assigned"));
  // Moderation and locking wait for the discussion.
  CHECK_THAT(a.as("qa", {"review", "moderate", case_id}).err,
             Catch::Contains("cannot moderate a case that is open"));
  CHECK_THAT(a.as("qa", {"review", "lock", case_id}).err,
             Catch::Contains("cannot lock a case that is open"));

  // Each return answered, submitted and accepted; the grades the files gave, kept for later.
  std::map<std::string, std::string> given;  // review id -> concern_arises.grade
  for (const auto& row : returns) {
    const std::string file = a.answers_file(row);
    given[row.at("id")] = json_object(read_file(file))
                              ->getObject("answers")
                              ->getValue<std::string>("concern_arises.grade");
    REQUIRE(a.as(row.at("auditor"), {"review", "answer", row.at("id"), "--file", file}).status ==
            0);
    REQUIRE(a.as(row.at("auditor"), {"review", "submit", row.at("id")}).status == 0);
    REQUIRE(a.as("qa", {"review", "accept", row.at("id")}).status == 0);
  }
  // Bad discussion input is refused whole, naming each path.
  write_file(a.path("bad-discussion.json"),
             R"({"held_on": "2026-11-20", "attendees": ["CSC", "MARS"],
                 "grades": {"9.9": "good", "2.2": "brilliant"}, "learning": "x",
                 "actions": [{"description": " ", "owner": "POLICE"}]})");
  r = a.as("qa", {"review", "discuss", case_id, "--file", a.path("bad-discussion.json")});
  CHECK(r.status == 65);
  CHECK_THAT(r.err, Catch::Contains("$.attendees[1]: expected an agency code"));
  CHECK_THAT(r.err, Catch::Contains("$.grades['9.9']: not a stage"));
  CHECK_THAT(r.err, Catch::Contains("$.grades['2.2']: expected a grade on the ofsted scale"));
  CHECK_THAT(r.err, Catch::Contains("$.actions[0].description: text is blank"));
  r = a.as("qa", {"review", "discuss", case_id, "--file", a.path("discussion.json")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("1 actions added"));
  // Only QA leads discuss.
  CHECK(a.as(returns.front().at("auditor"),
             {"review", "discuss", case_id, "--file", a.path("discussion.json")})
            .status == 1);

  // Moderation: a changed grade needs a rationale; grades not listed stand as given.
  const std::string target = returns.front().at("id");
  const std::string changed = given[target] == "inadequate" ? "good" : "inadequate";
  write_file(a.path("moderation.json"), R"({"grades": [{"review": )" + target +
                                            R"(, "question": "concern_arises.grade", "grade": ")" +
                                            changed + R"("}]})");
  r = a.as("qa", {"review", "moderate", case_id, "--file", a.path("moderation.json")});
  CHECK(r.status == 65);
  CHECK_THAT(r.err, Catch::Contains("moderation.json: $.grades[0]: the moderated grade differs"));
  const std::string rationale = "Synthetic rationale: the records show no follow-up visit.";
  write_file(a.path("moderation.json"), R"({"grades": [{"review": )" + target +
                                            R"(, "question": "concern_arises.grade", "grade": ")" +
                                            changed + R"(", "rationale": ")" + rationale +
                                            R"("}]})");
  r = a.as("qa", {"review", "moderate", case_id, "--file", a.path("moderation.json")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("1 differ from the auditor's"));
  // The auditor's grade is kept apart from the moderated one.
  CHECK(a.sql("SELECT auditor_grade || '|' || moderated_grade FROM answers WHERE review_id = " +
              target + " AND question_id = 'concern_arises.grade'") ==
        given[target] + "|" + changed + "\n");
  const std::string other = returns.back().at("id");
  CHECK(a.sql("SELECT moderated_grade FROM answers WHERE review_id = " + other +
              " AND question_id = 'concern_arises.grade'") == given[other] + "\n");
  // Moderating again without that grade keeps what was decided for it.
  REQUIRE(a.as("qa", {"review", "moderate", case_id}).status == 0);
  CHECK(a.sql("SELECT moderated_grade FROM answers WHERE review_id = " + target +
              " AND question_id = 'concern_arises.grade'") == changed + "\n");

  // Locked: the case and its returns change no more.
  REQUIRE(a.as("qa", {"review", "lock", case_id}).status == 0);
  for (const auto& row : returns)
    CHECK(a.state(row.at("id")) == "locked");
  CHECK(a.as("qa", {"review", "moderate", case_id}).status == 1);
  CHECK(a.as("qa", {"review", "discuss", case_id, "--file", a.path("discussion.json")}).status ==
        1);
  r = a.as(returns.front().at("auditor"),
           {"review", "answer", target, "--file", a.answers_file(returns.front())});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot save a review that is locked"));
  auto shown = a.as("qa", {"review", "case", case_id, "--format", "csv"});
  REQUIRE(shown.status == 0);
  std::map<std::string, std::string> fields;
  for (const auto& row : parse_csv(shown.out))
    fields[row.at("field")] = row.at("value");
  CHECK(fields["state"] == "locked");
  CHECK(fields["learning"] == learning);
  CHECK(fields["agreed_grades"] == "2.2=requires_improvement;2.4=good");
  CHECK(fields["attendees"] == "CSC;POLICE");
  CHECK(fields["learning_board_safe"] == "yes");

  // The action from the discussion is overdue; done, it is not.
  auto actions = parse_csv(a.as("qa", {"actions", "list", "--overdue", "--format", "csv"}).out);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].at("description") == action);
  CHECK(actions[0].at("owner") == "POLICE");
  CHECK(actions[0].at("case") == case_id);
  REQUIRE(a.as("qa", {"actions", "update", actions[0].at("id"), "--status", "done"}).status == 0);
  CHECK(parse_csv(a.as("qa", {"actions", "list", "--overdue", "--format", "csv"}).out).empty());
  // An auditor of another agency sees none of POLICE's actions.
  CHECK(parse_csv(a.as("csc.1", {"actions", "list", "--format", "csv"}).out).empty());

  // Free text never reaches the disk in clear.
  const std::string disk = a.everything_on_disk();
  for (const std::string& text :
       {learning, action, rationale, std::string("Synthetic demo finding for concern_arises.")})
    CHECK(disk.find(text) == std::string::npos);
  CHECK(a.cli({"verify-log"}).status == 0);
}

TEST_CASE("a live safeguarding concern reaches every QA lead at once", "[reviews]") {
  Audit a;
  const Row r = a.reviews().front();
  const std::string concern =
      "Synthetic concern: the child may still be in contact with the "
      "person of concern.";
  write_file(a.path("concern.txt"), concern);
  auto res =
      a.as(r.at("auditor"), {"review", "concern", r.at("id"), "--file", a.path("concern.txt")});
  INFO(res.err);
  REQUIRE(res.status == 0);
  CHECK_THAT(res.out, Catch::Contains("escalated to 2 QA leads"));
  CHECK(a.sql("SELECT u.username FROM notifications n JOIN users u ON u.id = n.user_id "
              "WHERE n.read_at IS NULL ORDER BY u.username") == "qa\nqa.two\n");
  // Whatever a QA lead runs next tells them; an auditor is not told.
  CHECK_THAT(a.as("qa.two", {"review", "list"}).err,
             Catch::Contains("1 live safeguarding concern has not been read yet"));
  CHECK(a.as(r.at("auditor"), {"review", "list"}).err.empty());
  // QA leads read it; the audit log records that, never the words.
  auto list = a.as("qa", {"review", "concerns", "--format", "csv"});
  REQUIRE(list.status == 0);
  const auto rows = parse_csv(list.out);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].at("description") == concern);
  CHECK(rows[0].at("status") == "open");
  CHECK_THAT(rows[0].at("raised_by"), Catch::StartsWith("user:" + r.at("auditor") + " via cli:"));
  CHECK(a.sql("SELECT count(*) FROM notifications WHERE read_at IS NULL") == "1\n");
  const std::string log = a.sql("SELECT action || ' ' || outcome FROM audit_log");
  CHECK_THAT(log,
             Catch::Contains("concern.raise ok: review " + r.at("id") + ", 2 QA leads notified"));
  CHECK(log.find("the person of concern") == std::string::npos);
  CHECK(a.everything_on_disk().find(concern) == std::string::npos);
  // Acknowledged once; the list of open concerns is then empty.
  REQUIRE(a.as("qa", {"review", "acknowledge", rows[0].at("id")}).status == 0);
  CHECK(a.as("qa.two", {"review", "acknowledge", rows[0].at("id")}).status == 1);
  CHECK(parse_csv(a.as("qa", {"review", "concerns", "--format", "csv"}).out).empty());
  CHECK(parse_csv(a.as("qa", {"review", "concerns", "--all", "--format", "csv"}).out).size() == 1);
  // A blank concern is refused.
  write_file(a.path("blank.txt"), " \n");
  CHECK(a.as(r.at("auditor"), {"review", "concern", r.at("id"), "--file", a.path("blank.txt")})
            .status == 65);
}

TEST_CASE("flags are confirmed and dismissed from the case's review", "[reviews]") {
  // Which children are sampled follows the fresh pseudonym key: without a flagged child drawn
  // first, now and then no case had a flag.
  Audit a(6, false, 1);
  // A review whose case has a flag.
  const std::string pick = a.sql(
      "SELECT r.id || '|' || f.id || '|' || u.username FROM reviews r "
      "JOIN assignments x ON x.id = r.assignment_id JOIN users u ON u.id = x.user_id "
      "JOIN sample_cases c ON c.id = x.sample_case_id JOIN flags f ON f.child_id = c.child_id "
      "ORDER BY r.id, f.id LIMIT 1");
  REQUIRE(!pick.empty());
  const std::string review = pick.substr(0, pick.find('|'));
  const std::string rest = pick.substr(pick.find('|') + 1);
  const std::string flag = rest.substr(0, rest.find('|'));
  const std::string auditor = rest.substr(rest.find('|') + 1, rest.size() - rest.find('|') - 2);
  auto shown = a.as(auditor, {"review", "show", review, "--format", "json"});
  REQUIRE(shown.status == 0);
  const auto flags = json_object(shown.out)->getArray("flags");
  REQUIRE(flags->size() >= 1);
  write_file(a.path("reason.txt"), "Synthetic reason: the sharing is recorded on paper.\n");
  auto r = a.as(auditor, {"review", "flag", review, flag, "--status", "dismissed", "--reason-file",
                          a.path("reason.txt")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(a.sql("SELECT status FROM flags WHERE id = " + flag) == "dismissed\n");
  CHECK(a.everything_on_disk().find("recorded on paper") == std::string::npos);
  // A flag of another child is not this review's to decide.
  const std::string foreign = a.sql(
      "SELECT f.id FROM flags f WHERE f.child_id <> (SELECT c.child_id FROM reviews r "
      "JOIN assignments x ON x.id = r.assignment_id JOIN sample_cases c ON c.id = x.sample_case_id "
      "WHERE r.id = " +
      review + ") LIMIT 1");
  if (!foreign.empty()) {
    r = a.as(auditor, {"review", "flag", review, foreign.substr(0, foreign.size() - 1), "--status",
                       "confirmed", "--reason-file", a.path("reason.txt")});
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("case (see `pathaudit review show`)"));
  }
}

namespace {

// question id -> stage, from the shipped template (read independently of pathaudit).
std::map<std::string, std::string> question_stages() {
  Poco::JSON::Parser parser;
  const auto t = parser
                     .parse(read_file(std::string(PATHAUDIT_SOURCE_DIR) +
                                      "/audit-templates/csa-response-pathway/1.json"))
                     .extract<Poco::JSON::Object::Ptr>();
  std::map<std::string, std::string> out;
  for (const auto& s : *t->getArray("sections")) {
    for (const auto& q : *s.extract<Poco::JSON::Object::Ptr>()->getArray("questions")) {
      const auto o = q.extract<Poco::JSON::Object::Ptr>();
      if (o->getValue<std::string>("type") == "grade")
        out[o->getValue<std::string>("id")] = o->getValue<std::string>("stage");
    }
  }
  return out;
}

std::map<std::string, std::string> grades_in(const std::string& answers_file,
                                             const std::map<std::string, std::string>& stages) {
  std::map<std::string, std::string> out;
  const auto answers = json_object(read_file(answers_file))->getObject("answers");
  for (const auto& [q, stage] : stages) {
    if (answers->has(q))
      out[q] = answers->getValue<std::string>(q);
  }
  return out;
}

}  // namespace

TEST_CASE("blind dual review: two auditors per return, their agreement, and collation",
          "[reviews]") {
  Audit a(3, /*dual=*/true);
  const auto all = a.reviews();
  // Every (case, agency) has two returns for two different auditors.
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> slots;
  for (const auto& r : all)
    slots[{r.at("case"), r.at("agency")}][r.at("slot")] = r.at("auditor");
  REQUIRE(slots.size() * 2 == all.size());
  for (const auto& [key, by_slot] : slots) {
    REQUIRE(by_slot.size() == 2);
    CHECK(by_slot.at("1") != by_slot.at("2"));
  }
  // The second reviewer cannot see the first's return.
  for (const auto& r : all) {
    if (r.at("slot") != "1")
      continue;
    const auto second = slots[{r.at("case"), r.at("agency")}].at("2");
    CHECK(a.as(second, {"review", "show", r.at("id")}).status == 1);
    break;
  }

  // Expected figures from the answers files themselves.
  const auto stages = question_stages();
  std::map<std::tuple<std::string, std::string, std::string>, int>
      expected;  // stage, agency, grade
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> firsts, seconds;
  for (const auto& r : all) {
    const std::string file = a.answers_file(r, r.at("slot") == "2" ? 1 : 0);
    const auto grades = grades_in(file, stages);
    for (const auto& [q, g] : grades) {
      if (r.at("slot") == "1")
        ++expected[{stages.at(q), r.at("agency"), g}];
      (r.at("slot") == "1" ? firsts : seconds)[{r.at("case"), r.at("agency")}][q] = g;
    }
    REQUIRE(a.as(r.at("auditor"), {"review", "answer", r.at("id"), "--file", file}).status == 0);
    REQUIRE(a.as(r.at("auditor"), {"review", "submit", r.at("id")}).status == 0);
    REQUIRE(a.as("qa", {"review", "accept", r.at("id")}).status == 0);
  }
  auto res = a.as("qa", {"audit", "collate", "1", "--format", "csv"});
  INFO(res.err);
  REQUIRE(res.status == 0);
  std::map<std::tuple<std::string, std::string, std::string>, int> got;
  std::map<std::string, std::string> overall;
  for (const auto& row : parse_csv(res.out)) {
    if (row.at("measure") == "grade")
      got[{row.at("stage"), row.at("agency"), row.at("category")}] = std::stoi(row.at("value"));
    if (row.at("category") == "overall")
      overall[row.at("measure")] = row.at("value");
    if (row.at("measure") == "returns" && row.at("category") == "counted")
      CHECK(row.at("value") == std::to_string(slots.size()));
  }
  CHECK(got == expected);

  // Agreement computed here from the two files of each return.
  int pairs = 0, agreed = 0;
  std::map<std::string, std::pair<int, int>> marginals;
  for (const auto& [key, grades] : firsts) {
    for (const auto& [q, g] : grades) {
      const auto other = seconds[key].find(q);
      if (other == seconds[key].end())
        continue;
      ++pairs;
      agreed += g == other->second ? 1 : 0;
      ++marginals[g].first;
      ++marginals[other->second].second;
    }
  }
  REQUIRE(pairs > 0);
  double pe = 0;
  for (const auto& [g, m] : marginals)
    pe += (double(m.first) / pairs) * (double(m.second) / pairs);
  const double po = double(agreed) / pairs;
  char percent[32], kappa[32];
  std::snprintf(percent, sizeof percent, "%.1f", 100.0 * po);
  std::snprintf(kappa, sizeof kappa, "%.3f", (po - pe) / (1 - pe));
  CHECK(overall["agreement_pairs"] == std::to_string(pairs));
  CHECK(overall["agreement_percent"] == percent);
  CHECK(overall["kappa"] == kappa);
  // The variants disagree on some grades, so the agreement is neither perfect nor absent.
  CHECK(agreed > 0);
  CHECK(agreed < pairs);

  // A re-audit on the same template compares stage by stage with the first.
  REQUIRE(a.cli({"audit", "create", "--title", "Re-audit", "--template", "csa-response-pathway",
                 "--period-start", "2022-01-01", "--period-end", "2027-12-31"})
              .status == 0);
  REQUIRE(a.cli({"sample", "--audit", "2", "--size", "2", "--seed", "9"}).status == 0);
  REQUIRE(a.cli({"assign", "--audit", "2", "--qa-lead", "qa"}).status == 0);
  std::map<std::pair<std::string, std::string>, int> second_expected;  // stage, grade
  for (const auto& r : a.reviews()) {
    if (r.at("audit") != "2")
      continue;
    const std::string file = a.answers_file(r, 2);
    for (const auto& [q, g] : grades_in(file, stages))
      ++second_expected[{stages.at(q), g}];
    REQUIRE(a.as(r.at("auditor"), {"review", "answer", r.at("id"), "--file", file}).status == 0);
    REQUIRE(a.as(r.at("auditor"), {"review", "submit", r.at("id")}).status == 0);
    REQUIRE(a.as("qa", {"review", "accept", r.at("id")}).status == 0);
  }
  res = a.as("qa", {"audit", "compare", "1", "2", "--format", "csv"});
  INFO(res.err);
  REQUIRE(res.status == 0);
  int rows = 0;
  for (const auto& row : parse_csv(res.out)) {
    ++rows;
    int first = 0;
    for (const auto& [k, n] : expected) {
      if (std::get<0>(k) == row.at("stage") && std::get<2>(k) == row.at("grade"))
        first += n;
    }
    CHECK(row.at("first_count") == std::to_string(first));
    CHECK(row.at("second_count") ==
          std::to_string(second_expected[{row.at("stage"), row.at("grade")}]));
  }
  CHECK(rows > 20);
  // Only QA leads collate.
  CHECK(a.as("csc.1", {"audit", "compare", "1", "2"}).status == 1);
}
