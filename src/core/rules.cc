#include "core/rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/errors.h"

namespace pathaudit::core {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::low:
      return "low";
    case Severity::medium:
      return "medium";
    case Severity::high:
      return "high";
  }
  return "medium";
}

std::optional<Severity> parse_severity(std::string_view name) {
  for (Severity s : {Severity::low, Severity::medium, Severity::high}) {
    if (severity_name(s) == name)
      return s;
  }
  return std::nullopt;
}

std::string Period::describe() const {
  const std::string n = std::to_string(amount);
  switch (unit) {
    case Unit::days:
      return n + (amount == 1 ? " day" : " days");
    case Unit::working_days:
      return n + (amount == 1 ? " working day" : " working days");
    case Unit::months:
      return n + (amount == 1 ? " month" : " months");
  }
  return n;
}

bool EventSelector::matches(const Event& e, const AgencyDirectory& agencies) const {
  return e.type == type && (agency_kind.empty() || agencies.kind(e.agency) == agency_kind) &&
         (outcome.empty() || e.outcome == outcome);
}

const std::vector<std::string>& evaluator_names() {
  static const std::vector<std::string> names{
      "duplicate_referral", "repeated_account", "attendance", "shared_after",   "outcome_shared",
      "timescale",          "review_schedule",  "follow_up",  "outcome_wording"};
  return names;
}

std::string RuleSet::version_label() const {
  return key + "@" + std::to_string(version);
}

RuleEngine::RuleEngine(const RuleSet& rules, const WorkingDayCalendar& calendar,
                       const AgencyDirectory& agencies, Date horizon)
    : rules_(rules), calendar_(calendar), agencies_(agencies), horizon_(horizon) {}

namespace {

// A date outside the calendar: the check is skipped and counted, never guessed.
struct OutsideCalendar {};

bool contains(const std::vector<EventType>& types, EventType t) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Joins "a", "a and b", "a, b and c".
std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0)
      out += i + 1 == words.size() ? " and " : ", ";
    out += words[i];
  }
  return out;
}

// Everything one evaluation of one child needs.
class ChildEvaluation {
 public:
  ChildEvaluation(const std::vector<Event>& events, const WorkingDayCalendar& calendar,
                  const AgencyDirectory& agencies, Date horizon, std::vector<Flag>& out,
                  EvaluationStats& stats)
      : events_(events),
        calendar_(calendar),
        agencies_(agencies),
        horizon_(horizon),
        out_(out),
        stats_(stats) {
    for (std::size_t i = 0; i < events.size(); ++i)
      by_ref_.emplace(std::make_pair(events[i].agency, events[i].ref), i);
  }

  void run(const Rule& rule) {
    rule_ = &rule;
    std::visit([this](const auto& p) { apply(p); }, rule.parameters);
  }

 private:
  // The deadline a period sets from a start date.
  Date deadline(Date start, const Period& p) const {
    switch (p.unit) {
      case Period::Unit::days:
        return start.plus_days(p.amount);
      case Period::Unit::months:
        return start.plus_months(p.amount);
      case Period::Unit::working_days:
        if (start < calendar_.valid_from() || start > calendar_.valid_to())
          throw OutsideCalendar{};
        try {
          return calendar_.add_working_days(start, p.amount);
        } catch (const ValidationError&) {
          throw OutsideCalendar{};
        }
    }
    return start;
  }

  // "N working days after": the measured interval, for explanations.
  std::string interval(Date from, Date to, const Period& p) const {
    switch (p.unit) {
      case Period::Unit::working_days:
        try {
          const int n = calendar_.working_days_between(from, to);
          return std::to_string(n) + (n == 1 ? " working day" : " working days");
        } catch (const ValidationError&) {
          return std::to_string(to - from) + " days";
        }
      case Period::Unit::days:
      case Period::Unit::months:
        break;
    }
    const int n = to - from;
    return std::to_string(n) + (n == 1 ? " day" : " days");
  }

  const std::string& code(const Event& e) const { return agencies_.code(e.agency); }
  std::string type(const Event& e) const { return std::string(event_type_name(e.type)); }

  // Follows relates_to from `e` (same agency) looking for an event `sel` matches; at most a few
  // hops, and never round a cycle.
  const Event* origin(const Event& e, const EventSelector& sel) const {
    const Event* cur = &e;
    for (int hop = 0; hop < 8 && cur->relates_to; ++hop) {
      auto it = by_ref_.find(std::make_pair(cur->agency, *cur->relates_to));
      if (it == by_ref_.end())
        return nullptr;
      cur = &events_[it->second];
      if (sel.matches(*cur, agencies_))
        return cur;
    }
    return nullptr;
  }

