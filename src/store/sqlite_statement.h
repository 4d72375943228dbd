// Raw SQLite prepared statements on a Poco session's connection, for the bulk paths (import,
// linkage, analysis) where Poco::Data's per-row overhead would dominate. A Statement borrows the
// connection of a Session inside an open transaction and must not outlive it. Not thread-safe.
#pragma once

#include <sqlite3.h>

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

void bind_blob(sqlite3_stmt* st, int i, const void* p, std::size_t n);
// An empty string binds NULL: the optional text columns store absence as NULL.
void bind_text(sqlite3_stmt* st, int i, const std::string& s);

template <class T>
void bind_opt_blob(sqlite3_stmt* st, int i, const std::optional<T>& v) {
  if (v) {
    bind_blob(st, i, v->data(), v->size());
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

}  // namespace pathaudit::store
