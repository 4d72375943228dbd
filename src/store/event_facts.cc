#include "store/event_facts.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>
#include <unordered_map>
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

// The analysis scans read columns as values: one sqlite3_column_value per column, then the
// sqlite3_value_* readers, which unlike the sqlite3_column_* ones take no connection mutex (three
// or four locks a column otherwise, a tenth of a million-row scan). SQLite calls such a value
// unprotected: it is read only here, by the thread that holds the connection, before the next step.
std::string_view value_view(sqlite3_value* v) {
  const unsigned char* t = sqlite3_value_text(v);
  if (!t)
    return {};
  return {reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_value_bytes(v))};
}

core::Date stored_date(std::string_view text) {
  const auto d = core::Date::parse_iso(text);
  // Imports validate dates, so this is damage to the database, not bad input.
  if (!d)
    throw core::Error(
        "an event in the database has an unreadable date; run PRAGMA integrity_check");
  return *d;
}

bool value_key(sqlite3_value* v, core::RefKey& key) {
  if (sqlite3_value_type(v) != SQLITE_BLOB || sqlite3_value_bytes(v) < 16)
    return false;
  std::memcpy(key.data(), sqlite3_value_blob(v), key.size());
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

// In event id order, which is free, as id is the rowid, and each event's link row (event_links is
// keyed by event id) comes from the next row of its table: no link list is held for the join. A
// LEFT JOIN, so unlinked events still count for the horizon. The child's details come last, so
// EventDetail::rules drops them without renumbering the others.
constexpr const char* kEventColumns =
    "SELECT e.id, e.agency_id, e.event_type, e.event_date, e.to_agency_id, e.to_service, "
    "e.participants, e.outcome, e.category, e.event_ref_hmac, e.relates_to_hmac, l.child_id, "
    "e.age_years, e.sex, e.entry_point "
    "FROM events e LEFT JOIN event_links l ON l.event_id = e.id ORDER BY e.id";
constexpr const char* kRuleColumns =
    "SELECT e.id, e.agency_id, e.event_type, e.event_date, e.to_agency_id, e.to_service, "
    "e.participants, e.outcome, e.category, e.event_ref_hmac, e.relates_to_hmac, l.child_id "
    "FROM events e LEFT JOIN event_links l ON l.event_id = e.id ORDER BY e.id";

struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Distinct column texts, numbered in order of first sight; 0 is "" (NULL reads as "" too, as
// before: no analysis tells them apart).
class Interner {
 public:
  Interner() { index(""); }
  // The number of `text`, and whether it is new (so a parsed form can be added at the same index).
  std::pair<std::uint32_t, bool> index(std::string_view text) {
    if (auto it = numbers_.find(text); it != numbers_.end())
      return {it->second, false};
    const auto n = static_cast<std::uint32_t>(numbers_.size());
    numbers_.emplace(std::string(text), n);
    return {n, true};
  }
  std::vector<std::string> texts() const {
    std::vector<std::string> out(numbers_.size());
    for (const auto& [text, n] : numbers_)
      out[n] = text;
    return out;
  }

 private:
  std::unordered_map<std::string, std::uint32_t, TextHash, std::equal_to<>> numbers_;
};

}  // namespace

LinkedEvents read_linked_events(Session& s, const core::AgencyDirectory& agencies,
                                EventDetail detail) {
  sqlite3* db = connection(s);
  LinkedEvents out(agencies);
  // The children in id order with their link counts: each child's slots in packed_, so every
  // event is written straight to its place, grouped by child, in the one scan.
  std::vector<std::int64_t> child_ids;
  std::vector<std::size_t> next;  // per child: its next free slot
  std::size_t linked = 0;
  {
    Statement q(db,
                "SELECT child_id, count(*) FROM event_links GROUP BY child_id ORDER BY child_id");
    while (q.row()) {
      child_ids.push_back(sqlite3_column_int64(q.get(), 0));
      next.push_back(linked);
      linked += static_cast<std::size_t>(sqlite3_column_int64(q.get(), 1));
    }
  }
  // Child ids are nearly consecutive (pruning leaves gaps), so an index by id is small and far
  // cheaper than a search per event; with ids too sparse for that, search.
  std::vector<std::uint32_t> index_of;
  if (!child_ids.empty() && child_ids.back() >= 0 &&
      static_cast<std::size_t>(child_ids.back()) < 4 * child_ids.size() + 65536) {
    index_of.resize(static_cast<std::size_t>(child_ids.back()) + 1);
    for (std::size_t i = 0; i < child_ids.size(); ++i)
      index_of[static_cast<std::size_t>(child_ids[i])] = static_cast<std::uint32_t>(i);
  }
  const auto child_index = [&](std::int64_t child) -> std::size_t {
    if (child >= 0 && static_cast<std::size_t>(child) < index_of.size())
      return index_of[static_cast<std::size_t>(child)];
    return static_cast<std::size_t>(std::lower_bound(child_ids.begin(), child_ids.end(), child) -
                                    child_ids.begin());
  };
  out.packed_.resize(linked);
  const std::vector<std::size_t> begin = next;

  // Index 0 of each is the empty column, which the interners number first.
  Interner texts, participants, categories;
  out.participants_.emplace_back();
  out.categories_.emplace_back();
  // The horizon is max(event_date) over every row, linked or not, compared as SQLite compares
  // text (bytewise), then parsed: exactly what `SELECT max(event_date) FROM events` gave.
  std::string latest;
  bool any = false;
  const bool details = detail == EventDetail::all;
  Statement q(db, details ? kEventColumns : kRuleColumns);
  sqlite3_stmt* st = q.get();
  const auto col = [st](int i) { return sqlite3_column_value(st, i); };
  while (q.row()) {
    const std::string_view date = value_view(col(3));
    if (!any || date > latest) {
      latest.assign(date);
      any = true;
    }
    sqlite3_value* child = col(11);
    if (sqlite3_value_type(child) == SQLITE_NULL)
      continue;  // not linked yet
    LinkedEvents::Packed& e = out.packed_[next[child_index(sqlite3_value_int64(child))]++];
    e.id = sqlite3_value_int64(col(0));
    e.agency = sqlite3_value_int(col(1));
    const auto type = core::parse_event_type(value_view(col(2)));
    if (!type)
      throw core::Error("an event in the database has an unknown event type");
    e.type = *type;
    e.date = stored_date(date).days();
    e.to_agency = sqlite3_value_int(col(4));
    e.to_service = texts.index(value_view(col(5))).first;
    const std::string_view who = value_view(col(6));
    const auto [p, new_p] = participants.index(who);
    if (new_p) {
      auto& ids = out.participants_.emplace_back();
      for (std::string_view code : split(who, ';')) {
        if (auto agency = agencies.id_of(code))
          ids.push_back(*agency);
      }
    }
    e.participants = p;
    e.outcome = texts.index(value_view(col(7))).first;
    const std::string_view codes = value_view(col(8));
    const auto [c, new_c] = categories.index(codes);
    if (new_c) {
      auto& list = out.categories_.emplace_back();
      for (std::string_view code : split(codes, ';'))
        list.emplace_back(code);
    }
    e.category = c;
    value_key(col(9), e.ref);
    e.has_relates_to = value_key(col(10), e.relates_to);
    if (details) {
      sqlite3_value* age = col(12);
      e.has_age = sqlite3_value_type(age) != SQLITE_NULL;
      if (e.has_age)
        e.age_years = sqlite3_value_int(age);
      e.sex = texts.index(value_view(col(13))).first;
      e.entry_point = texts.index(value_view(col(14))).first;
    }
  }
  if (any)
    out.latest_ = stored_date(latest);
  out.texts_ = texts.texts();

  // A link whose event is missing leaves its slot unfilled: children are cut to the slots their
  // events filled, and a child with none is left out, as it has nothing to analyse.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < child_ids.size(); ++i) {
    const std::size_t n = next[i] - begin[i];
    if (n == 0)
      continue;
    if (begin[i] != kept)
      std::move(out.packed_.begin() + static_cast<std::ptrdiff_t>(begin[i]),
                out.packed_.begin() + static_cast<std::ptrdiff_t>(next[i]),
                out.packed_.begin() + static_cast<std::ptrdiff_t>(kept));
    out.children_.push_back({child_ids[i], kept, kept + n});
    kept += n;
  }
  out.packed_.resize(kept);

  // Each child's events put in core::sort_events order here, once, on integer keys (date, the
  // rank of the agency's code, id), so the sort in child() finds them in order and moves nothing.
  // Agency ids are small; with one too large for a table, child() alone sorts.
  int max_agency = 0;
  for (const auto& [id, agency] : agencies.all())
    max_agency = std::max(max_agency, id);
  if (max_agency < 65536) {
    std::vector<std::string> codes{""};  // the code of an unknown agency
    for (const auto& [id, agency] : agencies.all())
      codes.push_back(agency.code);
    std::sort(codes.begin(), codes.end());
    const auto rank_of_code = [&](const std::string& code) {
      return static_cast<int>(std::lower_bound(codes.begin(), codes.end(), code) - codes.begin());
    };
    std::vector<int> rank(static_cast<std::size_t>(max_agency) + 1, rank_of_code(""));
    for (const auto& [id, agency] : agencies.all()) {
      if (id >= 0)
        rank[static_cast<std::size_t>(id)] = rank_of_code(agency.code);
    }
    const auto rank_of = [&](std::int32_t agency) {
      return agency >= 0 && agency <= max_agency ? rank[static_cast<std::size_t>(agency)]
                                                 : rank_of_code("");
    };
    for (const LinkedEvents::Child& c : out.children_) {
      std::sort(out.packed_.begin() + static_cast<std::ptrdiff_t>(c.begin),
                out.packed_.begin() + static_cast<std::ptrdiff_t>(c.end),
                [&](const LinkedEvents::Packed& a, const LinkedEvents::Packed& b) {
                  if (a.date != b.date)
                    return a.date < b.date;
                  const int ra = rank_of(a.agency), rb = rank_of(b.agency);
                  if (ra != rb)
                    return ra < rb;
                  return a.id < b.id;
                });
    }
  }
  return out;
}

