// Writing imported events and the results of linkage. Bulk paths use SQLite prepared statements
// directly (on the Poco session's connection): an import writes up to millions of rows in one
// transaction and Poco::Data's per-statement overhead would dominate. Objects here borrow the
// Session of an open write transaction and must not outlive it. Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/linkage.h"
#include "crypto/bytes.h"
#include "crypto/pseudonym.h"
#include "store/database.h"
#include "store/sqlite_statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pathaudit::store {

// One event as stored, everything already pseudonymised or sealed.
struct StoredEvent {
  std::int64_t id = 0;
  int agency_id = 0;
  crypto::Pseudonym event_ref_hmac{};
  crypto::Bytes event_ref_sealed;
  std::string event_type;
  std::string event_date;
  std::string sex;
  std::optional<int> age_years;
  std::string entry_point;
  std::optional<int> to_agency_id;
  std::string to_service, participants, outcome, category;
  std::optional<crypto::Pseudonym> relates_to_hmac;
  std::optional<crypto::Bytes> notes_sealed;
  std::optional<crypto::Pseudonym> nhs_key, local_key, exact_key, probable_key, probable_swap_key;
  std::int64_t import_id = 0;
};

// Every stored event's reference pseudonym with its row id, loaded once so an import of a million
// rows decides insert-or-update without an index seek per row, and allocates the ids new rows will
// get (rows are sealed with their id before they are written). Loaded from a Session, then used
// without one: an import's parsing thread owns it. Not thread-safe.
class EventRefIndex {
 public:
  explicit EventRefIndex(Session& s);

  struct Entry {
    std::int64_t id;
    std::int64_t import_id;
  };
  // The event a reference names, now claimed by `import_id` (one hash lookup: this runs once for
  // each of an import's rows). A new reference gets the next row id.
  struct Claim {
    std::int64_t id;
    bool existed;   // stored before, or claimed earlier: the row updates it
    bool repeated;  // already claimed by this same import; nothing was changed
  };
  Claim claim(const crypto::Pseudonym& event_ref_hmac, std::int64_t import_id);

 private:
  struct RefHash {
    std::size_t operator()(const crypto::Pseudonym& p) const;
  };
  std::unordered_map<crypto::Pseudonym, Entry, RefHash> known_;
  std::int64_t next_id_ = 1;
};

// Inserts and updates events with prepared statements on the session's connection.
class EventWriter {
 public:
  explicit EventWriter(Session& s);
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  // New events, many to a statement: `rows` are only read during the call.
  void insert(const std::vector<const StoredEvent*>& rows);
  void update(const StoredEvent& e);

 private:
  sqlite3* db_;
  RowGroups insert_;
  sqlite3_stmt* update_ = nullptr;
};

// Every event's linkage keys, in an order fixed by content (by reference pseudonym), so linkage is
// the same whatever order files were imported in. Keys are truncated to 16 bytes in memory.
struct LinkInput {
  std::vector<std::int64_t> event_ids;
  std::vector<core::LinkKey> refs;  // reference pseudonyms (first 16 bytes)
  std::vector<core::LinkRecord> records;
  std::vector<std::int64_t> current_child;  // 0 when not linked yet
  std::vector<std::uint8_t> current_tier;   // core::LinkTier, 255 when not linked yet
};
LinkInput load_link_input(Session& s);

// Writes linkage: creates children for new clusters, points every event at its child and tier,
// and removes children no longer referenced by anything. Returns the number of events whose child
// or tier changed.
struct LinkOutcome {
  std::int64_t children = 0;
  std::int64_t events_changed = 0;
};
LinkOutcome apply_links(Session& s, const LinkInput& input,
                        const std::vector<core::LinkResult>& results, const std::string& at);

// `agency,event_ref,child_key,tier` rows for `pathaudit links`: event references are sealed, so
// the caller opens them.
struct LinkRow {
  std::string agency;
  std::int64_t event_id;
  crypto::Bytes event_ref_sealed;
  std::string child_key;
  std::string tier;
};
std::vector<LinkRow> list_links(Session& s);

// One event of a child as a chronology shows it: the plain columns as imported (codes, lists
// split on ';') and the sealed reference and notes, which the caller opens.
struct ChildEventRow {
  std::int64_t id = 0;
  std::string agency;  // code
  std::string event_type, event_date, sex;
  std::optional<int> age_years;
  std::string entry_point, to_agency, to_service, outcome;  // to_agency: code, "" for none
  std::vector<std::string> participants, category;
  crypto::Bytes event_ref_sealed;
  std::optional<crypto::Bytes> notes_sealed;
};
// The events linked to `child_id` by date, then agency code, then id (core::sort_events' order).
std::vector<ChildEventRow> list_child_events(Session& s, std::int64_t child_id);

}  // namespace pathaudit::store
