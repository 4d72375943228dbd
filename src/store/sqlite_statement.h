// Raw SQLite prepared statements on a Poco session's connection, for the bulk paths (import,
// linkage, analysis) where Poco::Data's per-row overhead would dominate, and for the queries every
// HTTP request runs. A Statement borrows the connection of a Session inside an open transaction
// and must not outlive it. Not thread-safe: a connection is used by one thread at a time (the
// Database's writer mutex and reader leases see to that).
//
// Compiling a statement costs more than running most of ours (perf: sqlite3_prepare_v2 was 40 %
// of the server's CPU on an authenticated list, docs/benchmarks.md "HTTP"), so a Statement on one
// of the Database's own connections is taken from that connection's StatementCache: compiled on
// first use, reset and kept afterwards. SQLite recompiles a kept statement by itself after a
// schema change. Statements on other connections (backup, restore) are compiled and finalized
// each time, as before.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "crypto/bytes.h"
#include "store/database.h"

namespace pathaudit::store {

sqlite3* connection(Session& s);

// Throws core::Error naming the SQLite error.
sqlite3_stmt* prepare(sqlite3* db, const char* sql);
void check_done(sqlite3* db, int rc);

// Whether SQLite copies a bound text or blob (the default), or reads it in place: `kept` only for
// bulk writes whose values stay alive and unchanged until the statement has been stepped, where
// the copies (an allocation and a memcpy a value) are a large share of the write.
enum class Bound { copied, kept };

void bind_blob(sqlite3_stmt* st, int i, const void* p, std::size_t n, Bound b = Bound::copied);
// An empty string binds NULL: the optional text columns store absence as NULL.
void bind_text(sqlite3_stmt* st, int i, const std::string& s, Bound b = Bound::copied);

template <class T>
void bind_opt_blob(sqlite3_stmt* st, int i, const std::optional<T>& v, Bound b = Bound::copied) {
  if (v) {
    bind_blob(st, i, v->data(), v->size(), b);
  } else {
    sqlite3_bind_null(st, i);
  }
}

// "" for NULL.
std::string column_text(sqlite3_stmt* st, int col);
// Empty for NULL.
crypto::Bytes column_bytes(sqlite3_stmt* st, int col);
// nullopt for NULL.
std::optional<crypto::Bytes> column_opt_bytes(sqlite3_stmt* st, int col);
// An optional id column: 0 for NULL.
inline std::int64_t column_id(sqlite3_stmt* st, int col) {
  return sqlite3_column_type(st, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, col);
}
// Binds NULL for id 0.
inline void bind_id(sqlite3_stmt* st, int i, std::int64_t id) {
  if (id == 0)
    sqlite3_bind_null(st, i);
  else
    sqlite3_bind_int64(st, i, id);
}

// The compiled statements kept for one connection, by SQL text; owned by the Database beside the
// connection and destroyed (finalizing them) before it. Bounded: past kMaxStatements, further SQL
// texts (the bulk paths build a few) are compiled each time. Not thread-safe: used only by the
// thread holding its connection.
class StatementCache {
 public:
  static constexpr std::size_t kMaxStatements = 64;
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // Makes `cache` (or none) the current cache of this thread and returns the one it replaces, to
  // be made current again afterwards: Statements on `cache`'s connection made on this thread use
  // it. Database does this around each write() and read() (they nest: a read inside a write).
  static StatementCache* make_current(StatementCache* cache);

  // The current cache of this thread if it is `db`'s, else nullptr.
  static StatementCache* current(sqlite3* db);

  struct Entry {
    sqlite3_stmt* st = nullptr;
    bool in_use = false;
  };
  // The kept statement for `sql`, reset and marked in use, or nullptr when it cannot be kept (the
  // cache is full, or that statement is in use further up the stack).
  Entry* acquire(const char* sql);
  // Resets an entry's statement and makes it available again.
  static void release(Entry* e);

 private:
  sqlite3* db_;
  std::unordered_map<std::string, Entry> by_sql_;
};

class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() { return st_; }
  // Steps once: true with a row to read, false when done; throws on an error.
  bool row();
  void reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }

 private:
  sqlite3* db_;
  StatementCache::Entry* kept_ = nullptr;  // set when st_ belongs to a StatementCache
  sqlite3_stmt* st_ = nullptr;
};

// A bulk INSERT that writes many rows a statement: `head` ("INSERT INTO t (a, b) VALUES") is
// followed by `per_statement` groups of `columns` parameters, and `tail` (an ON CONFLICT clause,
// say) ends it. SQLite's cost is mostly per statement executed, not per row, so a million-row
// import spends far less in the virtual machine this way. The full-size statement is prepared
// once; a shorter last group is prepared when it is needed. Borrows the connection like
// Statement. Not thread-safe.
class RowGroups {
 public:
  RowGroups(sqlite3* db, std::string head, int columns, int per_statement, std::string tail = "");
  ~RowGroups();
  RowGroups(const RowGroups&) = delete;
  RowGroups& operator=(const RowGroups&) = delete;

  // Inserts rows 0..n-1: `bind(st, row, first)` binds row `row` at parameters
  // first..first+columns-1.
  template <class Bind>
  void write(std::size_t n, Bind&& bind) {
    for (std::size_t start = 0; start < n; start += static_cast<std::size_t>(per_statement_)) {
      const int k = static_cast<int>(std::min<std::size_t>(per_statement_, n - start));
      sqlite3_stmt* st = statement(k);
      for (int j = 0; j < k; ++j)
        bind(st, start + static_cast<std::size_t>(j), j * columns_ + 1);
      check_done(db_, sqlite3_step(st));
    }
  }

 private:
  // A reset statement for k rows, with its bindings cleared.
  sqlite3_stmt* statement(int k);

  sqlite3* db_;
  std::string head_, tail_;
  int columns_, per_statement_;
  sqlite3_stmt* full_ = nullptr;
  sqlite3_stmt* short_ = nullptr;
  int short_rows_ = 0;
};

// Runs a statement without parameters or rows (BEGIN, COMMIT) through the connection's cache.
void exec_cached(sqlite3* db, const char* sql);

}  // namespace pathaudit::store
