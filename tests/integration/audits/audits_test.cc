// Audits, sampling, assignment and users, end to end: the real pathaudit binary on a synthetic
// partnership (`pathaudit synth`, `init`, `import`) in a temporary directory. Expected values come
// from independent readers of the database: Debian's sqlite3 and population.py (Python's sqlite3
// module), never from the code under test.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/password.h"
#include "store/database.h"
#include "store/templates.h"
#include "test_support.h"

using pathaudit::testing::read_file;
using pathaudit::testing::run;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::RunResult;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace {

const std::string kPopulationScript =
    std::string(PATHAUDIT_SOURCE_DIR) + "/tests/integration/audits/population.py";
const std::string kPassword = "correct horse battery staple";

// A synthetic partnership imported into a fresh data directory (unless asked not to import), with
// review template csa-response-pathway versions 1 and 2 stored directly (templates import is not
// under test).
class Partnership {
 public:
  explicit Partnership(int children = 300, std::uint64_t seed = 11, bool import_events = true) {
    auto r = run_pathaudit({"synth", "--seed", std::to_string(seed), "--children",
                            std::to_string(children), "--out", synth()});
    REQUIRE(r.status == 0);
    r = run_pathaudit(
        {"init", "--data-dir", dir(), "--partnership", synth() + "/partnership.json"});
    REQUIRE(r.status == 0);
    if (import_events)
      import();
    pathaudit::store::Database::Options options;
    options.path = db();
    auto database = pathaudit::store::Database::open(options);
    database->write([](pathaudit::store::Session& s) {
      for (int version : {1, 2}) {
        pathaudit::store::TemplateRecord t;
        t.key = "csa-response-pathway";
        t.version = version;
        t.title = "CSA response pathway audit";
        t.sha256 = std::string(64, '0');
        t.imported_at = "2025-01-01T00:00:00Z";
        pathaudit::store::insert_template(s, t, "{}");
      }
    });
  }

  // Imports every agency's file, in reverse order when asked (a second import updates, never
  // duplicates).
  void import(bool reverse = false) const { import_into(dir(), reverse); }
  void import_into(const std::string& data_dir, bool reverse) const {
    std::vector<std::string> files;
    for (const char* a :
         {"CAMHS", "CSC", "ED", "EH", "GP", "HV", "POLICE", "SARC", "SCHOOL", "VCS"})
      files.push_back(synth() + "/events-" + a + ".csv");
    if (reverse)
      std::reverse(files.begin(), files.end());
    files.insert(files.begin(), {"import", "--data-dir", data_dir});
    auto r = run_pathaudit(files);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  std::string synth() const { return tmp_ / "synth"; }
  std::string dir() const { return tmp_ / "data"; }
  std::string db() const { return dir() + "/pathaudit.db"; }
  const TempDir& tmp() const { return tmp_; }

  RunResult cli(std::vector<std::string> args) const { return cli_at(dir(), std::move(args)); }
  RunResult cli_at(const std::string& data_dir, std::vector<std::string> args) const {
    args.push_back("--data-dir");
    args.push_back(data_dir);
    return run_pathaudit(args);
  }

  // A copy of the data directory, same keys and all, in tmp()/name.
  std::string copy_data_dir(const std::string& name) const {
    const std::string to = tmp_ / name;
    std::filesystem::copy(dir(), to, std::filesystem::copy_options::recursive);
    return to;
  }

  // Runs pathaudit with `input` on standard input (through sh, so the password never appears on
  // a command line).
  RunResult cli_with_stdin(std::vector<std::string> args, const std::string& input) const {
    const std::string file = tmp_ / "stdin";
    write_file(file, input);
    std::vector<std::string> argv{"/bin/sh", "-c", "exec \"$0\" \"$@\" < \"$STDIN_FILE\"",
                                  PATHAUDIT_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--data-dir");
    argv.push_back(dir());
    return run(argv, {"STDIN_FILE=" + file});
  }

  void add_user(const std::string& username, const std::string& role,
                const std::string& agency = "") const {
    std::vector<std::string> args{
        "users",  "add", "--username",      username, "--display-name", "Test " + username,
        "--role", role,  "--password-stdin"};
    if (!agency.empty()) {
      args.push_back("--agency");
      args.push_back(agency);
    }
    auto r = cli_with_stdin(args, kPassword + "\n");
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  std::string sql(const std::string& query) const { return sql_at(db(), query); }
  std::string sql_at(const std::string& database, const std::string& query) const {
    auto r = run({"sqlite3", database, query});
    INFO(r.err);
    REQUIRE(r.status == 0);
    return r.out;
  }

  // population.py's reading of an audit.
  Poco::JSON::Object::Ptr population(int audit, const std::string& strata, int size) const {
    auto r = run(
        {PYTHON3, kPopulationScript, db(), std::to_string(audit), strata, std::to_string(size)});
    INFO(r.err);
    REQUIRE(r.status == 0);
    return Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
  }

 private:
  TempDir tmp_;
};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

// CSV output without its header, split into rows of cells (no quoting needed for these tables'
// sample and assignment rows).
std::vector<std::vector<std::string>> csv_rows(const std::string& out) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(out);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream l(line);
    while (std::getline(l, cell, ','))
      cells.push_back(cell);
    if (!line.empty() && line.back() == ',')
      cells.push_back("");
    rows.push_back(cells);
  }
  return rows;
}

// `audit show ID --format json` as field -> value.
std::map<std::string, std::string> show(const Partnership& p, int audit) {
  auto r = p.cli({"audit", "show", std::to_string(audit), "--format", "json"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto array = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Array::Ptr>();
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < array->size(); ++i) {
    auto o = array->getObject(static_cast<unsigned>(i));
    out[o->getValue<std::string>("field")] = o->getValue<std::string>("value");
  }
  return out;
}

void create_audit(const Partnership& p, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"audit",          "create",     "--title",
                                "CSA 2024",       "--template", "csa-response-pathway",
                                "--period-start", "2024-01-01", "--period-end",
                                "2024-12-31"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = p.cli(args);
  INFO(r.err);
  REQUIRE(r.status == 0);
}

RunResult sample(const Partnership& p, int audit, int size, const std::string& seed,
                 std::vector<std::string> extra = {}) {
  std::vector<std::string> args{
      "sample",   "--audit", std::to_string(audit), "--size", std::to_string(size), "--seed", seed,
      "--format", "csv"};
  args.insert(args.end(), extra.begin(), extra.end());
  return p.cli(args);
}

}  // namespace

TEST_CASE(
    "audit create stores the template version, period and scope, and list and show report them",
    "[audits]") {
  Partnership p(120);
  auto r = p.cli({"audit", "create", "--title", "Themed audit: CSA in the family", "--template",
                  "csa-response-pathway@1", "--period-start", "2024-01-01", "--period-end",
                  "2024-06-30", "--scope-category", "SAB,19C,SAB", "--scope-entry-point",
                  "school,gp", "--scope-flag", "duplicate_referral"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE_THAT(r.out, Catch::StartsWith("audit 1 created: template csa-response-pathway@1"));
  REQUIRE(trim(p.sql("SELECT t.version, a.period_start, a.period_end, a.scope FROM audits a "
                     "JOIN templates t ON t.id = a.template_id")) ==
          "1|2024-01-01|2024-06-30|{\"categories\":[\"19C\",\"SAB\"],\"entry_points\":[\"gp\","
          "\"school\"],\"flag_rules\":[\"duplicate_referral\"]}");
  // Without a version, the highest imported one.
  create_audit(p);
  REQUIRE(trim(p.sql("SELECT t.version, a.scope FROM audits a JOIN templates t ON "
                     "t.id = a.template_id WHERE a.id = 2")) == "2|{}");

  auto list = p.cli({"audit", "list", "--format", "csv"});
  REQUIRE(list.status == 0);
  const auto rows = csv_rows(list.out);
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[1][0] == "2");
  REQUIRE(rows[1][2] == "csa-response-pathway@2");
  REQUIRE_THAT(list.out, Catch::Contains("Themed audit: CSA in the family"));

  const auto s = show(p, 2);
  REQUIRE(s.at("template") == "csa-response-pathway@2");
  REQUIRE(s.at("period_end") == "2024-12-31");
  REQUIRE(s.at("sample_id").empty());
  REQUIRE(std::to_string(p.population(2, "none", 0)->getValue<int>("population")) ==
          s.at("population"));
  REQUIRE(trim(p.sql("SELECT action || ' ' || object FROM audit_log WHERE action = "
                     "'audit.create' ORDER BY seq")) ==
          "audit.create audit:1\naudit.create audit:2");

  // A stored scope that is not one is damage, reported with its JSON path, never half-read.
  p.sql("UPDATE audits SET scope = '{\"categories\":[\"SAB\",19]}' WHERE id = 1");
  auto damaged = p.cli({"audit", "list"});
  REQUIRE(damaged.status == 1);
  REQUIRE_THAT(damaged.err, Catch::Contains("damaged") && Catch::Contains("$.categories[1]"));
  p.sql("UPDATE audits SET scope = '{\"categorys\":[\"SAB\"]}' WHERE id = 1");
  REQUIRE(p.cli({"audit", "show", "1"}).status == 1);
}

TEST_CASE("audit create refuses what it cannot use, naming the fix", "[audits]") {
  Partnership p(20);
  auto base = [](std::string tmpl, std::string start, std::string end) {
    return std::vector<std::string>{"audit",        "create", "--title",        "T",
                                    "--template",   tmpl,     "--period-start", start,
                                    "--period-end", end};
  };
  auto r = p.cli(base("no-such-template", "2024-01-01", "2024-12-31"));
  REQUIRE(r.status == 1);
  REQUIRE_THAT(r.err, Catch::Contains("pathaudit templates import"));
  r = p.cli(base("csa-response-pathway@3", "2024-01-01", "2024-12-31"));
  REQUIRE(r.status == 1);
  REQUIRE_THAT(r.err, Catch::Contains("version 3"));
  r = p.cli(base("csa-response-pathway@x", "2024-01-01", "2024-12-31"));
  REQUIRE(r.status == 65);
  r = p.cli(base("csa-response-pathway", "2024-02-30", "2024-12-31"));
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("--period-start expects a date as YYYY-MM-DD"));
  r = p.cli(base("csa-response-pathway", "2024-12-31", "2024-01-01"));
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("ends (2024-01-01) before it starts (2024-12-31)"));
  auto bad_scope = base("csa-response-pathway", "2024-01-01", "2024-12-31");
  bad_scope.insert(bad_scope.end(), {"--scope-entry-point", "school,pub"});
  r = p.cli(bad_scope);
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("\"pub\""));
  bad_scope.back() = "school,,gp";
  REQUIRE(p.cli(bad_scope).status == 64);
  r = p.cli({"audit", "create", "--template", "csa-response-pathway", "--period-start",
             "2024-01-01", "--period-end", "2024-12-31"});
  REQUIRE(r.status == 64);
  REQUIRE_THAT(r.err, Catch::Contains("--title"));
  REQUIRE(trim(p.sql("SELECT count(*) FROM audits")) == "0");
  // Options are checked before the data directory is opened: a usage error stays a usage error
  // where there is no data directory.
  const std::string missing = p.tmp() / "no-such-data-dir";
  r = run_pathaudit({"audit", "create", "--template", "csa-response-pathway", "--period-start",
                     "2024-01-01", "--period-end", "2024-12-31", "--data-dir", missing});
  REQUIRE(r.status == 64);
  REQUIRE_THAT(r.err, Catch::Contains("--title"));
  REQUIRE(run_pathaudit({"audit", "show", "seven", "--data-dir", missing}).status == 64);
  REQUIRE(run_pathaudit({"audit", "list", "extra", "--data-dir", missing}).status == 64);
  REQUIRE(run_pathaudit(
              {"sample", "--audit", "1", "--size", "5", "--seed", "-1", "--data-dir", missing})
              .status == 64);
  REQUIRE(
      run_pathaudit({"assign", "--audit", "x", "--qa-lead", "qa", "--data-dir", missing}).status ==
      64);
  REQUIRE_FALSE(std::filesystem::exists(missing));
  r = p.cli({"audit", "show", "7"});
  REQUIRE(r.status == 1);
  REQUIRE_THAT(r.err, Catch::Contains("audit 7 does not exist"));
  REQUIRE(p.cli({"audit", "show", "seven"}).status == 64);
}

