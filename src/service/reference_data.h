// Loading the partnership file and the working-day calendars from their JSON files into core types,
// with errors naming the file and JSON path. Stateless; thread-safe.
#pragma once

#include <string>

#include "core/agency.h"
#include "core/calendar.h"

namespace pathaudit::service {

// The partnership file of DESIGN.md section 3 (contract).
core::Partnership load_partnership(const std::string& file);

// audit-templates/calendars/<id>.json.
core::WorkingDayCalendar load_calendar(const std::string& file);

}  // namespace pathaudit::service
