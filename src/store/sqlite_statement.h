// Raw SQLite prepared statements on a Poco session's connection, for the bulk paths (import,
// linkage, analysis) where Poco::Data's per-row overhead would dominate. A Statement borrows the
// connection of a Session inside an open transaction and must not outlive it. Not thread-safe.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <optional>
#include <string>

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
