// The seam for time, so tests can fake it (LevelDB's Env idea, for the clock only). SystemClock is
// stateless and thread-safe; fakes used in tests need not be.
#pragma once

#include <string>

#include "core/date.h"

namespace pathaudit::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // UTC timestamp, ISO 8601 with seconds: 2026-11-22T05:01:02Z.
  virtual std::string now_utc() const = 0;
  // Today's date in UTC.
  virtual Date today() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::string now_utc() const override;
  Date today() const override;
  static const SystemClock& instance();
};

}  // namespace pathaudit::core
