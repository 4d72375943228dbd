#include "store/event_facts.h"

#include <cstring>
#include <map>
#include <string_view>
#include <utility>

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

// In id order, which for_each_child's merge-join relies on; free, as id is the rowid.
constexpr const char* kEventColumns =
    "SELECT id, agency_id, event_type, event_date, age_years, sex, entry_point, to_agency_id, "
    "to_service, participants, outcome, category, event_ref_hmac, relates_to_hmac FROM events "
    "ORDER BY id";

// Events held in memory per pass: about 250 bytes each, so a pass stays near 75 MB whatever the
// size of the database.
constexpr std::size_t kEventsPerPass = 300000;

}  // namespace

void for_each_child(Session& s, const core::AgencyDirectory& agencies,
                    const std::function<void(std::int64_t, std::vector<core::Event>&)>& visit) {
  sqlite3* db = connection(s);
  // Pass boundaries: the first child of each pass, then one past the last child. Consecutive
  // children join a pass until it holds kEventsPerPass events. Counted through the child index, so
  // nothing per event is held for it.
  std::vector<std::int64_t> bounds;
  // Which child each event belongs to, as (event id, child id) in event id order: the primary key
  // order of event_links, so the scan returns it sorted.
  std::vector<std::pair<std::int64_t, std::int64_t>> links;
  {
    Statement q(db,
                "SELECT child_id, count(*) FROM event_links GROUP BY child_id ORDER BY child_id");
    std::size_t in_pass = 0;
    std::int64_t last_child = 0;
    std::size_t linked = 0;
    while (q.row()) {
      const std::int64_t child = sqlite3_column_int64(q.get(), 0);
      if (bounds.empty() || in_pass >= kEventsPerPass) {
        bounds.push_back(child);
        in_pass = 0;
      }
      const auto events = static_cast<std::size_t>(sqlite3_column_int64(q.get(), 1));
      in_pass += events;
      linked += events;
      last_child = child;
    }
    if (bounds.empty())
      return;
    bounds.push_back(last_child + 1);
    links.reserve(linked);  // exactly: no growth to twice the size
  }
  {
    Statement q(db, "SELECT event_id, child_id FROM event_links ORDER BY event_id");
    while (q.row())
      links.emplace_back(sqlite3_column_int64(q.get(), 0), sqlite3_column_int64(q.get(), 1));
  }
  // Each pass reads the events in table order (a sequential scan, several times faster than
  // fetching them child by child through the index) and merge-joins them against `links`, keeping
  // only the events of the pass's children.
  Statement q(db, kEventColumns);
  std::map<std::int64_t, std::vector<core::Event>> by_child;
  for (std::size_t pass = 0; pass + 1 < bounds.size(); ++pass) {
    const std::int64_t lo = bounds[pass], hi = bounds[pass + 1];
    by_child.clear();
    sqlite3_stmt* st = q.get();
    auto link = links.cbegin();
    while (link != links.cend() && q.row()) {
      const std::int64_t id = sqlite3_column_int64(st, 0);
      while (link != links.cend() && link->first < id)
        ++link;
      if (link == links.cend() || link->first != id)
        continue;  // not linked yet
      const std::int64_t child = link->second;
      if (child < lo || child >= hi)
        continue;
      core::Event& e = by_child[child].emplace_back();
      e.child_id = child;
      read_event(st, agencies, e);
    }
    q.reset();
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
