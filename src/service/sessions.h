// Signing in to the HTTP service (DESIGN.md section 7, docs/security.md "Sessions"): passwords
// verified with scrypt (crypto/password.h), lockout after repeated failures, opaque random session
// tokens stored only as SHA-256 with an idle and an absolute expiry, and a CSRF token per session
// for browsers. Every refusal of a sign-in reads the same, whether the account exists, is locked,
// is disabled or the password is wrong; each is recorded in the audit log by user id (never the
// username typed, which could be a mistyped password).
//
// Stateless functions over a Context; thread-safe as far as the Context is. Tokens are returned to
// the caller once and never logged or stored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/hash.h"
#include "service/context.h"
#include "service/principal.h"
#include "service/settings.h"

namespace pathaudit::service {

// The settings that govern sessions and lockout (pathaudit.properties, PATHAUDIT_<KEY>).
struct SessionPolicy {
  int idle_seconds = 30 * 60;           // session_idle_seconds
  int absolute_seconds = 12 * 60 * 60;  // session_absolute_seconds
  int max_failed_logins = 5;            // login_max_failures: this many in a row lock the account
  int lockout_seconds = 15 * 60;        // login_lockout_seconds

  // ValidationError naming the setting for a value that is not a whole number in range.
  static SessionPolicy from(const Settings& settings);
};

struct SignedIn {
  std::string token;       // 256 random bits, hex; the only copy
  std::string csrf_token;  // 256 bits, hex, derived from `token` (sessions.cc)
  Principal principal;
  std::string expires_at;  // absolute expiry
};

// UnauthenticatedError (always the same message) unless the account exists, is enabled, is not
// locked and the password matches. A wrong password counts towards the lockout. Runs one scrypt
// verification whatever the outcome, so the time taken does not tell whether the account exists.
SignedIn sign_in(Context& ctx, const SessionPolicy& policy, const std::string& username,
                 const std::string& password);

struct ActiveSession {
  std::int64_t id = 0;
  Principal principal;
  crypto::Digest csrf_hash{};
  // The CSRF token, derived again from the session token (sessions.cc says why that is safe), so
  // a reloaded browser page can fetch it; "" for a session whose token was drawn at random by an
  // older release. The HTTP service gives it only to cookie sessions.
  std::string csrf_token;
  std::string expires_at;       // absolute expiry
  std::string idle_expires_at;  // when it ends unless used again
};

// The session a token opens, its last use updated (at most every minute, so reads do not all
// write). UnauthenticatedError for an unknown, expired or idle token, or a disabled account; an
// expired session is removed. Answers from ctx.session_cache() what it resolved a moment ago
// while the session epoch is unchanged (session_cache.h): a session ended or an account changed,
// by any process, is refused on the very next request.
ActiveSession resume_session(Context& ctx, const SessionPolicy& policy, std::string_view token);

// True if `csrf_token` is the session's (compared in constant time).
bool csrf_matches(const ActiveSession& session, std::string_view csrf_token);

// Ends the session; recorded as "session.delete".
void sign_out(Context& ctx, const ActiveSession& session);

// Makes the decoy password hash sign_in verifies unknown usernames against, so that even the first
// such refusal takes the time of any other. The service calls it before it listens.
void prepare_sign_in();

// Sessions neither expired nor idle. No case content.
std::int64_t active_session_count(Context& ctx, const SessionPolicy& policy);

}  // namespace pathaudit::service
