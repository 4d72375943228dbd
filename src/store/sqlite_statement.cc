#include "store/sqlite_statement.h"

#include <Poco/Data/SQLite/Utility.h>

#include "core/errors.h"

namespace pathaudit::store {

sqlite3* connection(Session& s) {
  return Poco::Data::SQLite::Utility::dbHandle(s);
}

sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    throw core::Error(std::string("could not prepare a statement: ") + sqlite3_errmsg(db));
  }
  return st;
}

void check_done(sqlite3* db, int rc) {
  if (rc != SQLITE_DONE)
    throw core::Error(std::string("database write failed: ") + sqlite3_errmsg(db));
}

void bind_blob(sqlite3_stmt* st, int i, const void* p, std::size_t n) {
  sqlite3_bind_blob(st, i, p, static_cast<int>(n), SQLITE_TRANSIENT);
}

void bind_text(sqlite3_stmt* st, int i, const std::string& s) {
  if (s.empty()) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
}

std::string column_text(sqlite3_stmt* st, int col) {
  const unsigned char* t = sqlite3_column_text(st, col);
  if (!t)
    return {};
  return std::string(reinterpret_cast<const char*>(t),
                     static_cast<std::size_t>(sqlite3_column_bytes(st, col)));
}

crypto::Bytes column_bytes(sqlite3_stmt* st, int col) {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st, col));
  if (!p)
    return {};
  return crypto::Bytes(p, p + sqlite3_column_bytes(st, col));
}

std::optional<crypto::Bytes> column_opt_bytes(sqlite3_stmt* st, int col) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL)
    return std::nullopt;
  return column_bytes(st, col);
}

bool Statement::row() {
  const int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW)
    return true;
  check_done(db_, rc);
  return false;
}

}  // namespace pathaudit::store