  bool relates_to(const Event& e, const Event& target) const {
    return e.agency == target.agency && e.relates_to && *e.relates_to == target.ref;
  }

  void flag(int agency, std::vector<const Event*> evidence, std::string detail) {
    Flag f;
    f.rule = rule_;
    f.child_id = events_.front().child_id;
    f.agency = agency;
    f.detail = std::move(detail);
    f.evidence_signature = rule_->id;
    for (const Event* e : evidence) {
      f.evidence.push_back(e->id);
      f.evidence_signature += "|" + std::to_string(e->id) + "," + type(*e) + "," + e->date.iso() +
                              "," + std::to_string(e->agency) + "," + e->outcome + "," +
                              e->to_service;
    }
    out_.push_back(std::move(f));
  }

  // A timescale check of the current rule whose outcome is known.
  // A timescale check of the current rule, measured from `start`, whose outcome is known; counted
  // when `start` falls in the stats' window.
  void decided(const Event& start) {
    if ((stats_.count_from && start.date < *stats_.count_from) ||
        (stats_.count_to && start.date > *stats_.count_to))
      return;
    ++stats_.timescale_checks[rule_->id];
  }

  // Runs one check, counting it instead when a date falls outside the calendar.
  template <class F>
  void check(F&& f) {
    try {
      f();
    } catch (const OutsideCalendar&) {
      ++stats_.outside_calendar;
    }
  }

  void apply(const DuplicateReferralRule& p) {
    std::map<std::string, std::vector<const Event*>> by_service;
    for (const Event& e : events_) {
      if (e.type == p.type && !e.to_service.empty())
        by_service[e.to_service].push_back(&e);
    }
    for (const auto& [service, refs] : by_service) {
      const Event* first = nullptr;
      const Event* second = nullptr;
      for (std::size_t i = 0; i < refs.size() && !first; ++i) {
        for (std::size_t j = i + 1; j < refs.size(); ++j) {
          if (refs[j]->agency != refs[i]->agency &&
              refs[j]->date - refs[i]->date <= p.window_days) {
            first = refs[i];
            second = refs[j];
            break;
          }
        }
      }
      if (!first)
        continue;
      std::vector<std::string> parts;
      for (const Event* e : refs)
        parts.push_back("by " + code(*e) + " on " + e->date.iso());
      flag(refs.back()->agency, refs,
           "Referred to " + service + " " + join_words(parts) + ": " + code(*first) + " and " +
               code(*second) + " referred within " + std::to_string(p.window_days) +
               " days of each other.");
    }
  }

