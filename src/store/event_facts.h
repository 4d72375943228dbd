// Reading linked events for analysis (rules, sampling, metrics) as core::Event values: the plain
// columns only, never a sealed field, so nothing here needs a key or reads case content.
// Functions borrow a Session inside a transaction. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/event.h"
#include "store/database.h"

namespace pathaudit::store {

core::AgencyDirectory load_agencies(Session& s);

// Calls visit(child_id, events) once per linked child, in child id order, with that child's events
// sorted by core::sort_events; visit may modify the vector. Events not linked to a child are
// skipped.
//
// Cost: the link list (event id, child id) is held throughout, about 16 bytes per linked event.
// Events are read in passes over ranges of consecutive children; a pass holds about 300,000 events
// (some 250 bytes each, so near 75 MB), more only by the events of its last child. Each pass scans
// the whole events table in id order: one scan per 300,000 linked events or so, at least one.
void for_each_child(Session& s, const core::AgencyDirectory& agencies,
                    const std::function<void(std::int64_t, std::vector<core::Event>&)>& visit);

// The latest event date in the store (the extract's horizon), nullopt when there are no events.
std::optional<core::Date> latest_event_date(Session& s);

}  // namespace pathaudit::store
