// Metrics definitions files (service/metrics.h): the shipped default, where the file is looked up,
// and errors that name the file and the JSON path.
#include <catch2/catch.hpp>
#include <string>

#include "core/errors.h"
#include "service/metrics.h"
#include "service/settings.h"
#include "test_support.h"

using pathaudit::core::CountUnit;
using pathaudit::core::EventType;
using pathaudit::core::Timing;
using pathaudit::core::ValidationError;
using pathaudit::service::load_metrics_definitions;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace {

const std::string kDefault = std::string(PATHAUDIT_TEMPLATES_DIR) + "/metrics/default.json";

// A valid file with one measure whose "count" object is `count`.
std::string with_count(const std::string& count) {
  return R"({"id": "t", "version": 1, "quarters": "financial", "measures": [
    {"id": "m", "title": "M", "count": )" +
         count + "}]}";
}

const char* kContacts =
    R"({"unit": "events", "timing": "in_quarter", "event": {"event_types": ["contact"]}})";

// The message of the ValidationError that loading `json` throws, "" when it loads.
std::string error_of(const std::string& json,
                     const pathaudit::core::AgencyDirectory* agencies = nullptr) {
  TempDir tmp;
  const std::string file = tmp / "defs.json";
  write_file(file, json);
  try {
    load_metrics_definitions(file, agencies);
  } catch (const ValidationError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the shipped default definitions load with every baseline measure",
          "[metrics][definitions]") {
  pathaudit::core::AgencyDirectory agencies;
  agencies.add(1, {"CSC", "CSC", "csc"});
  const auto defs = load_metrics_definitions(kDefault, &agencies);
  REQUIRE(defs.id == "default");
  REQUIRE(defs.quarters == pathaudit::core::QuarterScheme::financial);
  std::vector<std::string> ids;
  for (const auto& m : defs.measures)
    ids.push_back(m.id);
  REQUIRE(ids == std::vector<std::string>{"csa_referrals_to_csc", "cp_plans_sab_at_quarter_end",
                                          "cp_plans_sab_started", "cin_plans_sexual_abuse_started",
                                          "csa_police_reports_investigated",
                                          "cp_plans_sab_proportion", "counselling_referrals",
                                          "paediatric_sarc_referrals"});
  const auto& in_force = defs.measures[1].count;
  REQUIRE(in_force.unit == CountUnit::children);
  REQUIRE(in_force.timing == Timing::in_force_at_quarter_end);
  REQUIRE(in_force.event.categories == std::vector<std::string>{"SAB"});
  REQUIRE(in_force.ended_by->event_types == std::vector<EventType>{EventType::cp_plan_end});
  const auto& police = defs.measures[4].count;
  REQUIRE(police.within_days == 180);
  REQUIRE(police.followed_by.size() == 2);
  REQUIRE(police.followed_by[1].outcomes == std::vector<std::string>{"charged", "caution"});
  REQUIRE(defs.measures[5].is_proportion());
  REQUIRE_FALSE(defs.measures[0].is_proportion());
  REQUIRE(defs.measures[7].count.event.to_services ==
          std::vector<std::string>{"sarc", "paediatrics"});
  for (const auto& m : defs.measures) {
    INFO(m.id);
    REQUIRE_FALSE(m.source.empty());
  }
}

TEST_CASE("the definitions file is the setting metrics_definitions, else the shipped default",
          "[metrics][definitions]") {
  TempDir tmp;
  const pathaudit::service::Settings plain(tmp.path(), {});
  REQUIRE(pathaudit::service::metrics_definitions_file(plain) == kDefault);
  const pathaudit::service::Settings set(tmp.path(), {{"metrics_definitions", "/x/local.json"}});
  REQUIRE(pathaudit::service::metrics_definitions_file(set) == "/x/local.json");
  write_file(tmp / "pathaudit.properties", "metrics_definitions = /y/ours.json\n");
  const pathaudit::service::Settings from_file(tmp.path(), {});
  REQUIRE(pathaudit::service::metrics_definitions_file(from_file) == "/y/ours.json");
}

TEST_CASE("definitions errors name the file and the JSON path", "[metrics][definitions]") {
  REQUIRE(error_of(with_count(kContacts)).empty());

  REQUIRE_THAT(error_of(with_count(R"({"unit": "events", "timing": "in_quarter",
                                       "event": {"event_types": ["contact", "referal"]}})")),
               Catch::Contains("defs.json: $.measures[0].count.event.event_types[1]: expected one "
                               "of concern_identified"));
  REQUIRE_THAT(error_of(with_count(R"({"unit": "people", "timing": "in_quarter",
                                       "event": {"event_types": ["contact"]}})")),
               Catch::Contains("$.measures[0].count.unit: expected one of events, children"));
  REQUIRE_THAT(error_of(with_count(R"({"unit": "events", "timing": "in_quarter",
                                       "event": {"event_types": []}})")),
               Catch::Contains("$.measures[0].count.event.event_types: expected at least one"));
  REQUIRE_THAT(error_of(with_count(R"({"unit": "events", "timing": "in_quarter",
                                       "event": {"event_types": ["contact"], "agency_kind": []}})")),
               Catch::Contains("$.measures[0].count.event.agency_kind: unknown member"));
  REQUIRE_THAT(error_of(with_count(R"({"unit": "events", "timing": "in_quarter",
                                       "event": {"event_types": ["contact"],
                                                 "agency_kinds": ["csc", "hospital"]}})")),
               Catch::Contains("$.measures[0].count.event.agency_kinds[1]: expected one of csc"));
  REQUIRE_THAT(error_of(with_count(R"({"unit": "events", "timing": "in_quarter",
                                       "event": {"event_types": ["contact"],
                                                 "to_services": ["CSA Counselling"]}})")),
               Catch::Contains("$.measures[0].count.event.to_services[0]: expected a lower-case"));
  REQUIRE_THAT(
      error_of(with_count(R"({"unit": "events", "timing": "in_quarter",
                                       "event": {"event_types": ["contact"]},
                                       "child_has_category": ["SAB", "sab"]})")),
      Catch::Contains("$.measures[0].count.child_has_category[1]: expected an upper-case"));
}

TEST_CASE("plans need an end and follow-up windows need both halves", "[metrics][definitions]") {
  REQUIRE_THAT(error_of(with_count(R"({"unit": "children", "timing": "in_force_at_quarter_end",
                                       "event": {"event_types": ["cp_plan_start"]}})")),
               Catch::Contains("$.measures[0].count: required member \"ended_by\" is missing"));
  REQUIRE_THAT(error_of(with_count(R"({"unit": "children", "timing": "in_quarter",
                                       "event": {"event_types": ["cp_plan_start"]},
                                       "ended_by": {"event_types": ["cp_plan_end"]}})")),
               Catch::Contains("$.measures[0].count.ended_by: only for timing "
                               "in_force_at_quarter_end"));
  REQUIRE_THAT(error_of(with_count(R"({"unit": "events", "timing": "in_quarter",
                                       "event": {"event_types": ["police_report"]},
                                       "followed_by": [{"event_types": ["abe_interview"]}]})")),
               Catch::Contains("$.measures[0].count: required member \"within_days\" is missing"));
  REQUIRE_THAT(error_of(with_count(R"({"unit": "events", "timing": "in_quarter",
                                       "event": {"event_types": ["police_report"]},
                                       "followed_by": [{"event_types": ["abe_interview"]}],
                                       "within_days": -1})")),
               Catch::Contains("$.measures[0].count.within_days: expected a number of days"));
  REQUIRE_THAT(error_of(with_count(R"({"unit": "events", "timing": "in_quarter",
                                       "event": {"event_types": ["police_report"]},
                                       "followed_by": [{"event_types": ["abe"]}],
                                       "within_days": 30})")),
               Catch::Contains("$.measures[0].count.followed_by[0].event_types[0]: expected one"));
}

TEST_CASE("measure-level and file-level errors name their path", "[metrics][definitions]") {
  const std::string two =
      R"({"id": "t", "version": 1, "quarters": "financial", "measures": [
           {"id": "m", "title": "M", "count": )" +
      std::string(kContacts) + R"(}, {"id": "m", "title": "Again", "count": )" + kContacts + "}]}";
  REQUIRE_THAT(error_of(two), Catch::Contains("$.measures[1].id: measure id m appears twice"));
  REQUIRE_THAT(error_of(R"({"id": "t", "version": 1, "quarters": "fiscal", "measures": []})"),
               Catch::Contains("$.quarters: expected one of financial, calendar"));
  REQUIRE_THAT(error_of(R"({"id": "t", "version": 1, "quarters": "calendar", "measures": []})"),
               Catch::Contains("$.measures: expected at least one measure"));
  REQUIRE_THAT(error_of(R"({"id": "t", "version": 1, "measures": []})"),
               Catch::Contains("$: required member \"quarters\" is missing"));
  REQUIRE_THAT(error_of(R"({"id": "t", "version": 1, "quarters": "calendar", "measures": [
                   {"id": "Bad Id", "title": "M", "count": {}}]})"),
               Catch::Contains("$.measures[0].id: expected a lower-case code"));
  REQUIRE_THAT(error_of(R"({"id": "t", "version": 1, "quarters": "calendar", "measures": [
                   {"id": "p", "title": "P", "numerator": )" +
                        std::string(kContacts) + "}]}"),
               Catch::Contains("$.measures[0]: required member \"denominator\" is missing"));
  REQUIRE_THAT(error_of(R"({"id": "t", "version": 1, "quarters": "calendar", "measures": [
                   {"id": "p", "title": "P", "count": )" +
                        std::string(kContacts) + R"(, "denominator": )" + kContacts + "}]}"),
               Catch::Contains("$.measures[0]: give either \"count\" or \"numerator\""));
  REQUIRE_THAT(error_of(R"({"id": "t", "version": 1, "quarters": "calendar", "measures": [)"),
               Catch::Contains("defs.json: not valid JSON"));
}

TEST_CASE("agency codes must be the partnership's when the agencies are known",
          "[metrics][definitions]") {
  pathaudit::core::AgencyDirectory agencies;
  agencies.add(1, {"CSC", "CSC", "csc"});
  const std::string json = with_count(R"({"unit": "events", "timing": "in_quarter",
                          "event": {"event_types": ["contact"], "agency_codes": ["CSC", "MASH"]}})");
  REQUIRE(error_of(json).empty());  // without a partnership only the shape is checked
  REQUIRE_THAT(error_of(json, &agencies),
               Catch::Contains("$.measures[0].count.event.agency_codes[1]: agency code MASH is not "
                               "one of the partnership's agencies"));
  REQUIRE_THAT(
      error_of(with_count(R"({"unit": "events", "timing": "in_quarter",
                          "event": {"event_types": ["contact"], "agency_codes": ["csc"]}})")),
      Catch::Contains("$.measures[0].count.event.agency_codes[0]: expected an agency code"));
}
