// Rows of the sessions table and the sign-in bookkeeping on users (failed_logins, locked_until),
// for src/service/sessions.h. Tokens are never stored: only their SHA-256 (crypto/hash.h), so a
// stolen database opens no session. Timestamps are ISO 8601 UTC with seconds (core/clock.h),
// which compare as strings. Free functions inside the caller's transaction, on its thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crypto/hash.h"
#include "store/database.h"

namespace pathaudit::store {

struct SessionRow {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  crypto::Digest csrf_hash{};
  std::string created_at;
  std::string last_seen_at;
  std::string expires_at;  // absolute expiry
};

std::int64_t insert_session(Session& s, const crypto::Digest& token_hash, std::int64_t user_id,
                            const crypto::Digest& csrf_hash, const std::string& at,
                            const std::string& expires_at);
std::optional<SessionRow> find_session(Session& s, const crypto::Digest& token_hash);
void touch_session(Session& s, std::int64_t id, const std::string& at);
void delete_session(Session& s, std::int64_t id);
// Removes sessions past their absolute expiry (expires_at <= now) or idle since `idle_cutoff`
// (last_seen_at <= idle_cutoff). Returns how many.
int delete_expired_sessions(Session& s, const std::string& now, const std::string& idle_cutoff);
std::int64_t count_active_sessions(Session& s, const std::string& now,
                                   const std::string& idle_cutoff);

// The session epoch (migration 6): raised by triggers whenever a session is ended or changed, or
// an account or agency a session depends on is changed or removed, by any process. A session
// resolved while it had one value may be used again only while it still has it.
std::int64_t session_epoch(Session& s);

// What a sign-in needs to know about an account.
struct LoginRow {
  std::int64_t user_id = 0;
  std::string username;
  std::string password_hash;
  bool disabled = false;
  int failed_logins = 0;
  std::string locked_until;  // "" when not locked
};
std::optional<LoginRow> find_login(Session& s, const std::string& username);
std::optional<std::string> username_of(Session& s, std::int64_t user_id);
// Sets the failure count and lock ("" clears the lock).
void set_failed_logins(Session& s, std::int64_t user_id, int failed,
                       const std::string& locked_until);

}  // namespace pathaudit::store
