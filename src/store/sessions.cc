#include "store/sessions.h"

#include <cstring>

#include "core/errors.h"
#include "store/sqlite_statement.h"

namespace pathaudit::store {
namespace {

crypto::Digest column_digest(sqlite3_stmt* st, int col) {
  crypto::Digest d{};
  const crypto::Bytes b = column_bytes(st, col);
  if (b.size() == d.size())
    std::memcpy(d.data(), b.data(), d.size());
  return d;
}

}  // namespace

std::int64_t insert_session(Session& s, const crypto::Digest& token_hash, std::int64_t user_id,
                            const crypto::Digest& csrf_hash, const std::string& at,
                            const std::string& expires_at) {
  sqlite3* db = connection(s);
  Statement st(db,
               "INSERT INTO sessions (token_hash, user_id, csrf_token_hash, created_at, "
               "last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)");
  bind_blob(st.get(), 1, token_hash.data(), token_hash.size());
  sqlite3_bind_int64(st.get(), 2, user_id);
  bind_blob(st.get(), 3, csrf_hash.data(), csrf_hash.size());
  bind_text(st.get(), 4, at);
  bind_text(st.get(), 5, at);
  bind_text(st.get(), 6, expires_at);
  st.row();
  return sqlite3_last_insert_rowid(db);
}

std::optional<SessionRow> find_session(Session& s, const crypto::Digest& token_hash) {
  Statement st(connection(s),
               "SELECT id, user_id, csrf_token_hash, created_at, last_seen_at, expires_at FROM "
               "sessions WHERE token_hash = ?");
  bind_blob(st.get(), 1, token_hash.data(), token_hash.size());
  if (!st.row())
    return std::nullopt;
  SessionRow r;
  r.id = sqlite3_column_int64(st.get(), 0);
  r.user_id = sqlite3_column_int64(st.get(), 1);
  r.csrf_hash = column_digest(st.get(), 2);
  r.created_at = column_text(st.get(), 3);
  r.last_seen_at = column_text(st.get(), 4);
  r.expires_at = column_text(st.get(), 5);
  return r;
}

void touch_session(Session& s, std::int64_t id, const std::string& at) {
  Statement st(connection(s), "UPDATE sessions SET last_seen_at = ? WHERE id = ?");
  bind_text(st.get(), 1, at);
  sqlite3_bind_int64(st.get(), 2, id);
  st.row();
}

void delete_session(Session& s, std::int64_t id) {
  Statement st(connection(s), "DELETE FROM sessions WHERE id = ?");
  sqlite3_bind_int64(st.get(), 1, id);
  st.row();
}

int delete_expired_sessions(Session& s, const std::string& now, const std::string& idle_cutoff) {
  sqlite3* db = connection(s);
  Statement st(db, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?");
  bind_text(st.get(), 1, now);
  bind_text(st.get(), 2, idle_cutoff);
  st.row();
  return sqlite3_changes(db);
}

std::int64_t count_active_sessions(Session& s, const std::string& now,
                                   const std::string& idle_cutoff) {
  Statement st(connection(s),
               "SELECT count(*) FROM sessions WHERE expires_at > ? AND last_seen_at > ?");
  bind_text(st.get(), 1, now);
  bind_text(st.get(), 2, idle_cutoff);
  st.row();
  return sqlite3_column_int64(st.get(), 0);
}

std::int64_t session_epoch(Session& s) {
  Statement st(connection(s), "SELECT value FROM session_epoch WHERE id = 1");
  if (!st.row())
    throw core::Error("the database has no session epoch");
  return sqlite3_column_int64(st.get(), 0);
}

std::optional<LoginRow> find_login(Session& s, const std::string& username) {
  Statement st(connection(s),
               "SELECT id, username, password_hash, disabled, failed_logins, "
               "coalesce(locked_until, '') FROM users WHERE username = ?");
  bind_text(st.get(), 1, username);
  if (!st.row())
    return std::nullopt;
  LoginRow r;
  r.user_id = sqlite3_column_int64(st.get(), 0);
  r.username = column_text(st.get(), 1);
  r.password_hash = column_text(st.get(), 2);
  r.disabled = sqlite3_column_int(st.get(), 3) != 0;
  r.failed_logins = sqlite3_column_int(st.get(), 4);
  r.locked_until = column_text(st.get(), 5);
  return r;
}

std::optional<std::string> username_of(Session& s, std::int64_t user_id) {
  Statement st(connection(s), "SELECT username FROM users WHERE id = ?");
  sqlite3_bind_int64(st.get(), 1, user_id);
  if (!st.row())
    return std::nullopt;
  return column_text(st.get(), 0);
}

void set_failed_logins(Session& s, std::int64_t user_id, int failed,
                       const std::string& locked_until) {
  Statement st(connection(s), "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?");
  sqlite3_bind_int(st.get(), 1, failed);
  bind_text(st.get(), 2, locked_until);  // "" binds NULL
  sqlite3_bind_int64(st.get(), 3, user_id);
  st.row();
}

}  // namespace pathaudit::store
