// An imported event as analysis sees it (rules, sampling, metrics): what happened, when, by which
// agency, for which child. It carries no identifier and no free text: the pseudonymised and sealed
// columns stay in the store. Value types; safe to share const between threads.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/agency.h"
#include "core/date.h"

namespace pathaudit::core {

// The event_type vocabulary of DESIGN.md section 3, in the order of core::event_types().
enum class EventType : std::uint8_t {
  concern_identified,
  contact,
  referral,
  referral_decision,
  early_help_assessment,
  strategy_discussion,
  s47_start,
  s47_outcome,
  assessment_start,
  assessment_complete,
  abe_interview,
  medical_assessment,
  icpc,
  cp_plan_start,
  core_group,
  review_conference,
  cp_plan_end,
  cin_plan_start,
  police_report,
  crime_recorded,
  police_outcome,
  specialist_referral,
  specialist_assessment,
  therapeutic_support_start,
  information_shared,
  case_closed,
};

std::optional<EventType> parse_event_type(std::string_view name);
std::string_view event_type_name(EventType type);

// The first 16 bytes of an event reference pseudonym: enough to tell one agency's events apart
// and to follow relates_to, never enough to recover the reference.
using RefKey = std::array<std::uint8_t, 16>;

struct Event {
  std::int64_t id = 0;  // store row id: stable when the same (agency, event_id) is re-imported
  std::int64_t child_id = 0;
  int agency = 0;  // agency id (AgencyDirectory)
  EventType type = EventType::contact;
  Date date;
  std::optional<int> age_years;  // the child's age on the event date, when a dob was recorded
  std::string sex;               // F, M, X, U or empty
  std::string entry_point;
  int to_agency = 0;  // 0 when none
  std::string to_service;
  std::vector<int> participants;      // agency ids
  std::string outcome;                // lower-case code or empty
  std::vector<std::string> category;  // CP category and assessment factor codes
  RefKey ref{};
  std::optional<RefKey> relates_to;  // an event of the same agency

  bool has_category(std::string_view code) const;
};

// The partnership's agencies by store id. Immutable once filled; thread-safe to share const.
class AgencyDirectory {
 public:
  void add(int id, Agency agency);
  const Agency* find(int id) const;
  std::optional<int> id_of(std::string_view code) const;
  // "" for an unknown id, so messages never fail on a deleted agency.
  const std::string& code(int id) const;
  const std::string& kind(int id) const;
  const std::unordered_map<int, Agency>& all() const { return by_id_; }

 private:
  std::unordered_map<int, Agency> by_id_;
  std::unordered_map<std::string, int> by_code_;
};

// One child's events sorted by date, then agency code, then store id: the order evidence lists and
// explanations use.
void sort_events(std::vector<Event>& events, const AgencyDirectory& agencies);

}  // namespace pathaudit::core
