// The default rule set against synth's injected gaps: grouped by each event's true child (so
// linkage plays no part), the engine must raise exactly the flags of truth/gaps.csv, with the same
// evidence in the same order: precision and recall 1.0 for every rule.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <tuple>

#include "core/rules.h"
#include "service/reference_data.h"
#include "service/rule_set_file.h"
#include "service/synth.h"
#include "test_support.h"
#include "unit/synth/synth_check.h"

namespace pathaudit {
namespace {

using Flags = std::multiset<std::tuple<std::string, int, std::string>>;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ';') {
      if (!cur.empty())
        out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty())
    out.push_back(cur);
  return out;
}

struct Evaluated {
  Flags flags;
  core::EvaluationStats stats;
};

Evaluated evaluate_by_truth(const synthcheck::Output& out, core::Date horizon) {
  core::AgencyDirectory agencies;
  int next_agency = 1;
  for (const std::string& code : out.agencies)
    agencies.add(next_agency++, core::Agency{code, code, out.kinds.at(code)});

  // Reference keys: a distinct number per (agency, event_id), as the store's pseudonyms are.
  std::map<std::pair<std::string, std::string>, std::uint32_t> numbers;
  auto ref = [&](const std::string& agency, const std::string& id) {
    const auto n = numbers.emplace(std::make_pair(agency, id), numbers.size() + 1).first->second;
    core::RefKey k{};
    for (int i = 0; i < 4; ++i)
      k[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
    return k;
  };
  std::map<int, std::vector<core::Event>> children;
  std::map<std::int64_t, std::string> label;  // event id -> AGENCY:event_id
  std::int64_t next_id = 1;
  for (const auto& [code, rows] : out.rows) {
    for (const synthcheck::Row& r : rows) {
      core::Event e;
      e.id = next_id++;
      e.child_id = r.child;
      e.agency = *agencies.id_of(r.agency);
      e.type = *core::parse_event_type(r.event_type);
      e.date = r.date;
      e.entry_point = r.entry_point;
      e.to_agency = r.to_agency.empty() ? 0 : *agencies.id_of(r.to_agency);
      e.to_service = r.to_service;
      for (const auto& p : split(r.participants))
        e.participants.push_back(*agencies.id_of(p));
      e.outcome = r.outcome;
      e.category = split(r.category);
      e.ref = ref(r.agency, r.event_id);
      if (!r.relates_to.empty())
        e.relates_to = ref(r.agency, r.relates_to);
      label[e.id] = r.agency + ":" + r.event_id;
      children[r.child].push_back(std::move(e));
    }
  }
  const std::string templates = PATHAUDIT_TEMPLATES_DIR;
  const core::RuleSet rules = service::load_rule_set(templates + "/rules/default/1.json");
  const core::WorkingDayCalendar calendar =
      service::load_calendar(templates + "/calendars/" + rules.calendar + ".json");
  const core::RuleEngine engine(rules, calendar, agencies, horizon);
  Evaluated result;
  std::vector<core::Flag> found;
  for (auto& [child, events] : children) {
    core::sort_events(events, agencies);
    found.clear();
    engine.evaluate(events, found, result.stats);
    for (const core::Flag& f : found) {
      std::string refs;
      for (std::int64_t id : f.evidence)
        refs += (refs.empty() ? "" : ";") + label.at(id);
      result.flags.emplace(f.rule->id, child, refs);
      CHECK(!f.detail.empty());
      CHECK(f.agency != 0);
    }
  }
  return result;
}

// Precision and recall per rule, printed so a regression shows which rule moved.
void require_exact(const Flags& truth, const Flags& flags) {
  std::map<std::string, std::pair<int, int>> per_rule;  // rule -> (truth, found)
  for (const auto& t : truth)
    ++per_rule[std::get<0>(t)].first;
  for (const auto& f : flags)
    ++per_rule[std::get<0>(f)].second;
  for (const auto& [rule, counts] : per_rule) {
    INFO(rule << ": " << counts.first << " injected, " << counts.second << " flagged");
    CHECK(counts.first == counts.second);
  }
  Flags missing, extra;
  std::set_difference(truth.begin(), truth.end(), flags.begin(), flags.end(),
                      std::inserter(missing, missing.end()));
  std::set_difference(flags.begin(), flags.end(), truth.begin(), truth.end(),
                      std::inserter(extra, extra.end()));
  for (const auto& m : missing)
    UNSCOPED_INFO("missed: " << std::get<0>(m) << " child " << std::get<1>(m) << " "
                             << std::get<2>(m));
  for (const auto& x : extra)
    UNSCOPED_INFO("extra: " << std::get<0>(x) << " child " << std::get<1>(x) << " "
                            << std::get<2>(x));
  REQUIRE(missing.empty());
  REQUIRE(extra.empty());
}

void check_seed(std::uint64_t seed, int children, const service::SynthGapRates& rates) {
  testing::TempDir dir;
  service::SynthOptions o;
  o.seed = seed;
  o.children = children;
  o.out_dir = dir.path() + "/synth";
  o.gap_rates = rates;
  service::generate_synthetic_partnership(o);
  const synthcheck::Output out = synthcheck::load(o.out_dir);
  INFO("seed " << seed);
  const Evaluated e = evaluate_by_truth(out, o.end);
  CHECK(e.stats.outside_calendar == 0);
  require_exact(out.truth_gaps, e.flags);
}

TEST_CASE("default rules flag exactly synth's injected gaps (seed 11)", "[rules][truth]") {
  check_seed(11, 1500, {});
}

TEST_CASE("default rules flag exactly synth's injected gaps (seed 20261122)", "[rules][truth]") {
  check_seed(20261122, 1500, {});
}

TEST_CASE("default rules flag exactly synth's gaps with every rate at 1", "[rules][truth]") {
  check_seed(5, 600, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
}

TEST_CASE("default rules raise nothing on synth data without gaps", "[rules][truth]") {
  testing::TempDir dir;
  service::SynthOptions o;
  o.seed = 8;
  o.children = 800;
  o.out_dir = dir.path() + "/synth";
  o.gap_rates = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  service::generate_synthetic_partnership(o);
  const synthcheck::Output out = synthcheck::load(o.out_dir);
  REQUIRE(out.truth_gaps.empty());
  const Evaluated e = evaluate_by_truth(out, o.end);
  REQUIRE(e.stats.children > 700);
  REQUIRE(e.flags.empty());
}

}  // namespace
}  // namespace pathaudit
