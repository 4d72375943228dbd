// Hand-built cases for each default rule at its edges: boundary days, bank holidays, missing
// participants, relates_to chains, pending requirements and dates outside the calendar.
#include <catch2/catch.hpp>

#include "core/rules.h"
#include "service/reference_data.h"
#include "service/rule_set_file.h"

namespace pathaudit {
namespace {

using core::Date;
using core::EventType;
using T = core::EventType;

Date d(const char* iso) {
  return *Date::parse_iso(iso);
}

const core::RuleSet& default_rules() {
  static const core::RuleSet r =
      service::load_rule_set(std::string(PATHAUDIT_TEMPLATES_DIR) + "/rules/default/1.json");
  return r;
}

const core::WorkingDayCalendar& calendar() {
  static const core::WorkingDayCalendar c = service::load_calendar(
      std::string(PATHAUDIT_TEMPLATES_DIR) + "/calendars/england-and-wales.json");
  return c;
}

enum Agency { CSC = 1, POLICE, GP, SCHOOL, CAMHS, VCS, SARC };

// One child's events, built up in a test, then evaluated with one rule of the default set.
class Child {
 public:
  Child() {
    agencies_.add(CSC, {"CSC", "Children's social care", "csc"});
    agencies_.add(POLICE, {"POLICE", "Police", "police"});
    agencies_.add(GP, {"GP", "GP practices", "health"});
    agencies_.add(SCHOOL, {"SCHOOL", "Schools", "education"});
    agencies_.add(CAMHS, {"CAMHS", "CAMHS", "camhs"});
    agencies_.add(VCS, {"VCS", "Voluntary sector", "vcs"});
    agencies_.add(SARC, {"SARC", "SARC", "sarc"});
  }

  // Adds an event and returns its id (also its reference key).
  std::int64_t add(Agency agency, EventType type, const char* date, std::int64_t relates_to = 0) {
    core::Event e;
    e.id = static_cast<std::int64_t>(events_.size()) + 1;
    e.child_id = 7;
    e.agency = agency;
    e.type = type;
    e.date = d(date);
    e.ref = key(e.id);
    if (relates_to)
      e.relates_to = key(relates_to);
    events_.push_back(e);
    return e.id;
  }
  core::Event& last() { return events_.back(); }
  core::Event& event(std::int64_t id) { return events_.at(static_cast<std::size_t>(id - 1)); }

  std::vector<core::Flag> flags(const std::string& rule, const char* horizon = "2027-06-30") {
    auto events = events_;
    core::sort_events(events, agencies_);
    core::RuleEngine engine(default_rules(), calendar(), agencies_, d(horizon));
    engine.restrict_to(rule);
    std::vector<core::Flag> out;
    engine.evaluate(events, out, stats);
    for (const auto& f : out)
      REQUIRE(f.rule->id == rule);
    return out;
  }

  core::EvaluationStats stats;

 private:
  static core::RefKey key(std::int64_t id) {
    core::RefKey k{};
    k[0] = static_cast<std::uint8_t>(id);
    k[1] = static_cast<std::uint8_t>(id >> 8);
    return k;
  }
  core::AgencyDirectory agencies_;
  std::vector<core::Event> events_;
};

std::vector<std::int64_t> ids(std::initializer_list<std::int64_t> v) {
  return v;
}

TEST_CASE("duplicate_referral: different agencies, same service, within 90 days", "[rules]") {
  Child c;
  const auto a = c.add(SCHOOL, T::specialist_referral, "2025-03-03");
  c.last().to_service = "camhs";
  const auto b = c.add(GP, T::specialist_referral, "2025-06-01");  // day 90
  c.last().to_service = "camhs";
  auto f = c.flags("duplicate_referral");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({a, b}));
  CHECK(f[0].agency == GP);
  CHECK(f[0].detail.find("Referred to camhs by SCHOOL on 2025-03-03 and by GP on 2025-06-01") == 0);

  c.event(b).date = d("2025-06-02");  // day 91
  CHECK(c.flags("duplicate_referral").empty());
  c.event(b).date = d("2025-03-10");
  c.event(b).agency = SCHOOL;  // the same agency twice is its own business
  CHECK(c.flags("duplicate_referral").empty());
  c.event(b).agency = GP;
  c.event(b).to_service = "csa_counselling";  // another service
  CHECK(c.flags("duplicate_referral").empty());
}

TEST_CASE("repeated_account: three accounts, two agencies, 180 days", "[rules]") {
  Child c;
  const auto a = c.add(POLICE, T::abe_interview, "2025-01-10");
  const auto b = c.add(CSC, T::assessment_start, "2025-02-01");
  const auto x = c.add(CAMHS, T::specialist_assessment, "2025-07-09");  // day 180
  auto f = c.flags("repeated_account");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({a, b, x}));
  CHECK(f[0].detail.find("3 accounts to 3 agencies") != std::string::npos);
  c.event(x).date = d("2025-07-10");  // day 181
  CHECK(c.flags("repeated_account").empty());
  c.event(x).date = d("2025-03-01");
  c.event(a).agency = CSC;
  c.event(x).agency = CSC;  // three accounts, one agency
  CHECK(c.flags("repeated_account").empty());
}

