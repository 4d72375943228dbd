// The metrics engine (core/metrics.h) on hand-built events: quarter boundaries in both schemes,
// counting units, the child filter, plans in force across quarters, follow-up windows and
// proportions.
#include <catch2/catch.hpp>

#include "core/metrics.h"

using namespace pathaudit::core;

namespace {

Date d(const char* s) {
  return *Date::parse_iso(s);
}

const AgencyDirectory& agencies() {
  static const AgencyDirectory dir = [] {
    AgencyDirectory a;
    a.add(1, {"CSC", "Children's social care", "csc"});
    a.add(2, {"POLICE", "Police", "police"});
    a.add(3, {"VCS", "Voluntary sector", "vcs"});
    a.add(4, {"CSC2", "Second council", "csc"});
    return a;
  }();
  return dir;
}

RefKey ref(std::uint8_t n) {
  RefKey k{};
  k[0] = n;
  return k;
}

Event ev(EventType type, const char* date, int agency = 1, std::vector<std::string> category = {},
         std::uint8_t ref_no = 0) {
  static std::int64_t next_id = 1;
  Event e;
  e.id = next_id++;
  e.type = type;
  e.date = d(date);
  e.agency = agency;
  e.category = std::move(category);
  e.ref = ref(ref_no);
  return e;
}

EventFilter filter(std::vector<EventType> types, std::vector<std::string> kinds = {}) {
  EventFilter f;
  f.event_types = std::move(types);
  f.agency_kinds = std::move(kinds);
  return f;
}

MeasureDefinition count_measure(const std::string& id, CountDefinition c) {
  MeasureDefinition m;
  m.id = id;
  m.title = id;
  m.count = std::move(c);
  return m;
}

CountDefinition contacts(CountUnit unit, std::vector<std::string> child_codes = {}) {
  CountDefinition c;
  c.unit = unit;
  c.timing = Timing::in_quarter;
  c.event = filter({EventType::contact}, {"csc"});
  c.child_has_category = std::move(child_codes);
  return c;
}

CountDefinition plans_in_force(CountUnit unit, std::vector<std::string> categories) {
  CountDefinition c;
  c.unit = unit;
  c.timing = Timing::in_force_at_quarter_end;
  c.event = filter({EventType::cp_plan_start}, {"csc"});
  c.event.categories = std::move(categories);
  c.ended_by = filter({EventType::cp_plan_end}, {"csc"});
  return c;
}

MetricsDefinitions defs(std::vector<MeasureDefinition> measures,
                        QuarterScheme scheme = QuarterScheme::financial) {
  MetricsDefinitions m;
  m.id = "test";
  m.version = 1;
  m.quarters = scheme;
  m.measures = std::move(measures);
  return m;
}

void add(MetricsEngine& engine, std::vector<Event> events) {
  sort_events(events, agencies());
  engine.add_child(events);
}

// "label=value" for every row of one measure, in order: compact and readable in a failure.
std::vector<std::string> series(const std::vector<MetricRow>& rows, const std::string& measure) {
  std::vector<std::string> out;
  for (const MetricRow& r : rows) {
    if (r.measure != measure)
      continue;
    std::string v = r.quarter.label() + "=" + std::to_string(r.numerator);
    if (r.denominator)
      v += "/" + std::to_string(*r.denominator);
    out.push_back(v);
  }
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("financial quarters run April to March and are labelled by the year pair",
          "[metrics][quarters]") {
  const auto fin = QuarterScheme::financial;
  REQUIRE(Quarter::containing(d("2025-03-31"), fin).label() == "2024-25 Q4");
  REQUIRE(Quarter::containing(d("2025-04-01"), fin).label() == "2025-26 Q1");
  REQUIRE(Quarter::containing(d("2024-06-30"), fin).label() == "2024-25 Q1");
  REQUIRE(Quarter::containing(d("2024-07-01"), fin).label() == "2024-25 Q2");
  REQUIRE(Quarter::containing(d("2024-12-31"), fin).label() == "2024-25 Q3");
  REQUIRE(Quarter::containing(d("2025-01-01"), fin).label() == "2024-25 Q4");
  REQUIRE(Quarter::containing(d("2009-05-05"), fin).label() == "2009-10 Q1");
  REQUIRE(Quarter::containing(d("2000-02-01"), fin).label() == "1999-00 Q4");

  const Quarter q4 = Quarter::containing(d("2025-02-14"), fin);
  REQUIRE(q4.first_day().iso() == "2025-01-01");
  REQUIRE(q4.last_day().iso() == "2025-03-31");
  REQUIRE(q4.next().label() == "2025-26 Q1");
  REQUIRE(q4.next().first_day().iso() == "2025-04-01");
  REQUIRE(q4.next().ordinal() == q4.ordinal() + 1);
  const Quarter q1 = Quarter::containing(d("2024-04-01"), fin);
  REQUIRE(q1.last_day().iso() == "2024-06-30");
}

TEST_CASE("calendar quarters run January to December", "[metrics][quarters]") {
  const auto cal = QuarterScheme::calendar;
  REQUIRE(Quarter::containing(d("2025-03-31"), cal).label() == "2025 Q1");
  REQUIRE(Quarter::containing(d("2025-04-01"), cal).label() == "2025 Q2");
  REQUIRE(Quarter::containing(d("2024-12-31"), cal).label() == "2024 Q4");
  REQUIRE(Quarter::containing(d("2025-01-01"), cal).label() == "2025 Q1");
  const Quarter q = Quarter::containing(d("2024-02-29"), cal);
  REQUIRE(q.first_day().iso() == "2024-01-01");
  REQUIRE(q.last_day().iso() == "2024-03-31");
  REQUIRE(Quarter::containing(d("2024-11-30"), cal).next().label() == "2025 Q1");
  REQUIRE(parse_quarter_scheme("calendar") == cal);
  REQUIRE(parse_quarter_scheme("financial") == QuarterScheme::financial);
  REQUIRE_FALSE(parse_quarter_scheme("fiscal"));
}

TEST_CASE("events on either side of a quarter boundary count in different quarters",
          "[metrics][boundaries]") {
  for (const auto scheme : {QuarterScheme::financial, QuarterScheme::calendar}) {
    INFO(quarter_scheme_name(scheme));
    MetricsEngine engine(defs({count_measure("m", contacts(CountUnit::events))}, scheme),
                         agencies());
    add(engine, {ev(EventType::contact, "2025-03-31"), ev(EventType::contact, "2025-04-01"),
                 ev(EventType::contact, "2025-04-01")});
    const auto rows = engine.rows(d("2025-03-01"), d("2025-06-30"));
    if (scheme == QuarterScheme::financial)
      REQUIRE(series(rows, "m") == Strings{"2024-25 Q4=1", "2025-26 Q1=2"});
    else
      REQUIRE(series(rows, "m") == Strings{"2025 Q1=1", "2025 Q2=2"});
  }
  // The financial year's turn is not the calendar's: 31 December and 1 January.
  MetricsEngine engine(defs({count_measure("m", contacts(CountUnit::events))}), agencies());
  add(engine, {ev(EventType::contact, "2024-12-31"), ev(EventType::contact, "2025-01-01")});
  REQUIRE(series(engine.rows(d("2024-10-01"), d("2025-03-31")), "m") ==
          Strings{"2024-25 Q3=1", "2024-25 Q4=1"});
}

TEST_CASE("rows cover whole quarters from the one containing from to the one containing to",
          "[metrics][boundaries]") {
  MetricsEngine engine(defs({count_measure("a", contacts(CountUnit::events)),
                             count_measure("b", contacts(CountUnit::children))}),
                       agencies());
  add(engine, {ev(EventType::contact, "2024-04-01"), ev(EventType::contact, "2024-09-30")});
  // from and to in mid-quarter: events outside [from, to] but inside the quarters still count.
  const auto rows = engine.rows(d("2024-05-15"), d("2024-08-01"));
  REQUIRE(series(rows, "a") == Strings{"2024-25 Q1=1", "2024-25 Q2=1"});
  REQUIRE(series(rows, "b") == Strings{"2024-25 Q1=1", "2024-25 Q2=1"});
  REQUIRE(rows.size() == 4);
  REQUIRE(rows[0].measure == "a");  // by measure, then quarter
  REQUIRE(rows[2].measure == "b");
  REQUIRE(engine.rows(d("2024-08-01"), d("2024-05-15")).empty());
  REQUIRE(engine.first_event_date() == d("2024-04-01"));
  REQUIRE(engine.last_event_date() == d("2024-09-30"));
  // A quarter with nothing in it is a true zero, not a missing row.
  REQUIRE(series(engine.rows(d("2023-01-01"), d("2023-01-01")), "a") == Strings{"2022-23 Q4=0"});
}

TEST_CASE("events count every event, children count each child once a quarter",
          "[metrics][units]") {
  MetricsEngine engine(defs({count_measure("events", contacts(CountUnit::events)),
                             count_measure("children", contacts(CountUnit::children))}),
                       agencies());
  add(engine, {ev(EventType::contact, "2024-04-02"), ev(EventType::contact, "2024-05-20"),
               ev(EventType::contact, "2024-08-01")});
  add(engine, {ev(EventType::contact, "2024-04-03")});
  // Not a CSC contact: another agency kind, another event type.
  add(engine, {ev(EventType::contact, "2024-04-03", 2), ev(EventType::referral, "2024-04-03")});
  const auto rows = engine.rows(d("2024-04-01"), d("2024-09-30"));
  REQUIRE(series(rows, "events") == Strings{"2024-25 Q1=3", "2024-25 Q2=1"});
  REQUIRE(series(rows, "children") == Strings{"2024-25 Q1=2", "2024-25 Q2=1"});
}

TEST_CASE("the child filter looks at every event of the child, whatever its date",
          "[metrics][children]") {
  const std::vector<std::string> sa = {"SAB", "19A", "19B", "19C", "11A"};
  MetricsEngine engine(defs({count_measure("csa", contacts(CountUnit::events, sa))}), agencies());
  // The sexual-abuse factor is recorded months after the contact, by another agency.
  add(engine,
      {ev(EventType::contact, "2024-04-10"), ev(EventType::s47_start, "2024-11-01", 1, {"19C"})});
  // Another child: neglect only.
  add(engine,
      {ev(EventType::contact, "2024-04-11"), ev(EventType::s47_start, "2024-04-12", 1, {"NEG"})});
  // Another: child sexual exploitation among other factors.
  add(engine, {ev(EventType::contact, "2024-05-01"),
               ev(EventType::assessment_complete, "2024-06-01", 1, {"NEG", "11A"})});
  REQUIRE(series(engine.rows(d("2024-04-01"), d("2024-06-30")), "csa") == Strings{"2024-25 Q1=2"});
}

TEST_CASE("a plan counts at every quarter end it is in force and not after it ends",
          "[metrics][plans]") {
  MetricsEngine engine(defs({count_measure("sab", plans_in_force(CountUnit::children, {"SAB"}))}),
                       agencies());
  // In force 10 February 2024 to 15 November 2024: the ends of 2023-24 Q4, 2024-25 Q1 and Q2.
  add(engine, {ev(EventType::cp_plan_start, "2024-02-10", 1, {"SAB"}, 1),
               ev(EventType::cp_plan_end, "2024-11-15", 1, {}, 2)});
  REQUIRE(series(engine.rows(d("2023-10-01"), d("2025-03-31")), "sab") ==
          Strings{"2023-24 Q3=0", "2023-24 Q4=1", "2024-25 Q1=1", "2024-25 Q2=1", "2024-25 Q3=0",
                  "2024-25 Q4=0"});
}

TEST_CASE("plans at the quarter-end day: starting that day counts, ending that day does not",
          "[metrics][plans]") {
  MetricsEngine engine(defs({count_measure("sab", plans_in_force(CountUnit::children, {"SAB"}))}),
                       agencies());
  add(engine, {ev(EventType::cp_plan_start, "2024-06-30", 1, {"SAB"}, 1),
               ev(EventType::cp_plan_end, "2024-09-30", 1, {}, 2)});
  // Started and ended within one quarter: never in force at a quarter end.
  add(engine, {ev(EventType::cp_plan_start, "2024-07-02", 1, {"SAB"}, 1),
               ev(EventType::cp_plan_end, "2024-09-29", 1, {}, 2)});
  REQUIRE(series(engine.rows(d("2024-04-01"), d("2024-12-31")), "sab") ==
          Strings{"2024-25 Q1=1", "2024-25 Q2=0", "2024-25 Q3=0"});
}

TEST_CASE("an open plan stays in force to the end of the range", "[metrics][plans]") {
  MetricsEngine engine(defs({count_measure("sab", plans_in_force(CountUnit::children, {"SAB"}))}),
                       agencies());
  add(engine, {ev(EventType::cp_plan_start, "2024-05-01", 1, {"SAB"}, 1)});
  // An end recorded by an agency the definition does not name does not close it.
  add(engine, {ev(EventType::cp_plan_start, "2024-05-02", 1, {"SAB"}, 1),
               ev(EventType::cp_plan_end, "2024-06-01", 2, {}, 2)});
  REQUIRE(series(engine.rows(d("2024-04-01"), d("2025-06-30")), "sab") ==
          Strings{"2024-25 Q1=2", "2024-25 Q2=2", "2024-25 Q3=2", "2024-25 Q4=2", "2025-26 Q1=2"});
}

TEST_CASE("a new plan start replaces the open plan, ends close the plan they relate to",
          "[metrics][plans]") {
  MetricsEngine engine(defs({count_measure("sab", plans_in_force(CountUnit::children, {"SAB"})),
                             count_measure("any", plans_in_force(CountUnit::children, {})),
                             count_measure("plans", plans_in_force(CountUnit::events, {}))}),
                       agencies());
  // SAB from May 2024; category changed to NEG in August (a new start, no end); the end recorded
  // in January relates to the first (SAB) start, so it does not close the NEG plan.
  Event end = ev(EventType::cp_plan_end, "2025-01-10", 1, {}, 3);
  end.relates_to = ref(1);
  add(engine, {ev(EventType::cp_plan_start, "2024-05-01", 1, {"SAB"}, 1),
               ev(EventType::cp_plan_start, "2024-08-01", 1, {"NEG"}, 2), end});
  const auto rows = engine.rows(d("2024-04-01"), d("2025-03-31"));
  REQUIRE(series(rows, "sab") ==
          Strings{"2024-25 Q1=1", "2024-25 Q2=0", "2024-25 Q3=0", "2024-25 Q4=0"});
  REQUIRE(series(rows, "any") ==
          Strings{"2024-25 Q1=1", "2024-25 Q2=1", "2024-25 Q3=1", "2024-25 Q4=1"});
  REQUIRE(series(rows, "plans") ==
          Strings{"2024-25 Q1=1", "2024-25 Q2=1", "2024-25 Q3=1", "2024-25 Q4=1"});

  // An end that relates to no start closes whatever plan is open.
  std::vector<Event> events{ev(EventType::cp_plan_start, "2024-05-01", 1, {"SAB"}, 1),
                            ev(EventType::cp_plan_start, "2024-08-01", 1, {"NEG"}, 2),
                            ev(EventType::cp_plan_end, "2025-01-10", 1, {}, 3)};
  const auto plans = plan_periods(events, filter({EventType::cp_plan_start}, {"csc"}),
                                  filter({EventType::cp_plan_end}, {"csc"}), agencies());
  REQUIRE(plans.size() == 2);
  REQUIRE(plans[0].end == d("2024-08-01"));
  REQUIRE(plans[1].end == d("2025-01-10"));
}

TEST_CASE("a plan recorded by a second council replaces the first: the child counts once",
          "[metrics][plans]") {
  MetricsEngine engine(defs({count_measure("children", plans_in_force(CountUnit::children, {})),
                             count_measure("plans", plans_in_force(CountUnit::events, {}))}),
                       agencies());
  // The child moved: CSC2 started a plan in May; CSC never recorded the end of its own.
  std::vector<Event> events{ev(EventType::cp_plan_start, "2024-04-05", 1, {"SAB"}, 1),
                            ev(EventType::cp_plan_start, "2024-05-05", 4, {"SAB"}, 1)};
  sort_events(events, agencies());
  const auto plans = plan_periods(events, filter({EventType::cp_plan_start}, {"csc"}),
                                  filter({EventType::cp_plan_end}, {"csc"}), agencies());
  REQUIRE(plans.size() == 2);
  REQUIRE(plans[0].end == d("2024-05-05"));
  REQUIRE_FALSE(plans[1].end);
  engine.add_child(events);
  const auto rows = engine.rows(d("2024-04-01"), d("2024-09-30"));
  REQUIRE(series(rows, "children") == Strings{"2024-25 Q1=1", "2024-25 Q2=1"});
  REQUIRE(series(rows, "plans") == Strings{"2024-25 Q1=1", "2024-25 Q2=1"});
}

TEST_CASE("follow-up: counted when a matching event follows within the window",
          "[metrics][followed]") {
  CountDefinition c;
  c.unit = CountUnit::events;
  c.event = filter({EventType::police_report}, {"police"});
  c.followed_by.push_back(filter({EventType::abe_interview}, {"police"}));
  EventFilter outcome = filter({EventType::police_outcome}, {"police"});
  outcome.outcomes = {"charged", "caution"};
  c.followed_by.push_back(outcome);
  c.within_days = 30;
  MetricsEngine engine(defs({count_measure("investigated", c)}), agencies());

  add(engine, {ev(EventType::police_report, "2024-04-01", 2),
               ev(EventType::abe_interview, "2024-05-01", 2)});  // day 30: in
  add(engine, {ev(EventType::police_report, "2024-04-01", 2),
               ev(EventType::abe_interview, "2024-05-02", 2)});  // day 31: out
  add(engine, {ev(EventType::abe_interview, "2024-03-30", 2),
               ev(EventType::police_report, "2024-04-01", 2)});  // before the report: out
  Event charged = ev(EventType::police_outcome, "2024-04-20", 2);
  charged.outcome = "charged";
  add(engine, {ev(EventType::police_report, "2024-04-02", 2), charged});  // in
  Event nfpa = ev(EventType::police_outcome, "2024-04-20", 2);
  nfpa.outcome = "nfpa_at_this_time";
  add(engine, {ev(EventType::police_report, "2024-04-02", 2), nfpa});  // wrong outcome: out
  add(engine, {ev(EventType::police_report, "2024-04-03", 2),
               ev(EventType::abe_interview, "2024-04-03", 1)});  // not a police interview: out
  add(engine, {ev(EventType::police_report, "2024-06-30", 2),
               ev(EventType::abe_interview, "2024-07-03", 2)});  // same day or later, next quarter

  REQUIRE(series(engine.rows(d("2024-04-01"), d("2024-09-30")), "investigated") ==
          Strings{"2024-25 Q1=3", "2024-25 Q2=0"});
}

TEST_CASE("proportions carry numerator and denominator, zero denominators have no value",
          "[metrics][proportion]") {
  MeasureDefinition m = count_measure("share", plans_in_force(CountUnit::children, {"SAB"}));
  m.denominator = plans_in_force(CountUnit::children, {});
  MetricsEngine engine(defs({m}), agencies());
  add(engine, {ev(EventType::cp_plan_start, "2024-07-01", 1, {"SAB"}, 1)});
  add(engine, {ev(EventType::cp_plan_start, "2024-07-02", 1, {"NEG"}, 1)});
  add(engine, {ev(EventType::cp_plan_start, "2024-07-03", 1, {"PHY"}, 1)});
  add(engine, {ev(EventType::cp_plan_start, "2024-07-04", 1, {"SAB"}, 1),
               ev(EventType::cp_plan_end, "2024-12-01", 1, {}, 2)});
  const auto rows = engine.rows(d("2024-04-01"), d("2025-03-31"));
  REQUIRE(series(rows, "share") ==
          Strings{"2024-25 Q1=0/0", "2024-25 Q2=2/4", "2024-25 Q3=1/3", "2024-25 Q4=1/3"});
  REQUIRE_FALSE(rows[0].value());
  REQUIRE(rows[1].value() == Approx(0.5));
  REQUIRE(rows[2].value() == Approx(1.0 / 3));

  MetricRow count{"c", rows[0].quarter, 7, std::nullopt};
  REQUIRE(count.value() == Approx(7));
}

TEST_CASE("definition text states the unit and the conditions", "[metrics][describe]") {
  const std::string text = plans_in_force(CountUnit::children, {"SAB"}).describe();
  REQUIRE_THAT(text, Catch::Contains("Counts each child"));
  REQUIRE_THAT(text, Catch::Contains("in force on the last day of the quarter"));
  REQUIRE_THAT(text, Catch::Contains("cp_plan_start recorded by an agency of kind csc with "
                                     "category SAB"));
  REQUIRE_THAT(text, Catch::Contains("ended by cp_plan_end"));
  const std::string events = contacts(CountUnit::events, {"SAB", "19C"}).describe();
  REQUIRE_THAT(events, Catch::StartsWith("Counts each contact recorded by an agency of kind csc "
                                         "dated in the quarter for a child with category SAB or "
                                         "19C"));
  MeasureDefinition m = count_measure("share", plans_in_force(CountUnit::children, {"SAB"}));
  m.denominator = plans_in_force(CountUnit::children, {});
  REQUIRE_THAT(m.describe(), Catch::Contains("Numerator: ") && Catch::Contains("Denominator: "));
}
