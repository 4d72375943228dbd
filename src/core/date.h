// A calendar date (proleptic Gregorian, no time zone) and the arithmetic the domain needs: ISO
// parsing, day counts, weekdays and calendar months. A value type; thread-safe as any int.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pathaudit::core {

class Date {
 public:
  // Days since 1970-01-01; dates are stored this way so comparison and differences are integer ops.
  constexpr Date() = default;
  static constexpr Date from_days(std::int32_t days) { return Date(days); }
  // Throws ValidationError for an impossible date (2023-02-29, month 13).
  static Date from_ymd(int year, int month, int day);
  // Strict YYYY-MM-DD with a real calendar date, else nullopt.
  static std::optional<Date> parse_iso(std::string_view text);

  constexpr std::int32_t days() const { return days_; }
  int year() const;
  int month() const;
  int day() const;
  // ISO weekday: 1 = Monday ... 7 = Sunday.
  int iso_weekday() const;
  bool is_weekend() const { return iso_weekday() >= 6; }
  std::string iso() const;

  Date plus_days(std::int32_t n) const { return Date(days_ + n); }
  // Calendar months: the same day number n months on, clamped to the month's last day (31 January
  // plus one month is 28 or 29 February), the usual reading of "within 3 months".
  Date plus_months(int n) const;

  friend constexpr auto operator<=>(Date, Date) = default;
  friend constexpr std::int32_t operator-(Date a, Date b) { return a.days_ - b.days_; }

 private:
  constexpr explicit Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;
};

bool is_leap_year(int year);
// Whole years of age on `at` for someone born on `dob` (a 29 February birthday counts on 1 March
// in non-leap years). Negative if `at` precedes `dob`.
int age_in_years(Date dob, Date at);
int days_in_month(int year, int month);

}  // namespace pathaudit::core
