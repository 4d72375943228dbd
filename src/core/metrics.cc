#include "core/metrics.h"

#include <algorithm>
#include <climits>
#include <utility>

namespace pathaudit::core {
namespace {

template <class T>
bool contains(const std::vector<T>& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool any_of_list(const std::vector<std::string>& list, std::string_view value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

std::string joined(const std::vector<std::string>& items, const char* last_sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      out += i + 1 == items.size() ? last_sep : ", ";
    out += items[i];
  }
  return out;
}

bool child_qualifies(const std::vector<Event>& events, const std::vector<std::string>& codes) {
  if (codes.empty())
    return true;
  for (const Event& e : events) {
    for (const std::string& c : e.category) {
      if (contains(codes, c))
        return true;
    }
  }
  return false;
}

constexpr int kOpenEnded = INT_MAX;

}  // namespace

std::optional<QuarterScheme> parse_quarter_scheme(std::string_view name) {
  if (name == "financial")
    return QuarterScheme::financial;
  if (name == "calendar")
    return QuarterScheme::calendar;
  return std::nullopt;
}

std::string_view quarter_scheme_name(QuarterScheme scheme) {
  return scheme == QuarterScheme::financial ? "financial" : "calendar";
}

Quarter Quarter::containing(Date date, QuarterScheme scheme) {
  const int month = date.month(), year = date.year();
  if (scheme == QuarterScheme::calendar)
    return Quarter(scheme, year, (month - 1) / 3 + 1);
  if (month >= 4)
    return Quarter(scheme, year, (month - 4) / 3 + 1);
  return Quarter(scheme, year - 1, 4);
}

Date Quarter::first_day() const {
  int month = (scheme_ == QuarterScheme::financial ? 4 : 1) + 3 * (number_ - 1);
  int year = year_;
  if (month > 12) {
    month -= 12;
    ++year;
  }
  return Date::from_ymd(year, month, 1);
}

Date Quarter::last_day() const {
  return next().first_day().plus_days(-1);
}

Quarter Quarter::next() const {
  return number_ == 4 ? Quarter(scheme_, year_ + 1, 1) : Quarter(scheme_, year_, number_ + 1);
}

std::string Quarter::label() const {
  std::string year = std::to_string(year_);
  if (scheme_ == QuarterScheme::financial) {
    const int next = (year_ + 1) % 100;
    year += (next < 10 ? "-0" : "-") + std::to_string(next);
  }
  return year + " Q" + std::to_string(number_);
}

bool EventFilter::matches(const Event& e, const AgencyDirectory& agencies) const {
  if (!contains(event_types, e.type))
    return false;
  if (!any_of_list(agency_kinds, agencies.kind(e.agency)))
    return false;
  if (!any_of_list(agency_codes, agencies.code(e.agency)))
    return false;
  if (!to_agency_kinds.empty() &&
      (e.to_agency == 0 || !contains(to_agency_kinds, agencies.kind(e.to_agency))))
    return false;
  if (!any_of_list(to_services, e.to_service))
    return false;
  if (!any_of_list(outcomes, e.outcome))
    return false;
  if (!categories.empty()) {
    bool any = false;
    for (const std::string& c : e.category)
      any = any || contains(categories, c);
    if (!any)
      return false;
  }
  return true;
}

std::string EventFilter::describe() const {
  std::vector<std::string> types;
  for (EventType t : event_types)
    types.emplace_back(event_type_name(t));
  std::string out = joined(types, " or ");
  if (!agency_codes.empty())
    out += " recorded by " + joined(agency_codes, " or ");
  if (!agency_kinds.empty())
    out += " recorded by an agency of kind " + joined(agency_kinds, " or ");
  if (!to_agency_kinds.empty())
    out += " to an agency of kind " + joined(to_agency_kinds, " or ");
  if (!to_services.empty())
    out += " to service " + joined(to_services, " or ");
  if (!outcomes.empty())
    out += " with outcome " + joined(outcomes, " or ");
  if (!categories.empty())
    out += " with category " + joined(categories, " or ");
  return out;
}

std::string CountDefinition::describe() const {
  const std::string categories = joined(child_has_category, " or ");
  std::string followed;
  if (!followed_by.empty()) {
    std::vector<std::string> f;
    for (const EventFilter& filter : followed_by)
      f.push_back(filter.describe());
    followed = ", followed within " + std::to_string(within_days) +
               " days (same child, that day or later) by " + joined(f, " or ");
  }
  if (timing == Timing::in_force_at_quarter_end) {
    const std::string plan = "opened by " + event.describe() + ", ended by " +
                             (ended_by ? ended_by->describe() : std::string("nothing")) +
                             " or by the child's next plan start";
    if (unit == CountUnit::children) {
      return "Counts each child" +
             (categories.empty() ? "" : " with category " + categories + " on any event") +
             " who has a plan in force on the last day of the quarter (" + plan +
             "), once however many plans.";
    }
    return "Counts each plan in force on the last day of the quarter (" + plan + ")" +
           (categories.empty() ? "" : " of a child with category " + categories + " on any event") +
           ".";
  }
  if (unit == CountUnit::children) {
    return "Counts each child" +
           (categories.empty() ? "" : " with category " + categories + " on any event") +
           " who has at least one " + event.describe() + " dated in the quarter" + followed +
           ", once a quarter.";
  }
  return "Counts each " + event.describe() + " dated in the quarter" +
         (categories.empty() ? "" : " for a child with category " + categories + " on any event") +
         followed + ".";
}

std::string MeasureDefinition::describe() const {
  if (!denominator)
    return count.describe();
  return "Numerator / denominator (empty when the denominator is 0). Numerator: " +
         count.describe() + " Denominator: " + denominator->describe();
}

std::optional<double> MetricRow::value() const {
  if (!denominator)
    return static_cast<double>(numerator);
  if (*denominator == 0)
    return std::nullopt;
  return static_cast<double>(numerator) / static_cast<double>(*denominator);
}

std::vector<PlanPeriod> plan_periods(const std::vector<Event>& events, const EventFilter& starts,
                                     const EventFilter& ends, const AgencyDirectory& agencies) {
  EventFilter any_category = starts;
  any_category.categories.clear();
  std::vector<PlanPeriod> plans;
  std::vector<const Event*> closers;
  for (const Event& e : events) {
    if (any_category.matches(e, agencies))
      plans.push_back({e.date, std::nullopt, &e});
    else if (ends.matches(e, agencies))
      closers.push_back(&e);
  }
  // A closer that names a start of this child closes that plan only.
  auto start_named_by = [&](const Event& closer) -> const Event* {
    if (!closer.relates_to)
      return nullptr;
    for (const PlanPeriod& p : plans) {
      if (p.opened_by->agency == closer.agency && p.opened_by->ref == *closer.relates_to)
        return p.opened_by;
    }
    return nullptr;
  };
  for (std::size_t i = 0; i < plans.size(); ++i) {
    PlanPeriod& p = plans[i];
    if (i + 1 < plans.size())
      p.end = plans[i + 1].start;
    for (const Event* c : closers) {
      if (c->date < p.start)
        continue;
      const Event* named = start_named_by(*c);
      if (named && named != p.opened_by)
        continue;
      if (!p.end || c->date < *p.end)
        p.end = c->date;
    }
  }
  return plans;
}

MetricsEngine::MetricsEngine(MetricsDefinitions definitions, const AgencyDirectory& agencies)
    : definitions_(std::move(definitions)),
      agencies_(agencies),
      numerators_(definitions_.measures.size()),
      denominators_(definitions_.measures.size()) {}

void MetricsEngine::add_child(const std::vector<Event>& events) {
  for (const Event& e : events) {
    if (!first_ || e.date < *first_)
      first_ = e.date;
    if (!last_ || e.date > *last_)
      last_ = e.date;
  }
  for (std::size_t m = 0; m < definitions_.measures.size(); ++m) {
    const MeasureDefinition& def = definitions_.measures[m];
    count(def.count, events, numerators_[m]);
    if (def.denominator)
      count(*def.denominator, events, denominators_[m]);
  }
}

void MetricsEngine::count(const CountDefinition& def, const std::vector<Event>& events,
                          Tally& tally) const {
  if (!child_qualifies(events, def.child_has_category))
    return;
  const QuarterScheme scheme = definitions_.quarters;
  if (def.timing == Timing::in_quarter) {
    auto followed = [&](const Event& e) {
      if (def.followed_by.empty())
        return true;
      for (const Event& f : events) {
        if (&f == &e || f.date < e.date || f.date - e.date > def.within_days)
          continue;
        for (const EventFilter& filter : def.followed_by) {
          if (filter.matches(f, agencies_))
            return true;
        }
      }
      return false;
    };
    std::vector<int> quarters;  // children: each quarter once
    for (const Event& e : events) {
      if (!def.event.matches(e, agencies_) || !followed(e))
        continue;
      const int q = Quarter::containing(e.date, scheme).ordinal();
      if (def.unit == CountUnit::events)
        ++tally.by_quarter[q];
      else if (!contains(quarters, q))
        quarters.push_back(q);
    }
    for (int q : quarters)
      ++tally.by_quarter[q];
    return;
  }

  // In force at a quarter end: a plan [start, end) covers the quarter ends from the quarter
  // containing its start up to, not including, the quarter containing its end.
  static const EventFilter kNothing;
  std::vector<std::pair<int, int>> ranges;
  for (const PlanPeriod& p :
       plan_periods(events, def.event, def.ended_by ? *def.ended_by : kNothing, agencies_)) {
    if (!def.event.matches(*p.opened_by, agencies_))
      continue;
    const int first = Quarter::containing(p.start, scheme).ordinal();
    const int stop = p.end ? Quarter::containing(*p.end, scheme).ordinal() : kOpenEnded;
    if (stop > first)
      ranges.emplace_back(first, stop);
  }
  if (def.unit == CountUnit::children && ranges.size() > 1) {
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<int, int>> merged{ranges.front()};
    for (std::size_t i = 1; i < ranges.size(); ++i) {
      if (ranges[i].first <= merged.back().second)
        merged.back().second = std::max(merged.back().second, ranges[i].second);
      else
        merged.push_back(ranges[i]);
    }
    ranges = std::move(merged);
  }
  for (const auto& [first, stop] : ranges) {
    ++tally.in_force_delta[first];
    if (stop != kOpenEnded)
      --tally.in_force_delta[stop];
  }
}

std::int64_t MetricsEngine::value_at(const CountDefinition& def, const Tally& tally,
                                     int ordinal) const {
  if (def.timing == Timing::in_quarter) {
    auto it = tally.by_quarter.find(ordinal);
    return it == tally.by_quarter.end() ? 0 : it->second;
  }
  std::int64_t sum = 0;
  for (auto it = tally.in_force_delta.begin();
       it != tally.in_force_delta.end() && it->first <= ordinal; ++it) {
    sum += it->second;
  }
  return sum;
}

std::vector<MetricRow> MetricsEngine::rows(Date from, Date to) const {
  std::vector<MetricRow> out;
  if (to < from)
    return out;
  const Quarter first = Quarter::containing(from, definitions_.quarters);
  const int last = Quarter::containing(to, definitions_.quarters).ordinal();
  for (std::size_t m = 0; m < definitions_.measures.size(); ++m) {
    const MeasureDefinition& def = definitions_.measures[m];
    for (Quarter q = first; q.ordinal() <= last; q = q.next()) {
      MetricRow row{def.id, q, value_at(def.count, numerators_[m], q.ordinal()), std::nullopt};
      if (def.denominator)
        row.denominator = value_at(*def.denominator, denominators_[m], q.ordinal());
      out.push_back(std::move(row));
    }
  }
  return out;
}

}  // namespace pathaudit::core
