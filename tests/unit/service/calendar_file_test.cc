// The shipped England and Wales calendar, loaded through the service as the rules engine will.
#include <catch2/catch.hpp>

#include "core/errors.h"
#include "service/reference_data.h"
#include "test_support.h"

using pathaudit::core::Date;
using pathaudit::core::ValidationError;

namespace {

const pathaudit::core::WorkingDayCalendar& cal() {
  static const auto c = pathaudit::service::load_calendar(std::string(PATHAUDIT_TEMPLATES_DIR) +
                                                          "/calendars/england-and-wales.json");
  return c;
}

Date d(const char* s) {
  return *Date::parse_iso(s);
}

}  // namespace

TEST_CASE("the shipped calendar has every bank holiday of DOMAIN.md for 2022 to 2027",
          "[calendar]") {
  REQUIRE(cal().holidays().size() == 51);
  REQUIRE(cal().valid_from().iso() == "2022-01-01");
  REQUIRE(cal().valid_to().iso() == "2027-12-31");
  for (const char* h : {"2022-06-03", "2022-09-19", "2023-05-08", "2026-12-28", "2027-12-27"}) {
    INFO(h);
    REQUIRE(cal().is_bank_holiday(d(h)));
  }
}

TEST_CASE("Easter: Good Friday and Easter Monday are skipped", "[calendar]") {
  // Referral received Thursday before Easter 2025; the decision is due the Tuesday after.
  REQUIRE(cal().add_working_days(d("2025-04-17"), 1).iso() == "2025-04-22");
  // ICPC 15 working days after a strategy discussion on 9 April 2025 (Easter in between).
  REQUIRE(cal().add_working_days(d("2025-04-09"), 15).iso() == "2025-05-02");
  REQUIRE(cal().working_days_between(d("2025-04-09"), d("2025-05-02")) == 15);
  // Easter 2024 straddles March and April.
  REQUIRE(cal().add_working_days(d("2024-03-28"), 1).iso() == "2024-04-02");
}

TEST_CASE("Christmas with substitute days", "[calendar]") {
  // 2026: Boxing Day falls on a Saturday, substitute Monday 28 December.
  REQUIRE(cal().add_working_days(d("2026-12-24"), 1).iso() == "2026-12-29");
  // 2027: both days fall at the weekend; substitutes on Monday 27 and Tuesday 28.
  REQUIRE(cal().add_working_days(d("2027-12-24"), 1).iso() == "2027-12-29");
  // 2022: Christmas Day on a Sunday, substitute Tuesday 27 December.
  REQUIRE(cal().add_working_days(d("2022-12-23"), 1).iso() == "2022-12-28");
  REQUIRE(cal().working_days_between(d("2022-12-23"), d("2023-01-03")) == 4);
}

TEST_CASE("year ends carry across New Year's Day", "[calendar]") {
  REQUIRE(cal().add_working_days(d("2025-12-31"), 1).iso() == "2026-01-02");
  REQUIRE(cal().add_working_days(d("2023-12-29"), 1).iso() == "2024-01-02");
  // 2023: New Year's Day on a Sunday, substitute Monday 2 January.
  REQUIRE(cal().add_working_days(d("2022-12-30"), 1).iso() == "2023-01-03");
}

TEST_CASE("the calendar refuses dates beyond its data", "[calendar]") {
  REQUIRE_THROWS_AS(cal().add_working_days(d("2027-12-30"), 2), ValidationError);
  REQUIRE_THROWS_AS(cal().is_working_day(d("2021-12-31")), ValidationError);
}

TEST_CASE("a calendar file's errors name the JSON path", "[calendar]") {
  pathaudit::testing::TempDir tmp;
  const std::string f = tmp / "cal.json";
  pathaudit::testing::write_file(
      f, R"({"id": "x", "version": 1, "name": "x", "valid_from": "2025-01-01",
            "valid_to": "2025-12-31", "holidays": [{"date": "2025-12-25", "name": "Xmas"},
            {"date": "2025-13-01", "name": "bad"}]})");
  REQUIRE_THROWS_WITH(pathaudit::service::load_calendar(f),
                      Catch::Contains("cal.json: $.holidays[1].date: expected a date"));
  pathaudit::testing::write_file(
      f, R"({"id": "x", "version": 1, "name": "x", "valid_from": "2025-01-01",
            "valid_to": "2025-12-31", "holidays": [], "colour": "red"})");
  REQUIRE_THROWS_WITH(pathaudit::service::load_calendar(f), Catch::Contains("$.colour: unknown"));
}
