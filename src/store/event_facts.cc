#include "store/event_facts.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>

#include "core/errors.h"
#include "store/sqlite_statement.h"

namespace pathaudit::store {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const auto at = s.find(sep);
    const auto part = s.substr(0, at);
    if (!part.empty())
      out.push_back(part);
    if (at == std::string_view::npos)
      break;
    s.remove_prefix(at + 1);
  }
  return out;
}

std::string_view column_view(sqlite3_stmt* st, int col) {
  const unsigned char* t = sqlite3_column_text(st, col);
  if (!t)
    return {};
  return {reinterpret_cast<const char*>(t),
          static_cast<std::size_t>(sqlite3_column_bytes(st, col))};
}

core::Date column_date(sqlite3_stmt* st, int col) {
  const auto d = core::Date::parse_iso(column_view(st, col));
  // Imports validate dates, so this is damage to the database, not bad input.
  if (!d)
    throw core::Error(
        "an event in the database has an unreadable date; run PRAGMA integrity_check");
  return *d;
}

bool column_key(sqlite3_stmt* st, int col, core::RefKey& key) {
  if (sqlite3_column_type(st, col) != SQLITE_BLOB || sqlite3_column_bytes(st, col) < 16)
    return false;
  std::memcpy(key.data(), sqlite3_column_blob(st, col), key.size());
  return true;
}

}  // namespace

core::AgencyDirectory load_agencies(Session& s) {
  core::AgencyDirectory dir;
  Statement q(connection(s), "SELECT id, code, name, kind FROM agencies ORDER BY id");
  while (q.row()) {
    dir.add(
        sqlite3_column_int(q.get(), 0),
        core::Agency{column_text(q.get(), 1), column_text(q.get(), 2), column_text(q.get(), 3)});
  }
  return dir;
}

namespace {

// Fills `e` from a row of kEventColumns.
void read_event(sqlite3_stmt* st, const core::AgencyDirectory& agencies, core::Event& e) {
  e.id = sqlite3_column_int64(st, 0);
  e.agency = sqlite3_column_int(st, 1);
  const auto type = core::parse_event_type(column_view(st, 2));
  if (!type)
    throw core::Error("an event in the database has an unknown event type");
  e.type = *type;
  e.date = column_date(st, 3);
  if (sqlite3_column_type(st, 4) != SQLITE_NULL)
    e.age_years = sqlite3_column_int(st, 4);
  e.sex = column_view(st, 5);
  e.entry_point = column_view(st, 6);
  e.to_agency = sqlite3_column_int(st, 7);
  e.to_service = column_view(st, 8);
  for (std::string_view code : split(column_view(st, 9), ';')) {
    if (auto id = agencies.id_of(code))
      e.participants.push_back(*id);
  }
  e.outcome = column_view(st, 10);
  for (std::string_view code : split(column_view(st, 11), ';'))
    e.category.emplace_back(code);
  column_key(st, 12, e.ref);
  core::RefKey rel{};
  if (column_key(st, 13, rel))
    e.relates_to = rel;
}

constexpr const char* kEventColumns =
    "SELECT id, agency_id, event_type, event_date, age_years, sex, entry_point, to_agency_id, "
    "to_service, participants, outcome, category, event_ref_hmac, relates_to_hmac FROM events";

// Events held in memory per pass: about 250 bytes each, so a pass stays near 75 MB whatever the
// size of the database.
constexpr std::size_t kEventsPerPass = 300000;

}  // namespace

void for_each_child(Session& s, const core::AgencyDirectory& agencies,
                    const std::function<void(std::int64_t, std::vector<core::Event>&)>& visit) {
  sqlite3* db = connection(s);
  // Which child each event belongs to, by event id. Events are then read in table order (a
  // sequential scan, several times faster than fetching them child by child through the index)
  // in passes over ranges of children, so memory stays bounded.
  std::vector<std::int64_t> child_of;
  std::vector<std::int64_t> children;  // distinct, ascending
  {
    Statement q(db, "SELECT event_id, child_id FROM event_links");
    std::vector<std::pair<std::int64_t, std::int64_t>> links;
    while (q.row())
      links.emplace_back(sqlite3_column_int64(q.get(), 1), sqlite3_column_int64(q.get(), 0));
    if (links.empty())
      return;
    std::int64_t max_event = 0;
    for (const auto& [child, event] : links)
      max_event = std::max(max_event, event);
    child_of.assign(static_cast<std::size_t>(max_event) + 1, 0);
    for (const auto& [child, event] : links)
      child_of[static_cast<std::size_t>(event)] = child;
    std::sort(links.begin(), links.end());
    // Pass boundaries: consecutive children until a pass holds kEventsPerPass events.
    std::size_t in_pass = 0;
    for (std::size_t i = 0; i < links.size(); ++i) {
      const bool new_child = i == 0 || links[i].first != links[i - 1].first;
      if (new_child) {
        if (in_pass >= kEventsPerPass || i == 0) {
          children.push_back(links[i].first);  // first child of a pass
          in_pass = 0;
        }
      }
      ++in_pass;
    }
    children.push_back(links.back().first + 1);  // end of the last pass
  }
  Statement q(db, kEventColumns);
  std::map<std::int64_t, std::vector<core::Event>> by_child;
  for (std::size_t pass = 0; pass + 1 < children.size(); ++pass) {
    const std::int64_t lo = children[pass], hi = children[pass + 1];
    by_child.clear();
    sqlite3_stmt* st = q.get();
    while (q.row()) {
      const std::int64_t id = sqlite3_column_int64(st, 0);
      if (id < 0 || static_cast<std::size_t>(id) >= child_of.size())
        continue;  // not linked yet
      const std::int64_t child = child_of[static_cast<std::size_t>(id)];
      if (child < lo || child >= hi)
        continue;
      core::Event& e = by_child[child].emplace_back();
      e.child_id = child;
      read_event(st, agencies, e);
    }
    sqlite3_reset(st);
    for (auto& [child, events] : by_child) {
      core::sort_events(events, agencies);
      visit(child, events);
    }
  }
}

std::optional<core::Date> latest_event_date(Session& s) {
  Statement q(connection(s), "SELECT max(event_date) FROM events");
  if (!q.row() || sqlite3_column_type(q.get(), 0) == SQLITE_NULL)
    return std::nullopt;
  return column_date(q.get(), 0);
}

}  // namespace pathaudit::store