  void apply(const RepeatedAccountRule& p) {
    std::vector<const Event*> accounts;
    for (const Event& e : events_) {
      if (contains(p.account_types, e.type))
        accounts.push_back(&e);
    }
    std::set<std::size_t> members;
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      std::set<int> agencies;
      std::size_t j = i;
      for (; j < accounts.size() && accounts[j]->date - accounts[i]->date <= p.window_days; ++j)
        agencies.insert(accounts[j]->agency);
      if (static_cast<int>(j - i) >= p.min_events &&
          static_cast<int>(agencies.size()) >= p.min_agencies) {
        for (std::size_t k = i; k < j; ++k)
          members.insert(k);
      }
    }
    if (members.empty())
      return;
    std::vector<const Event*> evidence;
    std::set<int> agencies;
    std::vector<std::string> parts;
    for (std::size_t m : members) {
      evidence.push_back(accounts[m]);
      agencies.insert(accounts[m]->agency);
      parts.push_back(type(*accounts[m]) + " by " + code(*accounts[m]) + " on " +
                      accounts[m]->date.iso());
    }
    flag(evidence.back()->agency, evidence,
         "The child gave " + std::to_string(evidence.size()) + " accounts to " +
             std::to_string(agencies.size()) + " agencies (" + join_words(parts) + "), " +
             std::to_string(p.min_events) + " or more within " + std::to_string(p.window_days) +
             " days.");
  }

  void apply(const AttendanceRule& p) {
    for (const Event& e : events_) {
      if (e.type != p.type)
        continue;
      std::set<std::string> present;
      std::vector<std::string> codes;
      for (int a : e.participants) {
        present.insert(agencies_.kind(a));
        codes.push_back(agencies_.code(a));
      }
      std::vector<std::string> missing;
      for (const std::string& kind : p.required_kinds) {
        if (!present.count(kind))
          missing.push_back(kind);
      }
      if (missing.empty())
        continue;
      flag(e.agency, {&e},
           type(e) + " by " + code(e) + " on " + e.date.iso() + " had no agency of kind " +
               join_words(missing) +
               (codes.empty() ? " (no participants recorded)."
                              : " (participants: " + join_words(codes) + ")."));
    }
  }

  // The first information_shared by `source`'s agency relating to it, to an agency `to` accepts,
  // dated from the source's date; nullptr if none.
  template <class Accept>
  const Event* first_share(const Event& source, Accept&& to) const {
    for (const Event& s : events_) {
      if (s.type == EventType::information_shared && s.date >= source.date &&
          relates_to(s, source) && to(s.to_agency))
        return &s;
    }
    return nullptr;
  }

  void apply(const SharedAfterRule& p) {
    for (const Event& e : events_) {
      if (!contains(p.types, e.type))
        continue;
      check([&] {
        const Date due = deadline(e.date, p.within);
        const Event* s =
            first_share(e, [&](int to) { return contains(p.to_kinds, agencies_.kind(to)); });
        if (s && s->date <= due)
          return;
        if (!s && due >= horizon_)
          return;  // can still be shared
        const std::string with = join_words(p.to_kinds);
        flag(e.agency, {&e},
             type(e) + " by " + code(e) + " on " + e.date.iso() + " not shared with " + with +
                 " within " + p.within.describe() +
                 (s ? " (shared on " + s->date.iso() + ")." : " (no sharing recorded)."));
      });
    }
  }

  void apply(const OutcomeSharedRule& p) {
    for (const Event& o : events_) {
      if (!contains(p.types, o.type))
        continue;
      check([&] {
        const Date due = deadline(o.date, p.within);
        std::set<int> involved;
        for (const Event& e : events_) {
          const int before = o.date - e.date;
          if (before >= 0 && before <= p.involvement_days && e.agency != o.agency)
            involved.insert(e.agency);
        }
        std::vector<std::string> missing;
        for (int b : involved) {
          bool shared = false;
          for (const Event& s : events_) {
            shared = shared || (s.type == EventType::information_shared && relates_to(s, o) &&
                                s.to_agency == b && s.date >= o.date && s.date <= due);
          }
          if (!shared)
            missing.push_back(agencies_.code(b));
        }
        std::sort(missing.begin(), missing.end());
        if (missing.empty() || due >= horizon_)
          return;
        flag(o.agency, {&o},
             type(o) + " by " + code(o) + " on " + o.date.iso() + " not shared within " +
                 p.within.describe() + " with " + join_words(missing) + ", involved in the " +
                 std::to_string(p.involvement_days) + " days before it.");
      });
    }
  }

  void late(const TimescaleRule& p, const Event& start, const Event* end, Date due) {
    const std::string what = type(start) + " by " + code(start) + " on " + start.date.iso();
    if (!end) {
      flag(start.agency, {&start},
           "No " + std::string(event_type_name(p.end.type)) + " recorded by " + due.iso() +
               " after the " + what + "; the limit is " + p.limit.describe() + ".");
      return;
    }
    flag(end->agency, {&start, end},
         type(*end) + " by " + code(*end) + " on " + end->date.iso() + ", " +
             interval(start.date, end->date, p.limit) + " after the " + what + "; the limit is " +
             p.limit.describe() + ".");
  }

  void apply(const TimescaleRule& p) {
    if (p.anchor == TimescaleRule::Anchor::start) {
      for (const Event& s : events_) {
        if (!p.start.matches(s, agencies_))
          continue;
        check([&] {
          const Date due = deadline(s.date, p.limit);
          // Its end: the earliest end whose relates_to chain reaches it, else the earliest end on
          // or after it that is not tied to another start.
          const Event* end = nullptr;
          const Event* loose = nullptr;
          for (const Event& e : events_) {
            if (!p.end.matches(e, agencies_) || e.date < s.date)
              continue;
            const Event* o = origin(e, p.start);
            if (o == &s) {
              end = &e;
              break;
            }
            if (!o && !loose)
              loose = &e;
          }
          if (!end)
            end = loose;
          if (end || due < horizon_)
            decided(s);
          if (end ? end->date > due : due < horizon_)
            late(p, s, end, due);
        });
      }
      return;
    }
    for (const Event& e : events_) {
      if (!p.end.matches(e, agencies_))
        continue;
      const Event* start = origin(e, p.start);
      if (!start) {
        for (const Event& s : events_) {
          if (s.date > e.date)
            break;
          if (p.start.matches(s, agencies_))
            start = &s;  // the latest on or before the end
        }
      }
      if (!start)
        continue;
      const Event& s = *start;
      check([&] {
        const Date due = deadline(s.date, p.limit);
        decided(s);
        if (e.date > due)
          late(p, s, &e, due);
      });
    }
  }

  void apply(const ReviewScheduleRule& p) {
    std::vector<const Event*> starts;
    for (const Event& e : events_) {
      if (e.type == p.start)
        starts.push_back(&e);
    }
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const Event& start = *starts[k];
      const Date until = k + 1 < starts.size() ? starts[k + 1]->date : Date::from_days(1 << 30);
      std::vector<const Event*> reviews;
      bool plan = false;
      std::optional<Date> plan_end;
      for (const Event& e : events_) {
        if (e.date < start.date || e.date >= until)
          continue;
        if (e.type == p.review)
          reviews.push_back(&e);
        plan = plan || e.type == p.plan_start;
        if (e.type == p.plan_end && !plan_end)
          plan_end = e.date;
      }
      const Event* prev = &start;
      for (std::size_t r = 0; r <= reviews.size(); ++r) {
        const Period& gap = r == 0 ? p.first : p.later;
        check([&] {
          const Date due = deadline(prev->date, gap);
          if (r < reviews.size()) {
            decided(*prev);
            if (reviews[r]->date > due) {
              flag(reviews[r]->agency, {prev, reviews[r]},
                   type(*reviews[r]) + " on " + reviews[r]->date.iso() + " was due by " +
                       due.iso() + ", " + gap.describe() + " after the " + type(*prev) + " on " +
                       prev->date.iso() + ".");
            }
            return;
          }
          // After the last review: another is due while a plan is in force.
          const bool in_force = plan && (!plan_end || *plan_end > due);
          if (in_force && due < horizon_) {
            decided(*prev);
            flag(prev->agency, {prev},
                 "No " + std::string(event_type_name(p.review)) + " recorded by " + due.iso() +
                     ", " + gap.describe() + " after the " + type(*prev) + " on " +
                     prev->date.iso() + ", while the plan was in force.");
          }
        });
        if (r < reviews.size())
          prev = reviews[r];
      }
    }
  }

  void apply(const FollowUpRule& p) {
    bool coded = false;
    for (const Event& e : events_) {
      for (const std::string& c : e.category)
        coded = coded || contains(p.child_codes, c);
    }
    if (!coded)
      return;
    for (const Event& t : events_) {
      if (t.type != p.trigger)
        continue;
      check([&] {
        const Date due = deadline(t.date, p.within);
        for (const Event& f : events_) {
          if (contains(p.follow_up_types, f.type) && f.date >= t.date && f.date <= due)
            return;
        }
        if (due >= horizon_)
          return;
        std::vector<std::string> wanted;
        for (EventType ft : p.follow_up_types)
          wanted.emplace_back(event_type_name(ft));
        flag(t.agency, {&t},
             type(t) + " by " + code(t) + " on " + t.date.iso() +
                 " for a child with a sexual-abuse code, and no " + join_words(wanted) +
                 " within " + p.within.describe() + ".");
      });
    }
  }

  void apply(const OutcomeWordingRule& p) {
    for (const Event& e : events_) {
      if (e.type == p.type && contains(p.discouraged, e.outcome)) {
        flag(e.agency, {&e},
             type(e) + " by " + code(e) + " on " + e.date.iso() + " recorded as '" + e.outcome +
                 (p.preferred.empty()
                      ? "'."
                      : "' rather than '" + p.preferred + "' with the reason for closure."));
      }
    }
  }

  const std::vector<Event>& events_;
  const WorkingDayCalendar& calendar_;
  const AgencyDirectory& agencies_;
  Date horizon_;
  std::vector<Flag>& out_;
  EvaluationStats& stats_;
  const Rule* rule_ = nullptr;
  std::map<std::pair<int, RefKey>, std::size_t> by_ref_;
};

}  // namespace

void EvaluationStats::add(const EvaluationStats& other) {
  children += other.children;
  events += other.events;
  outside_calendar += other.outside_calendar;
  for (const auto& [rule, checks] : other.timescale_checks)
    timescale_checks[rule] += checks;
}

void RuleEngine::evaluate(const std::vector<Event>& events, std::vector<Flag>& out,
                          EvaluationStats& stats) const {
  if (events.empty())
    return;
  ++stats.children;
  stats.events += static_cast<std::int64_t>(events.size());
  ChildEvaluation child(events, calendar_, agencies_, horizon_, out, stats);
  for (const Rule& rule : rules_.rules) {
    if (only_.empty() || rule.id == only_)
      child.run(rule);
  }
}

}  // namespace pathaudit::core