TEST_CASE("the population is the children with events in the period passing every scope filter",
          "[audits]") {
  Partnership p(300);
  // Flags of a rule of our own, so the rules engine's flags do not decide the answer: two children
  // with an open and a confirmed flag, one with a dismissed flag.
  const auto children = csv_rows("h\n" + p.sql("SELECT DISTINCT l.child_id FROM event_links l "
                                               "JOIN events e ON e.id = l.event_id WHERE "
                                               "e.event_date BETWEEN '2024-01-01' AND "
                                               "'2024-12-31' ORDER BY 1 LIMIT 3"));
  REQUIRE(children.size() == 3);
  int n = 0;
  for (const auto& [child, status] :
       std::vector<std::pair<std::string, std::string>>{{children[0][0], "open"},
                                                        {children[1][0], "confirmed"},
                                                        {children[2][0], "dismissed"}}) {
    p.sql(
        "INSERT INTO flags (rule_id, ruleset_version, severity, child_id, evidence, "
        "evidence_hash, detail, status, computed_at) VALUES ('test_rule', 't', 'low', " +
        child + ", '[]', 'h" + std::to_string(++n) + "', 'd', '" + status + "', 'now')");
  }
  create_audit(p);                                                                // 1: period only
  create_audit(p, {"--scope-category", "SAB,19B"});                               // 2
  create_audit(p, {"--scope-flag", "test_rule"});                                 // 3
  create_audit(p, {"--scope-entry-point", "school,gp"});                          // 4
  create_audit(p, {"--scope-category", "19C", "--scope-entry-point", "school"});  // 5
  std::vector<int> sizes;
  for (int audit = 1; audit <= 5; ++audit) {
    INFO("audit " << audit);
    const int expected = p.population(audit, "none", 0)->getValue<int>("population");
    REQUIRE(show(p, audit).at("population") == std::to_string(expected));
    sizes.push_back(expected);
  }
  REQUIRE(sizes[0] > sizes[1]);
  REQUIRE(sizes[1] > 0);
  REQUIRE(sizes[2] == 2);  // the dismissed flag does not count
  REQUIRE(sizes[3] > 0);
  REQUIRE(sizes[4] < sizes[1] + sizes[3]);
  // Independently of population.py: the period-only population by plain SQL.
  REQUIRE(trim(p.sql("SELECT count(DISTINCT l.child_id) FROM event_links l JOIN events e ON "
                     "e.id = l.event_id WHERE e.event_date BETWEEN '2024-01-01' AND "
                     "'2024-12-31'")) == std::to_string(sizes[0]));
}

