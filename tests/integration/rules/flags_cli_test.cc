// `pathaudit flags` end to end: synthetic extracts imported by the real binary into a real data
// directory, flags computed in the import, listed in the contract's CSV, reviewed, and kept or
// withdrawn as later imports change their evidence.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <sstream>

#include "service/synth.h"
#include "test_support.h"
#include "unit/synth/synth_check.h"

namespace pathaudit {
namespace {

using testing::read_file;
using testing::run_pathaudit;
using testing::TempDir;
using testing::write_file;

using RuleRefs = std::multiset<std::pair<std::string, std::string>>;  // rule, event_refs

struct Partnership {
  TempDir dir;
  std::string synth = dir / "synth";
  std::string data = dir / "data";
  synthcheck::Output truth;

  explicit Partnership(const service::SynthOptions& base) {
    service::SynthOptions o = base;
    o.out_dir = synth;
    service::generate_synthetic_partnership(o);
    truth = synthcheck::load(synth);
    auto init =
        run_pathaudit({"init", "--data-dir", data, "--partnership", synth + "/partnership.json"});
    REQUIRE(init.status == 0);
    std::vector<std::string> args{"import", "--data-dir", data};
    for (const auto& code : truth.agencies)
      args.push_back(synth + "/events-" + code + ".csv");
    auto imported = run_pathaudit(args);
    INFO(imported.err);
    REQUIRE(imported.status == 0);
  }

  std::vector<std::vector<std::string>> flags_csv(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"flags", "--data-dir", data, "--format", "csv"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_pathaudit(args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    auto rows = synthcheck::parse_csv(r.out);
    REQUIRE(!rows.empty());
    REQUIRE(rows[0] == std::vector<std::string>{"rule", "severity", "agency", "event_refs",
                                                "child_key", "detail"});
    rows.erase(rows.begin());
    return rows;
  }

  RuleRefs truth_flags() const {
    RuleRefs out;
    for (const auto& [rule, child, refs] : truth.truth_gaps)
      out.emplace(rule, refs);
    return out;
  }
};

RuleRefs rule_refs(const std::vector<std::vector<std::string>>& rows) {
  RuleRefs out;
  for (const auto& r : rows)
    out.emplace(r[0], r[3]);
  return out;
}

service::SynthOptions without_noise(std::uint64_t seed, int children) {
  service::SynthOptions o;
  o.seed = seed;
  o.children = children;
  o.noise_rates = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  return o;
}

TEST_CASE("flags --format csv lists exactly the injected gaps when linkage is exact", "[flags]") {
  // Without identifier noise every child links exactly, so what the import computes must be
  // synth's truth to the event.
  Partnership p(without_noise(31, 1200));
  const auto rows = p.flags_csv();
  const RuleRefs truth = p.truth_flags();
  REQUIRE(truth.size() > 300);
  CHECK(rule_refs(rows) == truth);
  for (const auto& r : rows) {
    CHECK((r[1] == "low" || r[1] == "medium" || r[1] == "high"));
    CHECK(!r[2].empty());
    CHECK_THAT(r[4], Catch::Matches("C-[0-9A-Z]{10,20}"));
    CHECK(!r[5].empty());
    // The detail is about agencies and dates, never a reference or an identifier.
    std::istringstream refs(r[3]);
    for (std::string ref; std::getline(refs, ref, ';');) {
      const auto colon = ref.find(':');
      REQUIRE(colon != std::string::npos);
      CHECK(r[5].find(ref.substr(colon + 1)) == std::string::npos);
    }
  }
}

TEST_CASE("flags with identifier noise: precision and recall against the truth", "[flags]") {
  service::SynthOptions o;
  o.seed = 11;
  o.children = 1500;
  Partnership p(o);
  const RuleRefs truth = p.truth_flags();
  const RuleRefs found = rule_refs(p.flags_csv());
  std::map<std::string, std::array<int, 3>> per_rule;  // truth, found, both
  for (const auto& t : truth)
    ++per_rule[t.first][0];
  for (const auto& f : found) {
    ++per_rule[f.first][1];
    if (truth.count(f))
      ++per_rule[f.first][2];
  }
  int all_truth = 0, all_found = 0, all_both = 0;
  for (const auto& [rule, n] : per_rule) {
    WARN(rule << ": injected " << n[0] << ", flagged " << n[1] << ", matching " << n[2]);
    all_truth += n[0];
    all_found += n[1];
    all_both += n[2];
  }
  const double precision = static_cast<double>(all_both) / all_found;
  const double recall = static_cast<double>(all_both) / all_truth;
  WARN("end to end, linkage included: precision " << precision << ", recall " << recall);
  // Linkage is imperfect with noise (docs/benchmarks.md); flags can only be as good as it.
  CHECK(precision >= 0.95);
  CHECK(recall >= 0.95);
}

TEST_CASE("a reviewed flag keeps its status while its evidence stands", "[flags]") {
  Partnership p(without_noise(5, 300));
  auto listed =
      run_pathaudit({"flags", "--data-dir", p.data, "--rule", "nfa_wording", "--format", "json"});
  REQUIRE(listed.status == 0);
  const auto table =
      run_pathaudit({"flags", "--data-dir", p.data, "--rule", "nfa_wording", "--format", "csv"});
  auto nfa = synthcheck::parse_csv(table.out);
  REQUIRE(nfa.size() >= 3);  // header and two flags at least
  // Ids come from the table format.
  auto t = run_pathaudit({"flags", "--data-dir", p.data, "--rule", "nfa_wording"});
  REQUIRE(t.status == 0);
  std::vector<std::string> ids;
  std::istringstream lines(t.out);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line))
    ids.push_back(line.substr(0, line.find(' ')));
  REQUIRE(ids.size() >= 2);

