// Reading linked events for analysis (rules, sampling, metrics) as core::Event values: the plain
// columns only, never a sealed field, so nothing here needs a key or reads case content.
// Functions borrow a Session inside a transaction. Not thread-safe, except as LinkedEvents says.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "store/database.h"

namespace pathaudit::store {

core::AgencyDirectory load_agencies(Session& s);

enum class EventDetail : int;

// Every linked child's events, read in one scan of the events table and held in a compact form
// (about 90 bytes an event: the text columns are interned, as they repeat a small vocabulary), so
// the scan is made once however many events there are, and children can be expanded in any order.
// Built by read_linked_events, immutable afterwards: its const members may be called from several
// threads at once. Holds a reference to the AgencyDirectory it was read with, which must outlive
// it.
class LinkedEvents {
 public:
  // Children with at least one event, in child id order.
  std::size_t child_count() const { return children_.size(); }
  std::size_t event_count() const { return packed_.size(); }
  // The latest event date in the store (the extract's horizon), linked or not; nullopt when there
  // are no events.
  const std::optional<core::Date>& latest_event_date() const { return latest_; }
  // Replaces `out` with the events of child `i` (0 <= i < child_count()) sorted by
  // core::sort_events, and returns that child's id. Reuses `out`'s storage.
  std::int64_t child(std::size_t i, std::vector<core::Event>& out) const;

 private:
  friend LinkedEvents read_linked_events(Session& s, const core::AgencyDirectory& agencies,
                                         EventDetail detail);
  // An event with its text columns as indexes into texts_, participants_ and categories_.
  struct Packed {
    std::int64_t id = 0;
    core::RefKey ref{};
    core::RefKey relates_to{};
    std::int32_t date = 0;  // core::Date::days()
    std::int32_t agency = 0;
    std::int32_t to_agency = 0;
    std::int32_t age_years = 0;
    std::uint32_t sex = 0, entry_point = 0, to_service = 0, outcome = 0;
    std::uint32_t participants = 0, category = 0;
    core::EventType type = core::EventType::contact;
    bool has_age = false;
    bool has_relates_to = false;
  };
  struct Child {
    std::int64_t id;
    std::size_t begin, end;  // its events in packed_
  };
  explicit LinkedEvents(const core::AgencyDirectory& agencies) : agencies_(&agencies) {}

  const core::AgencyDirectory* agencies_;
  std::vector<Packed> packed_;  // grouped by child, in child id order
  std::vector<Child> children_;
  std::vector<std::string> texts_;                    // index 0 is ""
  std::vector<std::vector<int>> participants_;        // parsed participants columns
  std::vector<std::vector<std::string>> categories_;  // parsed category columns
  std::optional<core::Date> latest_;
};

// Which of an event's columns read_linked_events decodes.
enum class EventDetail : int {
  all,
  // All but the child's sex, age and entry point, which the rules engine never reads (so they
  // come out empty): three columns fewer to decode on every row of the flags pass.
  rules,
};

// Reads every linked event (events without a link row are skipped) in one sequential scan of the
// events table, each row joined to its link row by event id.
//
// Cost: about 90 bytes per linked event held (near 90 MB for 1,000,000 events), plus 20 bytes per
// child while reading.
LinkedEvents read_linked_events(Session& s, const core::AgencyDirectory& agencies,
                                EventDetail detail = EventDetail::all);

// Calls visit(child_id, events) once per linked child, in child id order, with that child's events
// sorted by core::sort_events; visit may modify the vector. Events not linked to a child are
// skipped. Reads through read_linked_events, so costs the same.
void for_each_child(Session& s, const core::AgencyDirectory& agencies,
                    const std::function<void(std::int64_t, std::vector<core::Event>&)>& visit);

}  // namespace pathaudit::store