TEST_CASE(
    "a sample is stored with its population hash, size, seed and method, and the log holds no "
    "child key",
    "[audits][sampling]") {
  Partnership p(300);
  create_audit(p);
  auto r = sample(p, 1, 12, "2024", {"--strata", "category"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = csv_rows(r.out);
  REQUIRE(rows.size() == 12);
  const auto expected = p.population(1, "category", 12);
  const std::string hash = expected->getValue<std::string>("sha256");
  REQUIRE(trim(p.sql("SELECT audit_id, seed, method, population_hash, population_size, size "
                     "FROM samples")) ==
          "1|2024|pathaudit-sample-v1 strata=category include_flagged=0|" + hash + "|" +
              std::to_string(expected->getValue<int>("population")) + "|12");
  REQUIRE(show(p, 1).at("population_hash") == hash);
  // The stored cases are the printed ones, with their strata.
  std::set<std::string> printed, stored;
  for (const auto& row : rows)
    printed.insert(row[0] + "|" + row[1]);
  for (const auto& row : csv_rows("h\n" + p.sql("SELECT c.display_key || ',' || s.stratum FROM "
                                                "sample_cases s JOIN children c ON c.id = "
                                                "s.child_id")))
    stored.insert(row[0] + "|" + row[1]);
  REQUIRE(printed == stored);
  REQUIRE(printed.size() == 12);
  // Proportional allocation over the strata, by population.py's largest remainder.
  std::map<std::string, int> got;
  for (const auto& row : rows)
    ++got[row[1]];
  auto allocation = expected->getObject("allocation");
  std::map<std::string, int> want;
  for (const auto& name : allocation->getNames())
    want[name] = allocation->getValue<int>(name);
  REQUIRE(got == want);

  const std::string log = p.sql(
      "SELECT action, object, outcome FROM audit_log WHERE action = "
      "'sample.draw'");
  REQUIRE_THAT(log, Catch::Contains("audit:1") && Catch::Contains(hash) &&
                        Catch::Contains("size 12") && Catch::Contains("seed 2024") &&
                        Catch::Contains("strata=category"));
  const std::string whole_log = p.sql("SELECT * FROM audit_log");
  for (const auto& row : rows)
    REQUIRE_THAT(whole_log, !Catch::Contains(row[0]));
}

TEST_CASE("every stratum kind follows its definition and its proportional allocation",
          "[audits][sampling]") {
  Partnership p(300);
  create_audit(p);
  for (const char* strata : {"agency", "entry_point", "age_band"}) {
    INFO(strata);
    auto r = sample(p, 1, 20, "5", {"--strata", strata});
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto expected = p.population(1, strata, 20);
    REQUIRE(trim(p.sql("SELECT population_hash FROM samples")) ==
            expected->getValue<std::string>("sha256"));
    std::map<std::string, int> got, want;
    for (const auto& row : csv_rows(r.out))
      ++got[row[1]];
    auto allocation = expected->getObject("allocation");
    for (const auto& name : allocation->getNames())
      want[name] = allocation->getValue<int>(name);
    REQUIRE(got == want);
    REQUIRE(got.size() > 1);
  }
}

TEST_CASE("the same population and seed draw the same sample, whatever order data arrived in",
          "[audits][sampling]") {
  // Two data directories with the same keys (one copied from the other before any import), the
  // extracts imported forwards into one and backwards into the other: the events' row ids differ,
  // the population, its hash and the sample must not.
  Partnership a(250, 3, /*import_events=*/false);
  const std::string b = a.copy_data_dir("data-b");
  const std::string b_db = b + "/pathaudit.db";
  a.import_into(a.dir(), /*reverse=*/false);
  a.import_into(b, /*reverse=*/true);
  const std::string event_rows = "SELECT id, agency_id, event_date FROM events ORDER BY id";
  REQUIRE(a.sql(event_rows) != a.sql_at(b_db, event_rows));
  REQUIRE(a.sql("SELECT display_key FROM children ORDER BY display_key") ==
          a.sql_at(b_db, "SELECT display_key FROM children ORDER BY display_key"));

  const std::vector<std::string> create{"audit",          "create",     "--title",
                                        "CSA 2024",       "--template", "csa-response-pathway",
                                        "--period-start", "2024-01-01", "--period-end",
                                        "2024-12-31"};
  for (const std::string& dir : {a.dir(), b}) {
    auto r = a.cli_at(dir, create);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }
  const std::vector<std::string> draw{"sample",
                                      "--audit",
                                      "1",
                                      "--size",
                                      "15",
                                      "--seed",
                                      "18446744073709551615",
                                      "--strata",
                                      "agency",
                                      "--include-flagged",
                                      "3",
                                      "--format",
                                      "csv"};
  auto ra = a.cli_at(a.dir(), draw);
  INFO(ra.err);
  REQUIRE(ra.status == 0);
  auto rb = a.cli_at(b, draw);
  INFO(rb.err);
  REQUIRE(rb.status == 0);
  const auto rows = csv_rows(ra.out);
  REQUIRE(rows.size() == 15);
  std::vector<std::string> keys_a, keys_b;
  for (const auto& row : rows)
    keys_a.push_back(row[0]);
  for (const auto& row : csv_rows(rb.out))
    keys_b.push_back(row[0]);
  REQUIRE(keys_a == keys_b);
  REQUIRE(ra.out == rb.out);  // strata and flagged too
  const std::string hash = trim(a.sql("SELECT population_hash FROM samples"));
  REQUIRE(hash.size() == 64);
  REQUIRE(trim(a.sql_at(b_db, "SELECT population_hash FROM samples")) == hash);
  // The stored cases are the same children by key.
  const std::string stored_keys =
      "SELECT c.display_key FROM sample_cases s JOIN children c ON c.id = s.child_id ORDER BY 1";
  REQUIRE(a.sql(stored_keys) == a.sql_at(b_db, stored_keys));

  // Drawing again replaces the sample, in the log too.
  auto again = a.cli_at(a.dir(), draw);
  INFO(again.err);
  REQUIRE(again.status == 0);
  REQUIRE(again.out == ra.out);
  REQUIRE_THAT(again.err, Catch::Contains("replaced sample 1"));
  REQUIRE(trim(a.sql("SELECT id FROM samples")) == "2");
  REQUIRE(trim(a.sql("SELECT count(*) FROM sample_cases")) == "15");
  REQUIRE_THAT(a.sql("SELECT outcome FROM audit_log WHERE action = 'sample.draw'"),
               Catch::Contains("replaced sample 1"));
  // Another seed draws other cases.
  REQUIRE(sample(a, 1, 15, "1", {"--strata", "agency", "--include-flagged", "3"}).out != ra.out);
  // include-flagged: at least three of the cases are flagged.
  int flagged = 0;
  for (const auto& row : rows)
    flagged += row[2] == "yes";
  REQUIRE(flagged >= 3);
}

TEST_CASE("impossible samples are refused with the numbers and change nothing",
          "[audits][sampling]") {
  Partnership p(60);
  create_audit(p);
  const auto expected = p.population(1, "none", 0);
  const int population = expected->getValue<int>("population");
  const int flagged = expected->getValue<int>("flagged");
  auto r = sample(p, 1, population + 1, "1");
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("sample size " + std::to_string(population + 1)) &&
                          Catch::Contains("(" + std::to_string(population) + " children)"));
  r = sample(p, 1, 0, "1");
  REQUIRE(r.status == 65);
  r = sample(p, 1, population, "1", {"--include-flagged", std::to_string(flagged + 1)});
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("(" + std::to_string(flagged) + ")"));
  r = sample(p, 1, 5, "1", {"--include-flagged", "6"});
  REQUIRE(r.status == 65);
  REQUIRE(sample(p, 1, 5, "1", {"--strata", "postcode"}).status == 65);
  REQUIRE(sample(p, 1, 5, "-1").status == 64);
  REQUIRE(sample(p, 1, 5, "18446744073709551616").status == 64);
  REQUIRE(p.cli({"sample", "--audit", "1", "--seed", "1"}).status == 64);
  r = sample(p, 9, 5, "1");
  REQUIRE(r.status == 1);
  REQUIRE_THAT(r.err, Catch::Contains("audit 9 does not exist"));
  REQUIRE(trim(p.sql("SELECT count(*) FROM samples")) == "0");
  REQUIRE(trim(p.sql("SELECT count(*) FROM audit_log WHERE action = 'sample.draw'")) == "0");
}

