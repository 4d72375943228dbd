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

namespace {
sqlite3_destructor_type lifetime(Bound b) {
  return b == Bound::kept ? SQLITE_STATIC : SQLITE_TRANSIENT;
}
}  // namespace

void bind_blob(sqlite3_stmt* st, int i, const void* p, std::size_t n, Bound b) {
  sqlite3_bind_blob(st, i, p, static_cast<int>(n), lifetime(b));
}

void bind_text(sqlite3_stmt* st, int i, const std::string& s, Bound b) {
  if (s.empty()) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), lifetime(b));
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

namespace {
thread_local StatementCache* current_cache = nullptr;
}  // namespace

StatementCache::~StatementCache() {
  for (auto& [sql, e] : by_sql_)
    sqlite3_finalize(e.st);
}

StatementCache* StatementCache::make_current(StatementCache* cache) {
  StatementCache* previous = current_cache;
  current_cache = cache;
  return previous;
}

StatementCache* StatementCache::current(sqlite3* db) {
  // Only the innermost scope: an outer one is another connection (the writer around a read).
  return current_cache && current_cache->db_ == db ? current_cache : nullptr;
}

StatementCache::Entry* StatementCache::acquire(const char* sql) {
  auto it = by_sql_.find(sql);
  if (it == by_sql_.end()) {
    if (by_sql_.size() >= kMaxStatements)
      return nullptr;
    it = by_sql_.emplace(sql, Entry{prepare(db_, sql), false}).first;
  }
  if (it->second.in_use)
    return nullptr;
  it->second.in_use = true;
  return &it->second;  // stable: unordered_map never moves its elements
}

void StatementCache::release(Entry* e) {
  sqlite3_reset(e->st);
  sqlite3_clear_bindings(e->st);
  e->in_use = false;
}

Statement::Statement(sqlite3* db, const char* sql) : db_(db) {
  if (StatementCache* cache = StatementCache::current(db))
    kept_ = cache->acquire(sql);
  st_ = kept_ ? kept_->st : prepare(db, sql);
}

Statement::~Statement() {
  if (kept_)
    StatementCache::release(kept_);
  else
    sqlite3_finalize(st_);
}

void exec_cached(sqlite3* db, const char* sql) {
  Statement st(db, sql);
  while (st.row()) {
  }
}

bool Statement::row() {
  const int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW)
    return true;
  check_done(db_, rc);
  return false;
}

RowGroups::RowGroups(sqlite3* db, std::string head, int columns, int per_statement,
                     std::string tail)
    : db_(db),
      head_(std::move(head)),
      tail_(std::move(tail)),
      columns_(columns),
      per_statement_(per_statement) {}

RowGroups::~RowGroups() {
  sqlite3_finalize(full_);
  sqlite3_finalize(short_);
}

sqlite3_stmt* RowGroups::statement(int k) {
  sqlite3_stmt** slot = k == per_statement_ ? &full_ : &short_;
  if (*slot == nullptr || (slot == &short_ && short_rows_ != k)) {
    std::string group = "(";
    for (int c = 0; c < columns_; ++c)
      group += c ? ",?" : "?";
    group += ")";
    std::string sql = head_;
    sql.reserve(sql.size() + static_cast<std::size_t>(k) * (group.size() + 1) + tail_.size() + 1);
    for (int j = 0; j < k; ++j) {
      sql += j ? "," : " ";
      sql += group;
    }
    sql += " " + tail_;
    sqlite3_finalize(*slot);
    *slot = nullptr;
    *slot = prepare(db_, sql.c_str());
    if (slot == &short_)
      short_rows_ = k;
  }
  sqlite3_reset(*slot);
  sqlite3_clear_bindings(*slot);
  return *slot;
}

}  // namespace pathaudit::store