  const std::string reason = "Checked the crime record: closure reason recorded elsewhere";
  write_file(p.dir / "confirm.txt", "Confirmed at the multi-agency discussion\n");
  write_file(p.dir / "dismiss.txt", reason + "\n");
  REQUIRE(run_pathaudit({"flags", "confirm", ids[0], "--data-dir", p.data, "--reason-file",
                         p.dir / "confirm.txt"})
              .status == 0);
  REQUIRE(run_pathaudit({"flags", "dismiss", ids[1], "--data-dir", p.data, "--reason-file",
                         p.dir / "dismiss.txt"})
              .status == 0);
  // The reason never goes on the command line, where the process list shows it; the refusal does
  // not repeat it.
  const auto on_argv =
      run_pathaudit({"flags", "dismiss", ids[0], "--data-dir", p.data, "--reason", reason});
  CHECK(on_argv.status == 64);
  CHECK_THAT(on_argv.err, Catch::Contains("--reason is refused"));
  CHECK(on_argv.err.find(reason) == std::string::npos);
  // The reason is sealed: not in the database file or its WAL in clear.
  for (const char* f : {"/pathaudit.db", "/pathaudit.db-wal"})
    CHECK(read_file(p.data + f).find(reason) == std::string::npos);

  // The same files again: the evidence is unchanged, so the statuses stand.
  std::vector<std::string> args{"import", "--data-dir", p.data};
  for (const auto& code : p.truth.agencies)
    args.push_back(p.synth + "/events-" + code + ".csv");
  REQUIRE(run_pathaudit(args).status == 0);
  CHECK(synthcheck::parse_csv(run_pathaudit({"flags", "--data-dir", p.data, "--status", "confirmed",
                                             "--format", "csv"})
                                  .out)
            .size() == 2);
  CHECK(synthcheck::parse_csv(run_pathaudit({"flags", "--data-dir", p.data, "--status", "dismissed",
                                             "--format", "csv"})
                                  .out)
            .size() == 2);