TEST_CASE("users add, list, disable and reset-password, and passwords never leave stdin",
          "[users]") {
  Partnership p(10);
  p.add_user("qa.lead", "qa_lead");
  p.add_user("alice", "auditor", "CSC");
  auto list = p.cli({"users", "list", "--format", "csv"});
  REQUIRE(list.status == 0);
  REQUIRE(csv_rows(list.out) ==
          std::vector<std::vector<std::string>>{
              {"alice", "Test alice", "auditor", "CSC", "active", csv_rows(list.out)[0][5]},
              {"qa.lead", "Test qa.lead", "qa_lead", "", "active", csv_rows(list.out)[1][5]}});
  const std::string hash = trim(p.sql("SELECT password_hash FROM users WHERE username = 'alice'"));
  REQUIRE_THAT(hash, Catch::StartsWith("$scrypt$ln=17,r=8,p=1$"));
  REQUIRE(pathaudit::crypto::verify_password(kPassword, hash));

  // Refusals.
  auto add = [&](std::vector<std::string> extra, const std::string& input) {
    std::vector<std::string> args{"users",          "add", "--username",      "bob",
                                  "--display-name", "Bob", "--password-stdin"};
    args.insert(args.end(), extra.begin(), extra.end());
    return p.cli_with_stdin(args, input);
  };
  auto r = add({"--role", "auditor", "--agency", "CSC"}, "short pass\n");
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("at least 12") && !Catch::Contains("short pass"));
  REQUIRE(add({"--role", "auditor"}, kPassword + "\n").status == 65);
  REQUIRE(add({"--role", "auditor", "--agency", "NOPE"}, kPassword + "\n").status == 65);
  REQUIRE(add({"--role", "superuser"}, kPassword + "\n").status == 65);
  REQUIRE(add({"--role", "board"}, "").status == 65);
  r = p.cli_with_stdin({"users", "add", "--username", "alice", "--display-name", "A", "--role",
                        "board", "--password-stdin"},
                       kPassword + "\n");
  REQUIRE(r.status == 1);
  REQUIRE_THAT(r.err, Catch::Contains("already taken"));
  r = p.cli_with_stdin({"users", "add", "--username", "Bad Name", "--display-name", "A", "--role",
                        "board", "--password-stdin"},
                       kPassword + "\n");
  REQUIRE(r.status == 65);
  r = p.cli({"users", "add", "--username", "bob", "--display-name", "Bob", "--role", "board"});
  REQUIRE(r.status == 64);
  REQUIRE_THAT(r.err, Catch::Contains("--password-stdin"));
  REQUIRE(trim(p.sql("SELECT count(*) FROM users")) == "2");

  // Reset: the new password verifies, the old no longer does; sessions end.
  p.sql(
      "INSERT INTO sessions (token_hash, user_id, csrf_token_hash, created_at, last_seen_at, "
      "expires_at) SELECT x'01', id, x'02', 'a', 'b', 'c' FROM users WHERE username = 'alice'");
  const std::string fresh = "a different passphrase";
  r = p.cli_with_stdin({"users", "reset-password", "alice", "--password-stdin"}, fresh + "\r\n");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string reset = trim(p.sql("SELECT password_hash FROM users WHERE username = 'alice'"));
  REQUIRE(pathaudit::crypto::verify_password(fresh, reset));
  REQUIRE_FALSE(pathaudit::crypto::verify_password(kPassword, reset));
  REQUIRE(trim(p.sql("SELECT count(*) FROM sessions")) == "0");
  REQUIRE(p.cli_with_stdin({"users", "reset-password", "nobody", "--password-stdin"}, fresh + "\n")
              .status == 1);

  // Disable, twice.
  r = p.cli({"users", "disable", "alice"});
  REQUIRE(r.status == 0);
  REQUIRE_THAT(r.out, Catch::Contains("disabled"));
  r = p.cli({"users", "disable", "alice"});
  REQUIRE(r.status == 0);
  REQUIRE_THAT(r.out, Catch::Contains("already disabled"));
  REQUIRE_THAT(p.cli({"users", "list"}).out, Catch::Contains("disabled"));
  REQUIRE(p.cli({"users", "disable", "nobody"}).status == 1);

  const std::string log = p.sql("SELECT action || ' ' || object || ' ' || outcome FROM audit_log");
  REQUIRE_THAT(log, Catch::Contains("user.add user:1") && Catch::Contains("user.add user:2") &&
                        Catch::Contains("user.reset-password user:2") &&
                        Catch::Contains("user.disable user:2"));
  for (const std::string& secret : {kPassword, fresh, std::string("short pass")}) {
    REQUIRE_THAT(log, !Catch::Contains(secret));
    REQUIRE_THAT(read_file(p.db()), !Catch::Contains(secret));
  }
}

