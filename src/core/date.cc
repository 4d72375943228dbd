#include "core/date.h"

#include <cstdio>

#include "core/errors.h"

namespace pathaudit::core {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days: exact for the whole int32 day range.
std::int32_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int y, m, d;
};

Civil civil_from_days(std::int32_t z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = yoe + era * 400;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp + (mp < 10 ? 3 : -9);
  return {y + (m <= 2), m, d};
}

}  // namespace

bool is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int age_in_years(Date dob, Date at) {
  int age = at.year() - dob.year();
  if (at.month() < dob.month() || (at.month() == dob.month() && at.day() < dob.day()))
    --age;
  return age;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

Date Date::from_ymd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > days_in_month(year, month)) {
    throw ValidationError("not a calendar date: year " + std::to_string(year) + ", month " +
                          std::to_string(month) + ", day " + std::to_string(day));
  }
  return Date(days_from_civil(year, month, day));
}

std::optional<Date> Date::parse_iso(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-')
    return std::nullopt;
  auto digits = [&](size_t from, size_t n) -> int {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9')
        return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  const int y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
    return std::nullopt;
  return Date(days_from_civil(y, m, d));
}

int Date::year() const {
  return civil_from_days(days_).y;
}
int Date::month() const {
  return civil_from_days(days_).m;
}
int Date::day() const {
  return civil_from_days(days_).d;
}

int Date::iso_weekday() const {
  // 1970-01-01 was a Thursday (ISO 4).
  const int w = ((days_ % 7) + 7 + 3) % 7;  // 0 = Monday
  return w + 1;
}

std::string Date::iso() const {
  const Civil c = civil_from_days(days_);
  if (c.y < 0 || c.y > 9999) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.y, c.m, c.d);
    return buf;
  }
  // Written by hand: an import formats two or three dates a row, and snprintf was a tenth of the
  // parsing thread's time (bench/import).
  std::string out = "0000-00-00";
  auto put = [&](std::size_t at, int v, int digits) {
    for (int i = digits - 1; i >= 0; --i, v /= 10)
      out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(0, c.y, 4);
  put(5, c.m, 2);
  put(8, c.d, 2);
  return out;
}

Date Date::plus_months(int n) const {
  const Civil c = civil_from_days(days_);
  const int total = c.y * 12 + (c.m - 1) + n;
  const int y = total / 12, m = total % 12 + 1;
  const int d = c.d <= days_in_month(y, m) ? c.d : days_in_month(y, m);
  return Date(days_from_civil(y, m, d));
}

}  // namespace pathaudit::core
