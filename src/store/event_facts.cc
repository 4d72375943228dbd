#include "store/event_facts.h"

#include <cstring>
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

void for_each_child(Session& s, const core::AgencyDirectory& agencies,
                    const std::function<void(std::int64_t, std::vector<core::Event>&)>& visit) {
  // event_links_child orders the scan by child; each event is then one rowid lookup.
  Statement q(connection(s),
              "SELECT l.child_id, e.id, e.agency_id, e.event_type, e.event_date, e.age_years, "
              "e.sex, e.entry_point, e.to_agency_id, e.to_service, e.participants, e.outcome, "
              "e.category, e.event_ref_hmac, e.relates_to_hmac "
              "FROM event_links l JOIN events e ON e.id = l.event_id ORDER BY l.child_id");
  std::vector<core::Event> events;
  std::int64_t current = 0;
  auto flush = [&] {
    if (events.empty())
      return;
    core::sort_events(events, agencies);
    visit(current, events);
    events.clear();
  };
  sqlite3_stmt* st = q.get();
  while (q.row()) {
    const std::int64_t child = sqlite3_column_int64(st, 0);
    if (child != current) {
      flush();
      current = child;
    }
    core::Event& e = events.emplace_back();
    e.child_id = child;
    e.id = sqlite3_column_int64(st, 1);
    e.agency = sqlite3_column_int(st, 2);
    const auto type = core::parse_event_type(column_view(st, 3));
    if (!type)
      throw core::Error("an event in the database has an unknown event type");
    e.type = *type;
    e.date = column_date(st, 4);
    if (sqlite3_column_type(st, 5) != SQLITE_NULL)
      e.age_years = sqlite3_column_int(st, 5);
    e.sex = column_view(st, 6);
    e.entry_point = column_view(st, 7);
    e.to_agency = sqlite3_column_int(st, 8);
    e.to_service = column_view(st, 9);
    for (std::string_view code : split(column_view(st, 10), ';')) {
      if (auto id = agencies.id_of(code))
        e.participants.push_back(*id);
    }
    e.outcome = column_view(st, 11);
    for (std::string_view code : split(column_view(st, 12), ';'))
      e.category.emplace_back(code);
    column_key(st, 13, e.ref);
    core::RefKey rel{};
    if (column_key(st, 14, rel))
      e.relates_to = rel;
  }
  flush();
}

std::optional<core::Date> latest_event_date(Session& s) {
  Statement q(connection(s), "SELECT max(event_date) FROM events");
  if (!q.row() || sqlite3_column_type(q.get(), 0) == SQLITE_NULL)
    return std::nullopt;
  return column_date(q.get(), 0);
}

}  // namespace pathaudit::store