std::int64_t LinkedEvents::child(std::size_t i, std::vector<core::Event>& out) const {
  const Child& c = children_[i];
  out.resize(c.end - c.begin);
  for (std::size_t k = 0; k < out.size(); ++k) {
    const Packed& p = packed_[c.begin + k];
    core::Event& e = out[k];
    e.id = p.id;
    e.child_id = c.id;
    e.agency = p.agency;
    e.type = p.type;
    e.date = core::Date::from_days(p.date);
    e.age_years = p.has_age ? std::optional<int>(p.age_years) : std::nullopt;
    e.sex = texts_[p.sex];
    e.entry_point = texts_[p.entry_point];
    e.to_agency = p.to_agency;
    e.to_service = texts_[p.to_service];
    e.participants = participants_[p.participants];
    e.outcome = texts_[p.outcome];
    e.category = categories_[p.category];
    e.ref = p.ref;
    e.relates_to = p.has_relates_to ? std::optional<core::RefKey>(p.relates_to) : std::nullopt;
  }
  core::sort_events(out, *agencies_);
  return c.id;
}

void for_each_child(Session& s, const core::AgencyDirectory& agencies,
                    const std::function<void(std::int64_t, std::vector<core::Event>&)>& visit) {
  const LinkedEvents linked = read_linked_events(s, agencies);
  std::vector<core::Event> events;
  for (std::size_t i = 0; i < linked.child_count(); ++i) {
    const std::int64_t child = linked.child(i, events);
    visit(child, events);
  }
}

}  // namespace pathaudit::store