TEST_CASE("strategy_without_partner: CSC, police and health must take part", "[rules]") {
  Child c;
  c.add(CSC, T::strategy_discussion, "2025-05-06");
  c.last().participants = {CSC, POLICE, GP};
  CHECK(c.flags("strategy_without_partner").empty());
  c.last().participants = {CSC, POLICE, CAMHS, SARC};  // specialist services are not health
  auto f = c.flags("strategy_without_partner");
  REQUIRE(f.size() == 1);
  CHECK(f[0].detail.find("no agency of kind health") != std::string::npos);
  c.last().participants = {};
  f = c.flags("strategy_without_partner");
  REQUIRE(f.size() == 1);
  CHECK(f[0].detail.find("no participants recorded") != std::string::npos);
  CHECK(f[0].detail.find("csc, police and health") != std::string::npos);
}

TEST_CASE("abe_not_shared: one working day, across a bank holiday weekend", "[rules]") {
  Child c;
  // Thursday 17 April 2025; Good Friday and Easter Monday are bank holidays, so the next working
  // day is Tuesday 22 April.
  const auto abe = c.add(POLICE, T::abe_interview, "2025-04-17");
  const auto share = c.add(POLICE, T::information_shared, "2025-04-22", abe);
  c.last().to_agency = CSC;
  CHECK(c.flags("abe_not_shared").empty());
  c.event(share).date = d("2025-04-23");
  auto f = c.flags("abe_not_shared");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({abe}));
  CHECK(f[0].detail.find("(shared on 2025-04-23)") != std::string::npos);
  c.event(share).date = d("2025-04-17");
  c.event(share).to_agency = SCHOOL;  // shared, but not with children's social care
  CHECK(c.flags("abe_not_shared").size() == 1);
  c.event(share).to_agency = CSC;
  c.event(share).relates_to.reset();  // shared, but not about this interview
  CHECK(c.flags("abe_not_shared").size() == 1);
  // Nothing shared and the data ends before the deadline: still pending.
  CHECK(c.flags("abe_not_shared", "2025-04-22").empty());
  CHECK(c.flags("abe_not_shared", "2025-04-23").size() == 1);
}

TEST_CASE("outcome_not_shared: every agency involved in the 90 days before", "[rules]") {
  Child c;
  c.add(SCHOOL, T::concern_identified, "2025-03-03");             // 90 days before the outcome
  c.add(GP, T::contact, "2025-03-02");                            // 91 days before: not involved
  const auto outcome = c.add(CSC, T::s47_outcome, "2025-06-01");  // a Sunday
  // Five working days from Sunday 1 June 2025 is Friday 6 June.
  const auto share = c.add(CSC, T::information_shared, "2025-06-06", outcome);
  c.last().to_agency = SCHOOL;
  CHECK(c.flags("outcome_not_shared").empty());
  c.event(share).date = d("2025-06-09");
  auto f = c.flags("outcome_not_shared");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({outcome}));
  CHECK(f[0].agency == CSC);
  CHECK(f[0].detail.find("with SCHOOL") != std::string::npos);
  CHECK(f[0].detail.find("GP") == std::string::npos);
}

TEST_CASE("referral_decision_late: one working day over Christmas, and a missing decision",
          "[rules]") {
  Child c;
  // Wednesday 24 December 2025; 25 and 26 are bank holidays, the weekend follows: next working day
  // Monday 29 December.
  const auto contact = c.add(CSC, T::contact, "2025-12-24");
  const auto decision = c.add(CSC, T::referral_decision, "2025-12-29", contact);
  CHECK(c.flags("referral_decision_late").empty());
  c.event(decision).date = d("2025-12-30");
  auto f = c.flags("referral_decision_late");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({contact, decision}));
  CHECK(f[0].detail.find("2 working days after the contact by CSC on 2025-12-24") !=
        std::string::npos);

  Child missing;
  const auto lone = missing.add(CSC, T::contact, "2025-12-24");
  CHECK(missing.flags("referral_decision_late", "2025-12-29").empty());  // still pending
  f = missing.flags("referral_decision_late", "2025-12-30");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({lone}));
  CHECK(f[0].detail.find("No referral_decision recorded by 2025-12-29") == 0);
}

