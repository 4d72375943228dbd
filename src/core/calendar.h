// A working-day calendar: Monday to Friday less the bank holidays of one jurisdiction, valid only
// between two dates. Built from data (audit-templates/calendars/*.json, loaded by src/service);
// immutable after construction and so safe to share between threads.
//
// Conventions (DOMAIN.md section 3): day 0 is the start event's date; "within N working days"
// means on or before add_working_days(start, N). A date outside the calendar's range is refused,
// never guessed: an unknown year may hold bank holidays this calendar does not know.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/date.h"

namespace pathaudit::core {

struct Holiday {
  Date date;
  std::string name;
};

class WorkingDayCalendar {
 public:
  // Throws ValidationError if a holiday falls outside [valid_from, valid_to] or valid_to precedes
  // valid_from.
  WorkingDayCalendar(std::string id, Date valid_from, Date valid_to, std::vector<Holiday> holidays);

  const std::string& id() const { return id_; }
  Date valid_from() const { return valid_from_; }
  Date valid_to() const { return valid_to_; }
  const std::vector<Holiday>& holidays() const { return holidays_; }

  bool is_bank_holiday(Date d) const;
  bool is_working_day(Date d) const;

  // The date n working days after start (n >= 0; start itself need not be a working day).
  Date add_working_days(Date start, int n) const;
  // Working days d with from < d <= to; negative when to precedes from. Both dates must be in
  // range.
  int working_days_between(Date from, Date to) const;

 private:
  void require_in_range(Date d, const char* what) const;

  std::string id_;
  Date valid_from_, valid_to_;
  std::vector<Holiday> holidays_;
  std::set<Date> holiday_set_;
};

}  // namespace pathaudit::core
