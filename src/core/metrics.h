// Baseline measures (DOMAIN.md section 6) by quarter: pure computation over linked events. The
// local definitions are data (audit-templates/metrics/*.json, read by service/metrics.h); this file
// only evaluates them. docs/metrics.md describes every measure and how to change it.
//
// Use: build a MetricsEngine from the definitions and the agencies, feed it one child's events at a
// time (add_child), then ask for rows over a range of quarters. Memory is per quarter and per
// measure, never per child or event, so a million events cost the same as a hundred. The engine
// counts raw numbers: disclosure control belongs to the exports that show them to boards.
//
// Value types are immutable once built and thread-safe to share const; a MetricsEngine is not
// thread-safe (one per computation).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/event.h"

namespace pathaudit::core {

// Calendar quarters (Q1 = January to March) or UK financial-year quarters (Q1 = April to June, the
// year local authorities, the police and the NHS report in).
enum class QuarterScheme { financial, calendar };

std::optional<QuarterScheme> parse_quarter_scheme(std::string_view name);
std::string_view quarter_scheme_name(QuarterScheme scheme);

// One quarter of a scheme. `year` is the calendar year the quarter's year starts in (2024 for the
// financial year 2024-25); `number` is 1 to 4.
class Quarter {
 public:
  static Quarter containing(Date date, QuarterScheme scheme);

  QuarterScheme scheme() const { return scheme_; }
  int year() const { return year_; }
  int number() const { return number_; }
  Date first_day() const;
  Date last_day() const;
  Quarter next() const;
  // "2024-25 Q1" (financial) or "2024 Q1" (calendar).
  std::string label() const;
  // Consecutive quarters of one scheme have consecutive ordinals.
  int ordinal() const { return year_ * 4 + number_ - 1; }

  friend bool operator==(const Quarter& a, const Quarter& b) {
    return a.scheme_ == b.scheme_ && a.ordinal() == b.ordinal();
  }

 private:
  Quarter(QuarterScheme scheme, int year, int number)
      : scheme_(scheme), year_(year), number_(number) {}
  QuarterScheme scheme_;
  int year_;
  int number_;
};

// Which events a measure looks at. Every list that is not empty must match (lists are alternatives
// within, conditions across); event_types is never empty.
struct EventFilter {
  std::vector<EventType> event_types;
  std::vector<std::string> agency_kinds;     // the recording agency's kind
  std::vector<std::string> agency_codes;     // the recording agency's code
  std::vector<std::string> to_agency_kinds;  // the receiving agency's kind (to_agency)
  std::vector<std::string> to_services;
  std::vector<std::string> outcomes;
  std::vector<std::string> categories;  // the event carries at least one of these codes

  bool matches(const Event& event, const AgencyDirectory& agencies) const;
  // "cp_plan_start by a csc agency with category SAB": for definition text.
  std::string describe() const;
};

enum class CountUnit { events, children };

enum class Timing {
  // An event counts in the quarter of its date.
  in_quarter,
  // A plan (opened by the event, closed by `ended_by`) counts at every quarter end it is in force.
  in_force_at_quarter_end,
};

// One number per quarter: the count a measure shows, or one side of a proportion.
struct CountDefinition {
  CountUnit unit = CountUnit::events;
  Timing timing = Timing::in_quarter;
  EventFilter event;
  // Only children with at least one event (any agency, any date) carrying one of these codes;
  // empty: every child.
  std::vector<std::string> child_has_category;
  // in_force_at_quarter_end only: the events that end a plan.
  std::optional<EventFilter> ended_by;
  // in_quarter only: the event counts only when the same child has an event matching one of these,
  // dated from the event's date to within_days calendar days after it. Empty: no such condition.
  std::vector<EventFilter> followed_by;
  int within_days = 0;

  // A sentence stating exactly what is counted, generated from the definition so it cannot drift.
  std::string describe() const;
};

struct MeasureDefinition {
  std::string id;      // lower-case code token, unique in a definitions set
  std::string title;   // for people
  std::string source;  // where the measure comes from (seed document, national code, local choice)
  CountDefinition count;                       // the count, or the numerator of a proportion
  std::optional<CountDefinition> denominator;  // set: the measure is a proportion

  bool is_proportion() const { return denominator.has_value(); }
  std::string describe() const;
};

struct MetricsDefinitions {
  std::string id;
  std::int64_t version = 0;
  std::string name;
  QuarterScheme quarters = QuarterScheme::financial;
  std::vector<MeasureDefinition> measures;
};

// One measure in one quarter. Counts: `numerator` is the count and `denominator` is empty.
// Proportions: both set; value() is their ratio, nullopt when the denominator is zero.
struct MetricRow {
  std::string measure;
  Quarter quarter;
  std::int64_t numerator = 0;
  std::optional<std::int64_t> denominator;

  std::optional<double> value() const;
};

// A plan of one child: [start, end) in days. `end` is nullopt while the plan is open. Exposed for
// tests and for explanations; the engine uses it internally.
struct PlanPeriod {
  Date start;
  std::optional<Date> end;
  const Event* opened_by = nullptr;
};

// A child's plans under a definition: every event matching `starts` (categories ignored: a plan of
// any category occupies the child) opens a plan. A plan ends at the earliest of: an `ends` event
// whose relates_to names the plan's start; an `ends` event dated on or after the start that relates
// to no start of this child; the next plan's start (a child has one plan at a time, so a new start
// replaces the open plan). A plan is in force on day D when start <= D < end. `events` must be
// sorted by date (core::sort_events).
std::vector<PlanPeriod> plan_periods(const std::vector<Event>& events, const EventFilter& starts,
                                     const EventFilter& ends, const AgencyDirectory& agencies);

class MetricsEngine {
 public:
  // Borrows `agencies`, which must outlive the engine; copies the definitions.
  MetricsEngine(MetricsDefinitions definitions, const AgencyDirectory& agencies);

  // One child's events, sorted by core::sort_events. Each child must be added once.
  void add_child(const std::vector<Event>& events);

  // The dates of the earliest and latest event added, nullopt before any.
  std::optional<Date> first_event_date() const { return first_; }
  std::optional<Date> last_event_date() const { return last_; }

  // Rows for every measure (in definition order) and every quarter from the one containing `from`
  // to the one containing `to` (whole quarters; empty when to < from).
  std::vector<MetricRow> rows(Date from, Date to) const;

  const MetricsDefinitions& definitions() const { return definitions_; }

 private:
  // Counts by quarter ordinal. In-force counts are kept as differences (+1 where a child's plan
  // starts being in force at a quarter end, -1 where it stops) and summed over the range in rows().
  struct Tally {
    std::map<int, std::int64_t> by_quarter;
    std::map<int, std::int64_t> in_force_delta;
  };
  void count(const CountDefinition& def, const std::vector<Event>& events, Tally& tally) const;
  std::int64_t value_at(const CountDefinition& def, const Tally& tally, int ordinal) const;

  MetricsDefinitions definitions_;
  const AgencyDirectory& agencies_;
  std::vector<Tally> numerators_;
  std::vector<Tally> denominators_;
  std::optional<Date> first_;
  std::optional<Date> last_;
};

}  // namespace pathaudit::core
