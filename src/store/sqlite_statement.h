// Raw SQLite prepared statements on a Poco session's connection, for the bulk paths (import,
// linkage, analysis) where Poco::Data's per-row overhead would dominate. A Statement borrows the
// connection of a Session inside an open transaction and must not outlive it. Not thread-safe.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

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

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db), st_(prepare(db, sql)) {}
  ~Statement() { sqlite3_finalize(st_); }
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
  sqlite3_stmt* st_;
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

}  // namespace pathaudit::store