TEST_CASE("assessment_late: measured from the contact its relates_to chain leads to", "[rules]") {
  Child c;
  const auto first = c.add(CSC, T::contact, "2025-01-06");
  const auto decision = c.add(CSC, T::referral_decision, "2025-01-06", first);
  const auto start = c.add(CSC, T::assessment_start, "2025-01-08", decision);
  c.add(CSC, T::contact, "2025-02-03");  // a later, unrelated contact
  // 45 working days from Monday 6 January 2025 is Monday 10 March.
  const auto complete = c.add(CSC, T::assessment_complete, "2025-03-10", start);
  CHECK(c.flags("assessment_late").empty());
  c.event(complete).date = d("2025-03-11");
  auto f = c.flags("assessment_late");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({first, complete}));  // not the later contact
  // Without the chain, the latest contact before it is the start, and it is in time.
  c.event(complete).relates_to.reset();
  CHECK(c.flags("assessment_late").empty());
}

TEST_CASE("icpc_late and core_group_late: 15 and 10 working days", "[rules]") {
  Child c;
  const auto strategy = c.add(CSC, T::strategy_discussion, "2025-05-01");
  c.last().outcome = "s47";
  const auto s47 = c.add(CSC, T::s47_start, "2025-05-01", strategy);
  const auto outcome = c.add(CSC, T::s47_outcome, "2025-05-09", s47);
  // 15 working days from Thursday 1 May 2025 (5 and 26 May are bank holidays) is Friday 23 May.
  const auto icpc = c.add(CSC, T::icpc, "2025-05-23", outcome);
  const auto plan = c.add(CSC, T::cp_plan_start, "2025-05-23", icpc);
  // 10 working days from Friday 23 May (26 May a bank holiday) is Monday 9 June.
  const auto group = c.add(CSC, T::core_group, "2025-06-09", plan);
  CHECK(c.flags("icpc_late").empty());
  CHECK(c.flags("core_group_late").empty());
  c.event(icpc).date = d("2025-05-27");
  c.event(plan).date = d("2025-05-27");
  auto f = c.flags("icpc_late");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({strategy, icpc}));
  c.event(group).date = d("2025-06-11");  // 10 working days after 27 May is 10 June
  f = c.flags("core_group_late");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({icpc, group}));
  c.event(group).type = T::case_closed;  // no core group at all
  f = c.flags("core_group_late");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({icpc}));
  CHECK(c.flags("core_group_late", "2025-06-10").empty());  // not due yet when the data ends
}

TEST_CASE("timescale checks are counted when their outcome is known, not while pending",
          "[rules]") {
  Child c;
  const auto strategy = c.add(CSC, T::strategy_discussion, "2025-05-01");
  c.last().outcome = "s47";
  const auto s47 = c.add(CSC, T::s47_start, "2025-05-01", strategy);
  const auto icpc = c.add(CSC, T::icpc, "2025-05-23", s47);
  const auto plan = c.add(CSC, T::cp_plan_start, "2025-05-23", icpc);
  c.add(CSC, T::core_group, "2025-06-09", plan);
  // Met: counted, no flag.
  c.stats = {};
  CHECK(c.flags("icpc_late").empty());
  CHECK(c.stats.timescale_checks["icpc_late"] == 1);
  // Late: counted, and flagged.
  c.event(icpc).date = d("2025-05-27");
  c.stats = {};
  CHECK(c.flags("icpc_late").size() == 1);
  CHECK(c.stats.timescale_checks["icpc_late"] == 1);
  // icpc_late is measured back from the conference: with none held there is nothing to count,
  // since a strategy discussion need not lead to one.
  c.event(icpc).type = T::case_closed;
  c.stats = {};
  CHECK(c.flags("icpc_late").empty());
  CHECK(c.stats.timescale_checks.count("icpc_late") == 0);
  // core_group_late is measured forward from the ICPC: a missing core group is pending until its
  // deadline passes (not counted), then late (counted and flagged).
  c.event(icpc).type = T::icpc;
  c.event(c.last().id).type = T::case_closed;
  c.stats = {};
  CHECK(c.flags("core_group_late", "2025-06-10").empty());
  CHECK(c.stats.timescale_checks.count("core_group_late") == 0);
  c.stats = {};
  CHECK(c.flags("core_group_late").size() == 1);
  CHECK(c.stats.timescale_checks["core_group_late"] == 1);
  // A window counts only checks measured from an event inside it.
  c.stats = {};
  c.stats.count_from = d("2025-05-28");
  CHECK(c.flags("core_group_late").size() == 1);  // the flag is still raised
  CHECK(c.stats.timescale_checks.count("core_group_late") == 0);
  c.stats = {};
  c.stats.count_from = d("2025-05-27");
  c.stats.count_to = d("2025-05-27");
  c.flags("core_group_late");
  CHECK(c.stats.timescale_checks["core_group_late"] == 1);
  // Rules that are not timescales count nothing.
  c.stats = {};
  c.flags("nfa_wording");
  CHECK(c.stats.timescale_checks.empty());
}

