#include "core/calendar.h"

#include <catch2/catch.hpp>

#include "core/errors.h"

using pathaudit::core::Date;
using pathaudit::core::ValidationError;
using pathaudit::core::WorkingDayCalendar;

namespace {

Date d(const char* s) {
  return *Date::parse_iso(s);
}

// A small calendar with the Easter and Christmas of 2025-26 only.
WorkingDayCalendar small() {
  return WorkingDayCalendar("test", d("2025-01-01"), d("2026-12-31"),
                            {{d("2025-04-18"), "Good Friday"},
                             {d("2025-04-21"), "Easter Monday"},
                             {d("2025-12-25"), "Christmas Day"},
                             {d("2025-12-26"), "Boxing Day"},
                             {d("2026-01-01"), "New Year's Day"}});
}

}  // namespace

TEST_CASE("day 0 is the start date and weekends are skipped", "[calendar]") {
  auto cal = small();
  REQUIRE(cal.add_working_days(d("2025-03-07"), 0).iso() == "2025-03-07");
  REQUIRE(cal.add_working_days(d("2025-03-07"), 1).iso() == "2025-03-10");  // Fri -> Mon
  REQUIRE(cal.add_working_days(d("2025-03-08"), 1).iso() == "2025-03-10");  // Sat start
  REQUIRE(cal.working_days_between(d("2025-03-07"), d("2025-03-10")) == 1);
  REQUIRE(cal.working_days_between(d("2025-03-07"), d("2025-03-09")) == 0);
  REQUIRE(cal.working_days_between(d("2025-03-10"), d("2025-03-07")) == -1);
}

TEST_CASE("bank holidays are not working days", "[calendar]") {
  auto cal = small();
  REQUIRE_FALSE(cal.is_working_day(d("2025-04-18")));
  REQUIRE(cal.is_bank_holiday(d("2025-04-21")));
  REQUIRE(cal.add_working_days(d("2025-04-17"), 1).iso() == "2025-04-22");
  REQUIRE(cal.add_working_days(d("2025-12-24"), 1).iso() == "2025-12-29");
  REQUIRE(cal.add_working_days(d("2025-12-31"), 1).iso() == "2026-01-02");
}

TEST_CASE("dates outside the calendar are refused, never guessed", "[calendar]") {
  auto cal = small();
  REQUIRE_THROWS_AS(cal.add_working_days(d("2024-12-31"), 1), ValidationError);
  REQUIRE_THROWS_AS(cal.add_working_days(d("2026-12-30"), 5), ValidationError);
  REQUIRE_THROWS_AS(cal.working_days_between(d("2025-06-01"), d("2027-01-04")), ValidationError);
  REQUIRE_THROWS_WITH(cal.is_working_day(d("2027-01-04")),
                      Catch::Contains("outside calendar test"));
}

TEST_CASE("a holiday outside the calendar's range is refused", "[calendar]") {
  REQUIRE_THROWS_AS(
      WorkingDayCalendar("bad", d("2025-01-01"), d("2025-12-31"), {{d("2026-01-01"), "NYD"}}),
      ValidationError);
  REQUIRE_THROWS_AS(WorkingDayCalendar("bad", d("2025-01-01"), d("2024-12-31"), {}),
                    ValidationError);
}

TEST_CASE("counting and adding working days agree over long spans", "[calendar]") {
  auto cal = small();
  for (Date start = d("2025-01-01"); start < d("2026-10-01"); start = start.plus_days(3)) {
    for (int n : {1, 5, 15, 45}) {
      const Date end = cal.add_working_days(start, n);
      INFO(start.iso() << " + " << n << " = " << end.iso());
      REQUIRE(cal.is_working_day(end));
      REQUIRE(cal.working_days_between(start, end) == n);
      REQUIRE(cal.working_days_between(start, end.plus_days(-1)) == n - 1);
    }
  }
}
