#include "core/calendar.h"

#include <algorithm>

#include "core/errors.h"

namespace pathaudit::core {

WorkingDayCalendar::WorkingDayCalendar(std::string id, Date valid_from, Date valid_to,
                                       std::vector<Holiday> holidays)
    : id_(std::move(id)),
      valid_from_(valid_from),
      valid_to_(valid_to),
      holidays_(std::move(holidays)) {
  if (valid_to_ < valid_from_) {
    throw ValidationError("calendar " + id_ + ": valid_to " + valid_to_.iso() +
                          " precedes valid_from " + valid_from_.iso());
  }
  std::sort(holidays_.begin(), holidays_.end(),
            [](const Holiday& a, const Holiday& b) { return a.date < b.date; });
  for (const Holiday& h : holidays_) {
    if (h.date < valid_from_ || h.date > valid_to_) {
      throw ValidationError("calendar " + id_ + ": holiday " + h.date.iso() + " is outside " +
                            valid_from_.iso() + " to " + valid_to_.iso());
    }
    holiday_set_.insert(h.date);
  }
}

void WorkingDayCalendar::require_in_range(Date d, const char* what) const {
  if (d < valid_from_ || d > valid_to_) {
    throw ValidationError(std::string(what) + " " + d.iso() + " is outside calendar " + id_ + " (" +
                          valid_from_.iso() + " to " + valid_to_.iso() +
                          "); extend the calendar's bank holidays to cover it");
  }
}

bool WorkingDayCalendar::is_bank_holiday(Date d) const {
  require_in_range(d, "date");
  return holiday_set_.count(d) > 0;
}

bool WorkingDayCalendar::is_working_day(Date d) const {
  require_in_range(d, "date");
  return !d.is_weekend() && holiday_set_.count(d) == 0;
}

Date WorkingDayCalendar::add_working_days(Date start, int n) const {
  require_in_range(start, "start date");
  if (n < 0)
    throw ValidationError("working days to add must not be negative");
  Date d = start;
  while (n > 0) {
    d = d.plus_days(1);
    require_in_range(d, "date");
    if (is_working_day(d))
      --n;
  }
  return d;
}

int WorkingDayCalendar::working_days_between(Date from, Date to) const {
  require_in_range(from, "start date");
  require_in_range(to, "end date");
  if (to < from)
    return -working_days_between(to, from);
  // Whole weeks contribute five weekdays each; then walk the remainder and subtract holidays.
  const int span = to - from;
  int weekdays = (span / 7) * 5;
  for (Date d = from.plus_days((span / 7) * 7 + 1); d <= to; d = d.plus_days(1)) {
    if (!d.is_weekend())
      ++weekdays;
  }
  const auto lo = holiday_set_.upper_bound(from);
  const auto hi = holiday_set_.upper_bound(to);
  for (auto it = lo; it != hi; ++it) {
    if (!it->is_weekend())
      --weekdays;
  }
  return weekdays;
}

}  // namespace pathaudit::core
