#include "store/events.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/errors.h"
#include "crypto/hash.h"
#include "store/sqlite_statement.h"

namespace pathaudit::store {
namespace {

core::LinkKey key16(sqlite3_stmt* st, int col, bool& present) {
  core::LinkKey k{};
  present = sqlite3_column_type(st, col) == SQLITE_BLOB && sqlite3_column_bytes(st, col) >= 16;
  if (present)
    std::memcpy(k.data(), sqlite3_column_blob(st, col), 16);
  return k;
}

std::uint8_t tier_from_text(const unsigned char* t) {
  if (!t)
    return 255;
  const std::string s(reinterpret_cast<const char*>(t));
  for (std::uint8_t i = 0; i <= static_cast<std::uint8_t>(core::LinkTier::none); ++i) {
    if (s == core::tier_name(static_cast<core::LinkTier>(i)))
      return i;
  }
  return 255;
}

// The columns insert and update share, in the order both bind them.
constexpr const char* kColumns =
    "agency_id, event_ref_hmac, event_ref_sealed, event_type, event_date, sex, age_years, "
    "entry_point, to_agency_id, to_service, participants, outcome, category, relates_to_hmac, "
    "notes_sealed, nhs_key, local_key, exact_key, probable_key, probable_swap_key, import_id";

}  // namespace

EventRefIndex::EventRefIndex(Session& s) {
  sqlite3* db = connection(s);
  Statement known(db, "SELECT id, coalesce(import_id, 0), event_ref_hmac FROM events");
  while (known.row()) {
    crypto::Pseudonym ref{};
    if (sqlite3_column_bytes(known.get(), 2) != static_cast<int>(ref.size()))
      continue;
    std::memcpy(ref.data(), sqlite3_column_blob(known.get(), 2), ref.size());
    const std::int64_t id = sqlite3_column_int64(known.get(), 0);
    known_[ref] = {id, sqlite3_column_int64(known.get(), 1)};
    next_id_ = std::max(next_id_, id + 1);
  }
}

std::size_t EventRefIndex::RefHash::operator()(const crypto::Pseudonym& p) const {
  std::size_t h;  // the pseudonym is already uniformly distributed
  std::memcpy(&h, p.data(), sizeof h);
  return h;
}

EventRefIndex::Claim EventRefIndex::claim(const crypto::Pseudonym& ref, std::int64_t import_id) {
  auto [it, inserted] = known_.try_emplace(ref, Entry{next_id_, import_id});
  if (inserted)
    return {next_id_++, false, false};
  Entry& entry = it->second;
  if (entry.import_id == import_id)
    return {entry.id, true, true};
  entry.import_id = import_id;
  return {entry.id, true, false};
}

namespace {

// 64 rows of 22 columns a statement: past that the statement's preparation and size stop paying
// for themselves (bench/import).
constexpr int kEventColumns = 22;
constexpr int kEventsPerStatement = 64;

// Binds the columns in kColumns' order, then the id, from parameter `first` on.
void bind_event(sqlite3_stmt* st, int first, const StoredEvent& e) {
  const int p = first - 1;
  constexpr Bound kept = Bound::kept;
  sqlite3_bind_int(st, p + 1, e.agency_id);
  bind_blob(st, p + 2, e.event_ref_hmac.data(), e.event_ref_hmac.size(), kept);
  bind_blob(st, p + 3, e.event_ref_sealed.data(), e.event_ref_sealed.size(), kept);
  bind_text(st, p + 4, e.event_type, kept);
  bind_text(st, p + 5, e.event_date, kept);
  bind_text(st, p + 6, e.sex, kept);
  if (e.age_years)
    sqlite3_bind_int(st, p + 7, *e.age_years);
  bind_text(st, p + 8, e.entry_point, kept);
  if (e.to_agency_id)
    sqlite3_bind_int(st, p + 9, *e.to_agency_id);
  bind_text(st, p + 10, e.to_service, kept);
  bind_text(st, p + 11, e.participants, kept);
  bind_text(st, p + 12, e.outcome, kept);
  bind_text(st, p + 13, e.category, kept);
  bind_opt_blob(st, p + 14, e.relates_to_hmac, kept);
  bind_opt_blob(st, p + 15, e.notes_sealed, kept);
  bind_opt_blob(st, p + 16, e.nhs_key, kept);
  bind_opt_blob(st, p + 17, e.local_key, kept);
  bind_opt_blob(st, p + 18, e.exact_key, kept);
  bind_opt_blob(st, p + 19, e.probable_key, kept);
  bind_opt_blob(st, p + 20, e.probable_swap_key, kept);
  sqlite3_bind_int64(st, p + 21, e.import_id);
  sqlite3_bind_int64(st, p + 22, e.id);
}

}  // namespace

EventWriter::EventWriter(Session& s)
    : db_(connection(s)),
      insert_(db_, std::string("INSERT INTO events (") + kColumns + ", id) VALUES", kEventColumns,
              kEventsPerStatement) {
  update_ = prepare(db_,
                    "UPDATE events SET agency_id = ?1, event_ref_hmac = ?2, "
                    "event_ref_sealed = ?3, event_type = ?4, event_date = ?5, sex = ?6, "
                    "age_years = ?7, entry_point = ?8, to_agency_id = ?9, to_service = ?10, "
                    "participants = ?11, outcome = ?12, category = ?13, relates_to_hmac = ?14, "
                    "notes_sealed = ?15, nhs_key = ?16, local_key = ?17, exact_key = ?18, "
                    "probable_key = ?19, probable_swap_key = ?20, import_id = ?21 "
                    "WHERE id = ?22");
}

EventWriter::~EventWriter() {
  sqlite3_finalize(update_);
}

void EventWriter::insert(const std::vector<const StoredEvent*>& rows) {
  insert_.write(rows.size(), [&](sqlite3_stmt* st, std::size_t i, int first) {
    bind_event(st, first, *rows[i]);
  });
}

void EventWriter::update(const StoredEvent& e) {
  sqlite3_reset(update_);
  sqlite3_clear_bindings(update_);
  bind_event(update_, 1, e);
  check_done(db_, sqlite3_step(update_));
}

LinkInput load_link_input(Session& s) {
  sqlite3* db = connection(s);
  LinkInput in;
  std::vector<std::pair<core::LinkKey, std::uint32_t>> order;  // (reference, position read)
  Statement count(db, "SELECT count(*) FROM events");
  if (count.row()) {
    const auto n = static_cast<std::size_t>(sqlite3_column_int64(count.get(), 0));
    in.event_ids.reserve(n);
    in.refs.reserve(n);
    in.records.reserve(n);
    in.current_child.reserve(n);
    in.current_tier.reserve(n);
    order.reserve(n);
  }
  // Read in table order (cheap) and sort in memory: linkage must see records in an order fixed by
  // their content, never by when or from which file they were imported.
  Statement q(
      db,
      "SELECT e.id, e.event_ref_hmac, coalesce(l.child_id, 0), l.tier, e.nhs_key, e.local_key, "
      "e.exact_key, e.probable_key, e.probable_swap_key FROM events e "
      "LEFT JOIN event_links l ON l.event_id = e.id");
  while (q.row()) {
    sqlite3_stmt* st = q.get();
    core::LinkRecord r;
    bool present = false;
    in.refs.push_back(key16(st, 1, present));
    order.emplace_back(in.refs.back(), static_cast<std::uint32_t>(order.size()));
    r.nhs = key16(st, 4, present);
    if (present)
      r.has |= core::LinkRecord::kNhs;
    r.local = key16(st, 5, present);
    if (present)
      r.has |= core::LinkRecord::kLocal;
    r.exact = key16(st, 6, present);
    if (present)
      r.has |= core::LinkRecord::kExact;
    r.probable = key16(st, 7, present);
    if (present)
      r.has |= core::LinkRecord::kProbable;
    r.probable_swap = key16(st, 8, present);
    if (present)
      r.has |= core::LinkRecord::kSwap;
    in.event_ids.push_back(sqlite3_column_int64(st, 0));
    in.current_child.push_back(sqlite3_column_int64(st, 2));
    in.current_tier.push_back(tier_from_text(sqlite3_column_text(st, 3)));
    in.records.push_back(r);
  }
  std::sort(order.begin(), order.end());  // ties (none expected) fall back to read position
  // Apply the permutation one array at a time, so only one extra array is alive at once.
  auto permute = [&](auto& v) {
    std::remove_reference_t<decltype(v)> sorted;
    sorted.reserve(v.size());
    for (const auto& [_, i] : order)
      sorted.push_back(v[i]);
    v.swap(sorted);
  };
  permute(in.event_ids);
  permute(in.refs);
  permute(in.records);
  permute(in.current_child);
  permute(in.current_tier);
  return in;
}

LinkOutcome apply_links(Session& s, const LinkInput& in,
                        const std::vector<core::LinkResult>& results, const std::string& at) {
  sqlite3* db = connection(s);
  const std::size_t n = results.size();

  // The child's identity: its NHS pseudonym when it has one, else the smallest exact, then local,
  // then probable key. Stable while the child's records keep their identifiers. A record with no
  // linkage key at all (surname and date of birth but no forename) stands alone, identified by
  // its own event reference: never merged on so little, and never confused with another.
  struct Canonical {
    std::uint8_t tier = 255;
    core::LinkKey key{};
  };
  std::unordered_map<std::uint32_t, Canonical> canon;
  auto consider = [](Canonical& c, std::uint8_t tier, const core::LinkKey& key) {
    if (tier < c.tier || (tier == c.tier && key < c.key)) {
      c.tier = tier;
      c.key = key;
    }
  };
  for (std::size_t i = 0; i < n; ++i) {
    Canonical& c = canon[results[i].cluster];
    const core::LinkRecord& r = in.records[i];
    if (r.has & core::LinkRecord::kNhs)
      consider(c, 0, r.nhs);
    if (r.has & core::LinkRecord::kExact)
      consider(c, 1, r.exact);
    if (r.has & core::LinkRecord::kLocal)
      consider(c, 2, r.local);
    if (r.has & core::LinkRecord::kProbable)
      consider(c, 3, r.probable);
    if (r.has == 0)
      consider(c, 4, in.refs[i]);
  }

  std::map<crypto::Pseudonym, std::int64_t> existing;
  std::unordered_set<std::string> taken;  // display keys in use
  {
    Statement q(db, "SELECT id, pseudonym, display_key FROM children");
    while (q.row()) {
      taken.insert(reinterpret_cast<const char*>(sqlite3_column_text(q.get(), 2)));
      crypto::Pseudonym p{};
      if (sqlite3_column_bytes(q.get(), 1) == static_cast<int>(p.size())) {
        std::memcpy(p.data(), sqlite3_column_blob(q.get(), 1), p.size());
        existing[p] = sqlite3_column_int64(q.get(), 0);
      }
    }
  }

  LinkOutcome out;
  Statement insert(db,
                   "INSERT INTO children (pseudonym, display_key, created_at) VALUES (?, ?, ?)");
  std::unordered_map<std::uint32_t, std::int64_t> child_of_cluster;
  for (const auto& [cluster, c] : canon) {
    std::string material = "pathaudit/child\x1f";
    material += static_cast<char>(c.tier);
    material.append(reinterpret_cast<const char*>(c.key.data()), c.key.size());
    const crypto::Pseudonym p = crypto::sha256(material);
    auto it = existing.find(p);
    if (it != existing.end()) {
      child_of_cluster[cluster] = it->second;
      continue;
    }
    sqlite3_stmt* st = insert.get();
    sqlite3_reset(st);
    bind_blob(st, 1, p.data(), p.size());
    // 50 bits make a clash unlikely but not impossible among a million children; the rare child
    // whose key is taken gets a longer one instead of failing the import.
    std::string key = crypto::display_key(p);
    for (int length = 12; taken.count(key) && length <= 20; length += 2) {
      key = crypto::display_key(p, length);
    }
    taken.insert(key);
    bind_text(st, 2, key);
    bind_text(st, 3, at);
    check_done(db, sqlite3_step(st));
    child_of_cluster[cluster] = sqlite3_last_insert_rowid(db);
  }
  out.children = static_cast<std::int64_t>(canon.size());

  // Updated in row-id order so the writes walk the table sequentially instead of at random.
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return in.event_ids[a] < in.event_ids[b]; });
  std::vector<std::uint32_t> changed;  // positions whose child or tier changed, in row-id order
  for (std::uint32_t i : order) {
    if (child_of_cluster[results[i].cluster] != in.current_child[i] ||
        static_cast<std::uint8_t>(results[i].tier) != in.current_tier[i])
      changed.push_back(i);
  }
  // Building an index once from sorted data is several times faster than maintaining it through a
  // bulk re-link; both happen inside this transaction, so no reader sees the index missing.
  const bool rebuild_index = changed.size() > 50000;
  if (rebuild_index)
    Statement(db, "DROP INDEX event_links_child").row();
  // 256 rows of 3 a statement (bench/import).
  RowGroups links(db, "INSERT INTO event_links (event_id, child_id, tier) VALUES", 3, 256,
                  "ON CONFLICT (event_id) DO UPDATE SET child_id = excluded.child_id, "
                  "tier = excluded.tier");
  links.write(changed.size(), [&](sqlite3_stmt* st, std::size_t k, int first) {
    const std::uint32_t i = changed[k];
    sqlite3_bind_int64(st, first, in.event_ids[i]);
    sqlite3_bind_int64(st, first + 1, child_of_cluster[results[i].cluster]);
    const std::string_view name = core::tier_name(results[i].tier);
    sqlite3_bind_text(st, first + 2, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
  });
  out.events_changed = static_cast<std::int64_t>(changed.size());
  if (rebuild_index)
    Statement(db, "CREATE INDEX event_links_child ON event_links(child_id)").row();
  Statement prune(
      db,
      "DELETE FROM children WHERE id NOT IN (SELECT child_id FROM event_links) AND id NOT "
      "IN (SELECT child_id FROM sample_cases) AND id NOT IN (SELECT "
      "child_id FROM flags)");
  prune.row();
  return out;
}