TEST_CASE("review_late: 3 months, then 6, while the plan is in force", "[rules]") {
  Child c;
  const auto icpc = c.add(CSC, T::icpc, "2024-01-31");
  c.add(CSC, T::cp_plan_start, "2024-01-31", icpc);
  // 31 January plus 3 months is 30 April (clamped); plus 6 more is 30 October.
  const auto first = c.add(CSC, T::review_conference, "2024-04-30", icpc);
  const auto second = c.add(CSC, T::review_conference, "2024-10-30", first);
  c.add(CSC, T::cp_plan_end, "2024-10-30");
  CHECK(c.flags("review_late").empty());
  c.event(first).date = d("2024-05-01");
  auto f = c.flags("review_late");
  REQUIRE(f.size() == 1);  // the second is measured from the late first, so it is in time
  CHECK(f[0].evidence == ids({icpc, first}));
  CHECK(f[0].detail.find("was due by 2024-04-30") != std::string::npos);
  c.event(first).date = d("2024-04-30");
  c.event(second).date = d("2024-10-31");
  f = c.flags("review_late");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({first, second}));
}

TEST_CASE("review_late: a plan in force with no review due is flagged once overdue", "[rules]") {
  Child c;
  const auto icpc = c.add(CSC, T::icpc, "2024-01-31");
  c.add(CSC, T::cp_plan_start, "2024-01-31", icpc);
  CHECK(c.flags("review_late", "2024-04-30").empty());
  auto f = c.flags("review_late", "2024-05-01");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({icpc}));
  c.add(CSC, T::cp_plan_end, "2024-03-01");  // the plan ended before a review was due
  CHECK(c.flags("review_late").empty());
}

TEST_CASE("no_medical_considered: sexual-abuse codes and 30 days", "[rules]") {
  Child c;
  const auto s47 = c.add(CSC, T::s47_start, "2025-02-03");
  c.last().category = {"19C"};
  const auto medical = c.add(SARC, T::medical_assessment, "2025-03-05");  // day 30
  CHECK(c.flags("no_medical_considered").empty());
  c.event(medical).date = d("2025-03-06");
  auto f = c.flags("no_medical_considered");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({s47}));
  c.event(medical).date = d("2025-02-01");  // before the enquiry does not count
  CHECK(c.flags("no_medical_considered").size() == 1);
  c.event(s47).category = {"NEG"};  // not a sexual-abuse concern
  CHECK(c.flags("no_medical_considered").empty());
  c.add(CSC, T::cp_plan_start, "2025-05-01");
  c.last().category = {"SAB"};  // a code on any event counts
  CHECK(c.flags("no_medical_considered").size() == 1);
}

TEST_CASE("nfa_wording: bare nfa on a police outcome only", "[rules]") {
  Child c;
  const auto outcome = c.add(POLICE, T::police_outcome, "2025-02-03");
  c.last().outcome = "nfpa_at_this_time";
  c.add(CSC, T::referral_decision, "2025-02-03");
  c.last().outcome = "nfa";
  CHECK(c.flags("nfa_wording").empty());
  c.event(outcome).outcome = "nfa";
  auto f = c.flags("nfa_wording");
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == ids({outcome}));
  CHECK(f[0].detail.find("rather than 'nfpa_at_this_time'") != std::string::npos);
}

TEST_CASE("a working-day check outside the calendar is counted, not guessed", "[rules]") {
  Child c;
  const auto contact = c.add(CSC, T::contact, "2021-06-01");
  c.add(CSC, T::referral_decision, "2021-06-10", contact);
  CHECK(c.flags("referral_decision_late").empty());
  CHECK(c.stats.outside_calendar == 1);
}

TEST_CASE("the evidence signature changes with the evidence", "[rules]") {
  Child c;
  const auto outcome = c.add(POLICE, T::police_outcome, "2025-02-03");
  c.last().outcome = "nfa";
  const std::string before = c.flags("nfa_wording").at(0).evidence_signature;
  c.event(outcome).date = d("2025-02-04");
  CHECK(c.flags("nfa_wording").at(0).evidence_signature != before);
  c.event(outcome).date = d("2025-02-03");
  CHECK(c.flags("nfa_wording").at(0).evidence_signature == before);
}

}  // namespace
}  // namespace pathaudit