TEST_CASE(
    "assign makes one return per involved agency per case and one discussion each, round "
    "robin, idempotently",
    "[audits][assign]") {
  Partnership p(300);
  create_audit(p);
  REQUIRE(sample(p, 1, 12, "77", {"--strata", "agency"}).status == 0);
  p.add_user("qa", "qa_lead");
  p.add_user("qa2", "qa_lead");
  p.add_user("csc.b", "auditor", "CSC");
  p.add_user("csc.a", "auditor", "CSC");
  p.add_user("pol.1", "auditor", "POLICE");
  p.add_user("pol.2", "auditor", "POLICE");

  // Refusals first: nothing may be written by them.
  REQUIRE(p.cli({"assign", "--audit", "1", "--qa-lead", "nobody"}).status == 1);
  REQUIRE(p.cli({"assign", "--audit", "1", "--qa-lead", "csc.a"}).status == 65);
  REQUIRE(p.cli({"assign", "--audit", "1", "--qa-lead", "qa", "--auditor", "CSC=pol.1"}).status ==
          65);
  REQUIRE(p.cli({"assign", "--audit", "1", "--qa-lead", "qa", "--auditor", "CSC"}).status == 64);
  REQUIRE(p.cli({"assign", "--audit", "1", "--qa-lead", "qa", "--auditor", "XYZ=pol.1"}).status ==
          65);
  REQUIRE(p.cli({"assign", "--audit", "1"}).status == 64);
  create_audit(p);
  auto r = p.cli({"assign", "--audit", "2", "--qa-lead", "qa"});
  REQUIRE(r.status == 1);
  REQUIRE_THAT(r.err, Catch::Contains("no sample"));
  REQUIRE(trim(p.sql("SELECT count(*) FROM assignments")) == "0");

  r = p.cli({"assign", "--audit", "1", "--qa-lead", "qa", "--auditor", "POLICE=pol.2", "--format",
             "csv"});
  INFO(r.err);
  REQUIRE(r.status == 0);

  // Expected returns, by plain SQL: distinct (case, agency) with events in the period.
  const std::string involved_sql =
      "SELECT g.code, count(*) FROM (SELECT DISTINCT s.id AS case_id, e.agency_id AS agency FROM "
      "sample_cases s JOIN event_links l ON l.child_id = s.child_id JOIN events e ON e.id = "
      "l.event_id WHERE e.event_date BETWEEN '2024-01-01' AND '2024-12-31') x JOIN agencies g ON "
      "g.id = x.agency GROUP BY g.code ORDER BY g.code";
  const std::string stored_sql =
      "SELECT g.code, count(*) FROM assignments a JOIN agencies g ON g.id = a.agency_id WHERE "
      "a.kind = 'return' GROUP BY g.code ORDER BY g.code";
  const std::string involved = p.sql(involved_sql);
  REQUIRE(p.sql(stored_sql) == involved);
  REQUIRE(trim(p.sql("SELECT count(*) FROM assignments WHERE kind = 'discussion' AND user_id = "
                     "(SELECT id FROM users WHERE username = 'qa')")) == "12");
  REQUIRE(trim(p.sql("SELECT count(*) FROM reviews r JOIN assignments a ON a.id = "
                     "r.assignment_id WHERE r.state = 'assigned' AND a.kind = 'return'")) ==
          trim(p.sql("SELECT count(*) FROM assignments WHERE kind = 'return'")));
  REQUIRE(trim(p.sql("SELECT count(*) FROM reviews")) ==
          trim(p.sql("SELECT count(*) FROM assignments WHERE kind = 'return'")));

  // CSC: round robin in username order over csc.a, csc.b, cases in child-key order.
  const auto csc = csv_rows("h\n" + p.sql("SELECT u.username FROM assignments a JOIN sample_cases "
                                          "s ON s.id = a.sample_case_id JOIN children c ON c.id = "
                                          "s.child_id JOIN agencies g ON g.id = a.agency_id JOIN "
                                          "users u ON u.id = a.user_id WHERE g.code = 'CSC' ORDER "
                                          "BY c.display_key"));
  REQUIRE(csc.size() > 2);
  for (std::size_t i = 0; i < csc.size(); ++i)
    REQUIRE(csc[i][0] == (i % 2 == 0 ? "csc.a" : "csc.b"));
  // POLICE: only the explicit auditor.
  REQUIRE(trim(p.sql("SELECT DISTINCT u.username FROM assignments a JOIN agencies g ON g.id = "
                     "a.agency_id JOIN users u ON u.id = a.user_id WHERE g.code = 'POLICE'")) ==
          "pol.2");
  // Agencies without auditors: unassigned returns, reported by code only.
  const std::string without =
      trim(p.sql("SELECT group_concat(code, ', ') FROM (SELECT DISTINCT g.code FROM assignments a "
                 "JOIN agencies g ON g.id = a.agency_id WHERE a.user_id IS NULL ORDER BY g.code)"));
  REQUIRE_FALSE(without.empty());
  REQUIRE_THAT(r.err, Catch::Contains("no active auditor for " + without + ":"));
  for (const auto& row : csv_rows("h\n" + p.sql("SELECT display_key FROM children")))
    REQUIRE_THAT(r.err + r.out, !Catch::Contains(row[0]));
  // The summary matches the store.
  std::string summary_csc;
  for (const auto& row : csv_rows(r.out)) {
    if (row[0] == "return" && row[1] == "CSC")
      summary_csc = row[2] + "," + row[3] + "," + row[4] + "," + row[5];
  }
  REQUIRE(summary_csc == std::to_string(csc.size()) + "," + std::to_string(csc.size()) + "," +
                             std::to_string(csc.size()) + ",0");

  // Re-running adds nothing, even with another QA lead.
  const std::string before = p.sql("SELECT * FROM assignments ORDER BY id");
  r = p.cli({"assign", "--audit", "1", "--qa-lead", "qa2"});
  REQUIRE(r.status == 0);
  REQUIRE(p.sql("SELECT * FROM assignments ORDER BY id") == before);
  REQUIRE(p.sql(stored_sql) == involved);

  // An auditor added later takes the unassigned returns of their agency on the next run.
  const std::string first_without = without.substr(0, without.find(','));
  p.add_user("late", "auditor", first_without);
  r = p.cli({"assign", "--audit", "1", "--qa-lead", "qa"});
  REQUIRE(r.status == 0);
  REQUIRE(trim(p.sql("SELECT count(*) FROM assignments a JOIN agencies g ON g.id = a.agency_id "
                     "WHERE g.code = '" +
                     first_without + "' AND a.user_id IS NULL")) == "0");
  REQUIRE(p.sql(stored_sql) == involved);
  REQUIRE_THAT(r.err, !Catch::Contains(first_without + ","));

  // Once assigned, the sample can no longer be redrawn.
  auto again = sample(p, 1, 12, "78");
  REQUIRE(again.status == 1);
  REQUIRE_THAT(again.err, Catch::Contains("assignments"));
  REQUIRE_THAT(p.sql("SELECT action || ' ' || object FROM audit_log WHERE action = 'assign'"),
               Catch::Contains("assign audit:1"));
  REQUIRE(run_pathaudit({"verify-log", "--data-dir", p.dir()}).status == 0);
}