std::vector<LinkRow> list_links(Session& s) {
  sqlite3* db = connection(s);
  std::vector<LinkRow> rows;
  Statement q(db,
              "SELECT a.code, e.id, e.event_ref_sealed, c.display_key, l.tier FROM events e "
              "JOIN event_links l ON l.event_id = e.id JOIN agencies a ON a.id = e.agency_id "
              "JOIN children c ON c.id = l.child_id "
              "ORDER BY c.display_key, e.event_date, a.code, e.id");
  while (q.row()) {
    sqlite3_stmt* st = q.get();
    LinkRow r;
    r.agency = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    r.event_id = sqlite3_column_int64(st, 1);
    const auto* blob = static_cast<const std::uint8_t*>(sqlite3_column_blob(st, 2));
    r.event_ref_sealed.assign(blob, blob + sqlite3_column_bytes(st, 2));
    r.child_key = reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    r.tier = reinterpret_cast<const char*>(sqlite3_column_text(st, 4));
    rows.push_back(std::move(r));
  }
  return rows;
}

namespace {

std::vector<std::string> split_codes(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    if (end > start)
      out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::vector<ChildEventRow> list_child_events(Session& s, std::int64_t child_id) {
  Statement q(connection(s),
              "SELECT e.id, a.code, e.event_type, e.event_date, e.sex, e.age_years, "
              "e.entry_point, t.code, e.to_service, e.participants, e.outcome, e.category, "
              "e.event_ref_sealed, e.notes_sealed FROM events e "
              "JOIN event_links l ON l.event_id = e.id JOIN agencies a ON a.id = e.agency_id "
              "LEFT JOIN agencies t ON t.id = e.to_agency_id WHERE l.child_id = ? "
              "ORDER BY e.event_date, a.code, e.id");
  sqlite3_bind_int64(q.get(), 1, child_id);
  std::vector<ChildEventRow> rows;
  while (q.row()) {
    sqlite3_stmt* st = q.get();
    ChildEventRow r;
    r.id = sqlite3_column_int64(st, 0);
    r.agency = column_text(st, 1);
    r.event_type = column_text(st, 2);
    r.event_date = column_text(st, 3);
    r.sex = column_text(st, 4);
    if (sqlite3_column_type(st, 5) != SQLITE_NULL)
      r.age_years = sqlite3_column_int(st, 5);
    r.entry_point = column_text(st, 6);
    r.to_agency = column_text(st, 7);
    r.to_service = column_text(st, 8);
    r.participants = split_codes(column_text(st, 9));
    r.outcome = column_text(st, 10);
    r.category = split_codes(column_text(st, 11));
    r.event_ref_sealed = column_bytes(st, 12);
    r.notes_sealed = column_opt_bytes(st, 13);
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace pathaudit::store
