#include "core/clock.h"

#include <chrono>
#include <cstdio>

namespace pathaudit::core {

std::string SystemClock::now_utc() const {
  using namespace std::chrono;
  const auto now = floor<seconds>(system_clock::now());
  const auto day = floor<days>(now);
  const Date d = Date::from_days(static_cast<std::int32_t>(day.time_since_epoch().count()));
  const hh_mm_ss hms{now - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", d.iso().c_str(),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

Date SystemClock::today() const {
  using namespace std::chrono;
  const auto day = floor<days>(system_clock::now());
  return Date::from_days(static_cast<std::int32_t>(day.time_since_epoch().count()));
}

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace pathaudit::core
