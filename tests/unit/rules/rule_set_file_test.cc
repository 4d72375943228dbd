// Rule-set files: the shipped default loads with the contract's rule ids, and every kind of mistake
// is refused with the file and the JSON path of the problem.
#include <catch2/catch.hpp>

#include "core/errors.h"
#include "service/rule_set_file.h"
#include "test_support.h"

namespace pathaudit {
namespace {

const std::string kDefault = std::string(PATHAUDIT_TEMPLATES_DIR) + "/rules/default/1.json";

TEST_CASE("the shipped default rule set has exactly the contract's rule ids", "[rules][file]") {
  const core::RuleSet set = service::load_rule_set(kDefault);
  CHECK(set.version_label() == "default@1");
  CHECK(set.calendar == "england-and-wales");
  std::vector<std::string> ids;
  for (const auto& r : set.rules) {
    ids.push_back(r.id);
    CHECK(!r.basis.empty());
    CHECK(!r.title.empty());
  }
  CHECK(ids == std::vector<std::string>{
                   "duplicate_referral", "repeated_account", "strategy_without_partner",
                   "abe_not_shared", "outcome_not_shared", "referral_decision_late",
                   "assessment_late", "icpc_late", "core_group_late", "review_late",
                   "no_medical_considered", "nfa_wording"});
}

// Replaces the first occurrence of `from` in the default file and returns the error text.
std::string error_after(const std::string& from, const std::string& to) {
  std::string text = testing::read_file(kDefault);
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  testing::TempDir dir;
  const std::string file = dir.path() + "/local.json";
  testing::write_file(file, text);
  try {
    service::load_rule_set(file);
  } catch (const core::ValidationError& e) {
    const std::string message = e.what();
    CHECK(message.rfind(file + ": ", 0) == 0);
    return message;
  }
  FAIL("the rule set was accepted");
  return {};
}

TEST_CASE("rule-set mistakes name the JSON path", "[rules][file]") {
  CHECK_THAT(error_after(R"("evaluator": "attendance")", R"("evaluator": "attendence")"),
             Catch::Contains("$.rules[2].evaluator: expected one of duplicate_referral"));
  CHECK_THAT(error_after(R"("window_days": 90)", R"("window_days": 90, "windw": 3)"),
             Catch::Contains("$.rules[0]") && Catch::Contains("windw"));
  CHECK_THAT(error_after(R"("within": {"working_days": 1})",
                         R"("within": {"working_days": 1, "days": 2})"),
             Catch::Contains("$.rules[3].within: expected exactly one of days"));
  CHECK_THAT(error_after(R"("event_types": ["abe_interview"])", R"("event_types": ["abe"])"),
             Catch::Contains("$.rules[3].event_types[0]: expected an event type"));
  CHECK_THAT(error_after(R"("required_kinds": ["csc", "police", "health"])",
                         R"("required_kinds": ["csc", "police", "nhs"])"),
             Catch::Contains("$.rules[2].required_kinds[2]: expected an agency kind"));
  CHECK_THAT(error_after(R"("id": "repeated_account")", R"("id": "duplicate_referral")"),
             Catch::Contains("$.rules[1].id: rule id duplicate_referral appears twice"));
  CHECK_THAT(error_after(R"("severity": "low")", R"("severity": "urgent")"),
             Catch::Contains("$.rules[11].severity: expected low, medium or high"));
  CHECK_THAT(error_after(R"("anchor": "end")", R"("anchor": "middle")"),
             Catch::Contains("$.rules[6].anchor: expected start or end"));
  CHECK_THAT(error_after(R"("min_events": 3)", R"("min_events": 1)"),
             Catch::Contains("$.rules[1].min_events: expected a whole number from 2"));
}

}  // namespace
}  // namespace pathaudit