TEST_CASE(
    "assign leaves a disabled auditor out of the round robin and refuses one named explicitly",
    "[audits][assign]") {
  Partnership p(300);
  create_audit(p);
  REQUIRE(sample(p, 1, 12, "77", {"--strata", "agency"}).status == 0);
  p.add_user("qa", "qa_lead");
  p.add_user("csc.a", "auditor", "CSC");
  p.add_user("csc.b", "auditor", "CSC");
  p.add_user("csc.c", "auditor", "CSC");
  REQUIRE(p.cli({"users", "disable", "csc.b"}).status == 0);

  // Named explicitly: refused, saying why, and nothing is written.
  auto r = p.cli({"assign", "--audit", "1", "--qa-lead", "qa", "--auditor", "CSC=csc.b"});
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("CSC=csc.b") && Catch::Contains("disabled"));
  r = p.cli({"assign", "--audit", "1", "--qa-lead", "qa", "--auditor", "CSC=csc.a", "--auditor",
             "CSC=csc.b"});
  REQUIRE(r.status == 65);
  REQUIRE(trim(p.sql("SELECT count(*) FROM assignments")) == "0");
  // A disabled QA lead is refused the same way.
  p.add_user("qa.old", "qa_lead");
  REQUIRE(p.cli({"users", "disable", "qa.old"}).status == 0);
  r = p.cli({"assign", "--audit", "1", "--qa-lead", "qa.old"});
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("disabled"));
  REQUIRE(trim(p.sql("SELECT count(*) FROM assignments")) == "0");

  // By default: the round robin runs over the active auditors only, in username order.
  r = p.cli({"assign", "--audit", "1", "--qa-lead", "qa"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto csc = csv_rows("h\n" + p.sql("SELECT coalesce(u.username, '') FROM assignments a "
                                          "JOIN sample_cases s ON s.id = a.sample_case_id JOIN "
                                          "children c ON c.id = s.child_id JOIN agencies g ON "
                                          "g.id = a.agency_id LEFT JOIN users u ON u.id = "
                                          "a.user_id WHERE g.code = 'CSC' AND a.kind = 'return' "
                                          "ORDER BY c.display_key"));
  REQUIRE(csc.size() > 2);
  for (std::size_t i = 0; i < csc.size(); ++i) {
    INFO("case " << i);
    REQUIRE(csc[i][0] == (i % 2 == 0 ? "csc.a" : "csc.c"));
  }
  REQUIRE(trim(p.sql("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE "
                     "u.username IN ('csc.b', 'qa.old')")) == "0");
}