  // Police correct every bare "nfa": the evidence changed, so those flags are withdrawn.
  std::string police = read_file(p.synth + "/events-POLICE.csv");
  std::size_t replaced = 0;
  for (std::size_t at = 0; (at = police.find(",nfa,", at)) != std::string::npos; ++replaced)
    police.replace(at, 5, ",nfpa_at_this_time,");
  REQUIRE(replaced >= 2);
  write_file(p.dir / "police-corrected.csv", police);
  auto again = run_pathaudit({"import", "--data-dir", p.data, p.dir / "police-corrected.csv"});
  REQUIRE(again.status == 0);
  auto after =
      run_pathaudit({"flags", "--data-dir", p.data, "--rule", "nfa_wording", "--format", "csv"});
  CHECK(synthcheck::parse_csv(after.out).size() == 1);  // the header only
  auto summary = run_pathaudit({"flags", "summary", "--data-dir", p.data, "--format", "csv"});
  CHECK(summary.out.find("nfa_wording") == std::string::npos);
  // The audit log says flags were withdrawn after review, and still verifies.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((p.data + "/pathaudit.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT outcome FROM audit_log WHERE action = 'flags.compute' "
                     "ORDER BY seq DESC LIMIT 1",
                     -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const std::string outcome = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  CHECK_THAT(outcome, Catch::Contains("of which 2 had been reviewed"));
  auto log = run_pathaudit({"verify-log", "--data-dir", p.data});
  CHECK(log.status == 0);
}

TEST_CASE("reviewing a flag needs a reason and an existing flag", "[flags]") {
  Partnership p(without_noise(6, 50));
  auto no_reason = run_pathaudit({"flags", "confirm", "1", "--data-dir", p.data});
  CHECK(no_reason.status == 64);
  write_file(p.dir / "blank.txt", "  \n");
  write_file(p.dir / "x.txt", "x");
  auto blank = run_pathaudit(
      {"flags", "dismiss", "1", "--data-dir", p.data, "--reason-file", p.dir / "blank.txt"});
  CHECK(blank.status == 65);
  CHECK_THAT(blank.err, Catch::Contains("a reason is required"));
  auto missing = run_pathaudit(
      {"flags", "confirm", "999999", "--data-dir", p.data, "--reason-file", p.dir / "x.txt"});
  CHECK(missing.status == 1);
  CHECK_THAT(missing.err, Catch::Contains("flag 999999 does not exist"));
  auto bad_id = run_pathaudit(
      {"flags", "confirm", "abc", "--data-dir", p.data, "--reason-file", p.dir / "x.txt"});
  CHECK(bad_id.status == 64);
  auto no_file = run_pathaudit(
      {"flags", "confirm", "1", "--data-dir", p.data, "--reason-file", p.dir / "absent.txt"});
  CHECK(no_file.status == 65);
  CHECK_THAT(no_file.err, Catch::Contains("absent.txt: cannot be read"));
}

TEST_CASE("flags recompute with a local rule set, and a broken one refused with its path",
          "[flags]") {
  Partnership p(without_noise(7, 200));
  std::string rules = read_file(std::string(PATHAUDIT_TEMPLATES_DIR) + "/rules/default/1.json");
  // A local variant: Wales has no health minimum at strategy discussions.
  const std::string england = R"("required_kinds": ["csc", "police", "health"])";
  rules.replace(rules.find(england), england.size(), R"("required_kinds": ["csc", "police"])");
  write_file(p.dir / "local.json", rules);
  auto before = run_pathaudit({"flags", "summary", "--data-dir", p.data, "--format", "csv"});
  auto r =
      run_pathaudit({"flags", "recompute", "--data-dir", p.data, "--rules", p.dir / "local.json"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("rule set default@1"));
  auto after = synthcheck::parse_csv(run_pathaudit({"flags", "--data-dir", p.data, "--rule",
                                                    "strategy_without_partner", "--format", "csv"})
                                         .out);
  for (std::size_t i = 1; i < after.size(); ++i)
    CHECK_THAT(after[i][5], Catch::Contains("no agency of kind police") ||
                                Catch::Contains("no agency of kind csc"));

  rules.replace(rules.find(R"("anchor": "end")"), 15, R"("anchor": "both")");
  write_file(p.dir / "broken.json", rules);
  auto broken =
      run_pathaudit({"flags", "recompute", "--data-dir", p.data, "--rules", p.dir / "broken.json"});
  CHECK(broken.status == 65);
  CHECK_THAT(broken.err, Catch::Contains("broken.json: $.rules[6].anchor: expected start or end"));
  // Nothing changed by the refused recomputation.
  CHECK(run_pathaudit({"flags", "--data-dir", p.data, "--rule", "strategy_without_partner",
                       "--format", "csv"})
            .out.size() > 0);
  (void)before;
}

}  // namespace
}  // namespace pathaudit
