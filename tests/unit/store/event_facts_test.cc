// store::read_linked_events, the one scan the flags pass, the board export and for_each_child read
// events through: grouping by child, the order within a child, unlinked events, the horizon, and
// what EventDetail::rules leaves out.
#include "store/event_facts.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "store/database.h"
#include "test_support.h"

using namespace pathaudit;
using Poco::Data::Keywords::now;

namespace {

void exec(store::Session& s, const std::string& sql) {
  s << sql, now;
}

// Agencies 1 SCHOOL and 2 GP (GP sorts first by code, though its id is larger); children 1, 3
// and 4 (no 2: ids have gaps after pruning); child 4 has a link but its event row is missing.
void fill(store::Database& db) {
  db.write([](store::Session& s) {
    exec(s,
         "INSERT INTO agencies (id, code, name, kind) VALUES (1, 'SCHOOL', 'School', "
         "'education'), (2, 'GP', 'GP', 'health')");
    exec(s,
         "INSERT INTO children (id, pseudonym, display_key, created_at) VALUES "
         "(1, x'01', 'C-1', '2025-01-01'), (3, x'03', 'C-3', '2025-01-01'), "
         "(4, x'04', 'C-4', '2025-01-01')");
    // Event 5 is linked to no child, and is the latest: the horizon still counts it.
    exec(s,
         "INSERT INTO events (id, agency_id, event_ref_hmac, event_ref_sealed, event_type, "
         "event_date, sex, age_years, entry_point, to_agency_id, to_service, participants, "
         "outcome, category, relates_to_hmac) VALUES "
         "(1, 1, x'01000000000000000000000000000000', x'00', 'contact', '2024-01-05', NULL, "
         "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
         "(2, 2, x'02000000000000000000000000000000', x'00', 'referral', '2024-01-05', 'F', 7, "
         "'school', 1, 'camhs', NULL, NULL, NULL, NULL), "
         "(3, 2, x'03000000000000000000000000000000', x'00', 'contact', '2024-01-01', NULL, "
         "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
         "(4, 1, x'04000000000000000000000000000000', x'00', 'strategy_discussion', "
         "'2024-02-01', 'M', 12, 'police', NULL, NULL, 'GP;SCHOOL;NOPE', 'nfa', '19A;SAB', "
         "x'01000000000000000000000000000000'), "
         "(5, 1, x'05000000000000000000000000000000', x'00', 'contact', '2025-06-01', NULL, "
         "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    exec(s,
         "INSERT INTO event_links (event_id, child_id, tier) VALUES (1, 1, 'nhs'), (2, 1, 'nhs'), "
         "(3, 1, 'nhs'), (4, 3, 'exact')");
  });
}

// Child 4's link to an event that is not there, written past the foreign key (which the store's
// connections enforce), as damage or an interrupted repair could leave it.
void orphan_link(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const int rc =
      sqlite3_exec(db, "INSERT INTO event_links (event_id, child_id, tier) VALUES (99, 4, 'nhs')",
                   nullptr, nullptr, nullptr);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

std::vector<std::int64_t> ids(const std::vector<core::Event>& events) {
  std::vector<std::int64_t> out;
  for (const core::Event& e : events)
    out.push_back(e.id);
  return out;
}

}  // namespace

TEST_CASE("linked events for the flags pass: grouped by child, sorted, horizon over every event",
          "[store][flags]") {
  testing::TempDir dir;
  const std::string path = dir / "pathaudit.db";
  auto db = store::Database::open({path, true});
  fill(*db);
  orphan_link(path);
  db->read([](store::Session& s) {
    const core::AgencyDirectory agencies = store::load_agencies(s);
    const store::LinkedEvents linked = store::read_linked_events(s, agencies);
    REQUIRE(linked.latest_event_date() == core::Date::parse_iso("2025-06-01"));
    REQUIRE(linked.event_count() == 4);  // event 5 unlinked, child 4's event missing
    REQUIRE(linked.child_count() == 2);  // child 4 has no event to analyse

    std::vector<core::Event> events;
    REQUIRE(linked.child(0, events) == 1);
    // Date, then agency code (GP before SCHOOL), then id: core::sort_events order.
    REQUIRE(ids(events) == std::vector<std::int64_t>{3, 2, 1});
    for (const core::Event& e : events)
      REQUIRE(e.child_id == 1);
    const core::Event& referral = events[1];
    REQUIRE(referral.type == core::EventType::referral);
    REQUIRE(referral.sex == "F");
    REQUIRE(referral.age_years == 7);
    REQUIRE(referral.entry_point == "school");
    REQUIRE(referral.to_agency == 1);
    REQUIRE(referral.to_service == "camhs");
    REQUIRE(!referral.relates_to);
    REQUIRE(events[2].sex.empty());
    REQUIRE(!events[2].age_years);

    // The buffer is reused: child 3's one event replaces child 1's three, nothing left over.
    REQUIRE(linked.child(1, events) == 3);
    REQUIRE(events.size() == 1);
    const core::Event& meeting = events[0];
    REQUIRE(meeting.id == 4);
    REQUIRE(meeting.participants == std::vector<int>{2, 1});  // the unknown code dropped
    REQUIRE(meeting.category == std::vector<std::string>{"19A", "SAB"});
    REQUIRE(meeting.outcome == "nfa");
    REQUIRE(meeting.ref[0] == 4);
    REQUIRE(meeting.relates_to);
    REQUIRE((*meeting.relates_to)[0] == 1);
    REQUIRE(meeting.sex == "M");

    // The rules' reading: the same events without the child's details.
    const store::LinkedEvents rules =
        store::read_linked_events(s, agencies, store::EventDetail::rules);
    REQUIRE(rules.child(1, events) == 3);
    REQUIRE(events[0].sex.empty());
    REQUIRE(events[0].entry_point.empty());
    REQUIRE(!events[0].age_years);
    REQUIRE(events[0].category == std::vector<std::string>{"19A", "SAB"});
    REQUIRE(events[0].relates_to);

    // for_each_child visits the same, in child id order.
    std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>> visited;
    store::for_each_child(s, agencies, [&](std::int64_t child, std::vector<core::Event>& evs) {
      visited.emplace_back(child, ids(evs));
    });
    REQUIRE(visited == std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>>{
                           {1, {3, 2, 1}}, {3, {4}}});
  });
}

TEST_CASE("linked events for the flags pass: an empty store has no horizon and no children",
          "[store][flags]") {
  testing::TempDir dir;
  auto db = store::Database::open({dir / "pathaudit.db", true});
  db->read([](store::Session& s) {
    const core::AgencyDirectory agencies = store::load_agencies(s);
    const store::LinkedEvents linked = store::read_linked_events(s, agencies);
    REQUIRE(!linked.latest_event_date());
    REQUIRE(linked.child_count() == 0);
    REQUIRE(linked.event_count() == 0);
  });
}
