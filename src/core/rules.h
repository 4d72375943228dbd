// The rules engine (DESIGN.md section 5): one child's events in, flags out. Pure: no I/O, no clock;
// a RuleEngine is immutable after construction and may evaluate children from several threads.
//
// A rule set is data (audit-templates/rules/*/N.json, read by src/service/rule_set_file): each rule
// names an evaluator, a severity and that evaluator's parameters, so a partnership can write local
// rules (other windows, other attendance, other timescales) without code. The evaluators and their
// exact semantics are documented in docs/rules.md; in short:
//
//   duplicate_referral  referrals of one kind to the same service by different agencies in a window
//   repeated_account    account-taking events by several agencies within a window
//   attendance          a meeting whose participants lack a required agency kind
//   shared_after        an event not shared with an agency kind, relating to it, within a period
//   outcome_shared      an outcome not shared with every agency involved in the days before it
//   timescale           an end event later than a limit after its start event (or missing)
//   review_schedule     review conferences later than the first and later intervals (or missing)
//   follow_up           a trigger event for a child with given codes and no follow-up in time
//   outcome_wording     an outcome recorded with a discouraged code
//
// Conventions (DOMAIN.md section 3): day 0 is the start event's date; "within N working days" is on
// or before add_working_days(start, N); calendar days are inclusive (later - earlier <= N); months
// are Date::plus_months. A requirement that can still be met (its deadline is after the data's
// horizon, the latest event date) is pending, not a flag. A working-day check with a date outside
// the calendar is not guessed: it is counted in EvaluationStats::outside_calendar.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/calendar.h"
#include "core/date.h"
#include "core/event.h"

namespace pathaudit::core {

enum class Severity : std::uint8_t { low, medium, high };
std::string_view severity_name(Severity s);
std::optional<Severity> parse_severity(std::string_view name);

// A length of time: calendar days, working days or calendar months.
struct Period {
  enum class Unit : std::uint8_t { days, working_days, months };
  Unit unit = Unit::days;
  int amount = 0;
  std::string describe() const;  // "5 working days", "3 months", "90 days"
};

// Which events a rule looks at: a type, optionally only from one agency kind or with one outcome.
struct EventSelector {
  EventType type = EventType::contact;
  std::string agency_kind;  // empty: any
  std::string outcome;      // empty: any
  bool matches(const Event& e, const AgencyDirectory& agencies) const;
};

struct DuplicateReferralRule {
  EventType type = EventType::specialist_referral;
  int window_days = 90;
};
struct RepeatedAccountRule {
  std::vector<EventType> account_types;
  int min_events = 3;
  int min_agencies = 2;
  int window_days = 180;
};
struct AttendanceRule {
  EventType type = EventType::strategy_discussion;
  std::vector<std::string> required_kinds;  // each must be present among the participants
};
struct SharedAfterRule {
  std::vector<EventType> types;
  std::vector<std::string> to_kinds;  // shared with an agency of any of these kinds
  Period within;
};
struct OutcomeSharedRule {
  std::vector<EventType> types;
  int involvement_days = 90;  // agencies with an event in [d - N, d] are involved
  Period within;
};
struct TimescaleRule {
  EventSelector start;
  EventSelector end;
  Period limit;
  // Which event the check is made for: each start (looking for its end; a missing end is late
  // once the deadline has passed) or each end (looking back for its start).
  enum class Anchor : std::uint8_t { start, end };
  Anchor anchor = Anchor::start;
};
struct ReviewScheduleRule {
  EventType start = EventType::icpc;
  EventType review = EventType::review_conference;
  EventType plan_start = EventType::cp_plan_start;
  EventType plan_end = EventType::cp_plan_end;
  Period first;  // from the start event to the first review
  Period later;  // between reviews
};
struct FollowUpRule {
  EventType trigger = EventType::s47_start;
  std::vector<std::string> child_codes;  // the child has any of these on any event
  std::vector<EventType> follow_up_types;
  Period within;
};
struct OutcomeWordingRule {
  EventType type = EventType::police_outcome;
  std::vector<std::string> discouraged;
  std::string preferred;
};

using RuleParameters = std::variant<DuplicateReferralRule, RepeatedAccountRule, AttendanceRule,
                                    SharedAfterRule, OutcomeSharedRule, TimescaleRule,
                                    ReviewScheduleRule, FollowUpRule, OutcomeWordingRule>;

// The evaluator names used in rule-set files, in RuleParameters order.
const std::vector<std::string>& evaluator_names();

struct Rule {
  std::string id;
  Severity severity = Severity::medium;
  std::string title;  // a short heading for reports
  std::string basis;  // the statutory or local basis, for docs and exports
  RuleParameters parameters;
};

struct RuleSet {
  std::string key;  // "default"
  int version = 1;
  std::string title;
  std::string calendar;  // calendar id the timescales use
  std::vector<Rule> rules;
  std::string version_label() const;  // "default@1"
};

struct Flag {
  const Rule* rule = nullptr;
  std::int64_t child_id = 0;
  int agency = 0;                      // the agency whose record the flag is about
  std::vector<std::int64_t> evidence;  // event ids, in the rule's evidence order
  std::string detail;                  // one sentence; agency codes, dates and codes only
  // The evidence as it stands (ids, types, dates, outcomes): a flag an auditor confirmed or
  // dismissed keeps that status while this is unchanged.
  std::string evidence_signature;
};

struct EvaluationStats {
  std::int64_t children = 0;
  std::int64_t events = 0;
  std::int64_t outside_calendar = 0;  // checks not made: a date outside the calendar's range
  // Timescale checks whose outcome is known (met or late, not still pending), by rule id: the
  // denominators of timeliness, whose numerators are the rules' flags. Only checks measured from
  // an event dated within [count_from, count_to] are counted, when those are set.
  std::map<std::string, std::int64_t> timescale_checks;
  std::optional<Date> count_from, count_to;

  // Adds the counts of other children's evaluation (made with the same window) to these, so
  // children can be evaluated in parts, on several threads, and the parts' counts joined.
  void add(const EvaluationStats& other);
};

class RuleEngine {
 public:
  // `horizon`: the latest date the data covers; requirements due after it are pending. The rule
  // set, calendar and directory must outlive the engine.
  RuleEngine(const RuleSet& rules, const WorkingDayCalendar& calendar,
             const AgencyDirectory& agencies, Date horizon);

  // Appends the flags of one child's events (sorted by core::sort_events) to `out`. Reads no
  // event's sex, age_years or entry_point: the flags pass does not load them
  // (store::EventDetail::rules), so a rule that needs them must change that too.
  void evaluate(const std::vector<Event>& events, std::vector<Flag>& out,
                EvaluationStats& stats) const;

  // Only the rule with this id (empty: all).
  void restrict_to(std::string rule_id) { only_ = std::move(rule_id); }

 private:
  const RuleSet& rules_;
  const WorkingDayCalendar& calendar_;
  const AgencyDirectory& agencies_;
  Date horizon_;
  std::string only_;
};

}  // namespace pathaudit::core
