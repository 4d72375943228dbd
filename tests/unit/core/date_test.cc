#include "core/date.h"

#include <catch2/catch.hpp>
#include <cstdio>

#include "core/errors.h"

using pathaudit::core::Date;

TEST_CASE("ISO dates parse strictly and round-trip", "[date]") {
  REQUIRE(Date::parse_iso("2024-02-29")->iso() == "2024-02-29");
  REQUIRE_FALSE(Date::parse_iso("2023-02-29"));
  REQUIRE_FALSE(Date::parse_iso("2024-1-05"));
  REQUIRE_FALSE(Date::parse_iso("2024-13-01"));
  REQUIRE_FALSE(Date::parse_iso("2024-00-10"));
  REQUIRE_FALSE(Date::parse_iso("2024-04-31"));
  REQUIRE_FALSE(Date::parse_iso("2024-04-3a"));
  REQUIRE_FALSE(Date::parse_iso(" 2024-04-03"));
  REQUIRE(Date::parse_iso("1970-01-01")->days() == 0);
  REQUIRE(Date::parse_iso("2000-03-01")->days() - Date::parse_iso("2000-02-28")->days() == 2);
  REQUIRE_THROWS_AS(Date::from_ymd(2023, 2, 29), pathaudit::core::ValidationError);
}

TEST_CASE("every day from year 1 to 9999 writes as its ISO text and reads back", "[date]") {
  int checked = 0;
  for (int y = 1; y <= 9999; ++y) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= pathaudit::core::days_in_month(y, m); ++d) {
        char want[40];
        std::snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
        const Date date = Date::from_ymd(y, m, d);
        if (date.iso() != want || Date::parse_iso(want)->days() != date.days()) {
          FAIL(want << " wrote as " << date.iso());
        }
        ++checked;
      }
    }
  }
  REQUIRE(checked == 3652059);  // days in the proleptic Gregorian years 1 to 9999
  REQUIRE(Date::parse_iso("0999-12-31")->plus_days(1).iso() == "1000-01-01");
}

TEST_CASE("weekdays are ISO numbered", "[date]") {
  REQUIRE(Date::parse_iso("2026-11-22")->iso_weekday() == 7);  // a Sunday
  REQUIRE(Date::parse_iso("2025-04-18")->iso_weekday() == 5);  // Good Friday 2025
  REQUIRE(Date::parse_iso("1969-12-29")->iso_weekday() == 1);  // before the epoch
  REQUIRE(Date::parse_iso("2026-12-26")->is_weekend());
}

TEST_CASE("calendar months clamp to the end of the shorter month", "[date]") {
  auto d = [](const char* s) { return *Date::parse_iso(s); };
  REQUIRE(d("2024-01-31").plus_months(1).iso() == "2024-02-29");
  REQUIRE(d("2025-01-31").plus_months(1).iso() == "2025-02-28");
  REQUIRE(d("2025-11-15").plus_months(3).iso() == "2026-02-15");
  REQUIRE(d("2025-08-31").plus_months(6).iso() == "2026-02-28");
  REQUIRE(d("2025-03-10").plus_months(-3).iso() == "2024-12-10");
}

TEST_CASE("age in whole years turns over on the birthday", "[date]") {
  auto d = [](const char* s) { return *Date::parse_iso(s); };
  REQUIRE(pathaudit::core::age_in_years(d("2014-06-03"), d("2025-06-02")) == 10);
  REQUIRE(pathaudit::core::age_in_years(d("2014-06-03"), d("2025-06-03")) == 11);
  REQUIRE(pathaudit::core::age_in_years(d("2016-02-29"), d("2025-02-28")) == 8);
  REQUIRE(pathaudit::core::age_in_years(d("2016-02-29"), d("2025-03-01")) == 9);
  REQUIRE(pathaudit::core::age_in_years(d("2025-01-01"), d("2025-01-01")) == 0);
}
