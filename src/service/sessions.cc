#include "service/sessions.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <mutex>

#include "core/errors.h"
#include "crypto/bytes.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "store/audit_log.h"
#include "store/sessions.h"

namespace pathaudit::service {
namespace {

constexpr const char* kRefused =
    "the username or password is wrong, or the account cannot sign in now";
constexpr const char* kNoSession = "no valid session: sign in again";

// The clock's ISO 8601 UTC timestamp moved by `seconds`, in the same format (so timestamps keep
// comparing as strings).
std::string shifted(const std::string& iso, long seconds) {
  int tzd = 0;
  Poco::DateTime t = Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FORMAT, iso, tzd);
  t += Poco::Timespan(seconds, 0);
  return Poco::DateTimeFormatter::format(t, "%Y-%m-%dT%H:%M:%SZ");
}

int setting(const Settings& settings, const char* key, int fallback, int min, int max) {
  return static_cast<int>(setting_int(settings, key, fallback, min, max));
}

std::string new_secret() {
  crypto::Bytes b = crypto::random_bytes(32);
  std::string hex = crypto::to_hex(b);
  std::fill(b.begin(), b.end(), 0);
  return hex;
}

// The CSRF token of the session whose token is `token`: HMAC-SHA256 keyed by the session token
// over a fixed label. Deriving it (rather than drawing it at random) lets the service give it
// again to the page of a cookie session (GET /api/v1/session) without storing it in the clear:
// only its hash is stored, as before. Knowing it tells nothing of the session token (HMAC is
// one-way), and whoever holds the session token could already ask for it.
std::string derive_csrf_token(std::string_view token) {
  const crypto::Digest d = crypto::hmac_sha256(reinterpret_cast<const std::uint8_t*>(token.data()),
                                               token.size(), "pathaudit csrf token v1");
  return crypto::to_hex(d.data(), d.size());
}

// A stored hash for an account that does not exist, so refusing it costs one scrypt run like any
// other refusal. Made once, on first need.
const std::string& decoy_hash() {
  static std::once_flag once;
  static std::string hash;
  std::call_once(once, [] { hash = crypto::hash_password(new_secret()); });
  return hash;
}

bool verifies(const std::string& password, const std::string& encoded) {
  try {
    return crypto::verify_password(password, encoded);
  } catch (const core::ValidationError&) {
    return false;  // a damaged stored hash or an over-long password: refused like any other
  }
}

void audit_login(Context& ctx, store::Session& s, const std::string& object,
                 const std::string& outcome) {
  store::append_audit(s, {"http", "session.create", object, outcome}, ctx.clock().now_utc());
}

std::int64_t session_epoch(Context& ctx) {
  return ctx.db().read([](store::Session& s) { return store::session_epoch(s); });
}

}  // namespace

SessionPolicy SessionPolicy::from(const Settings& settings) {
  SessionPolicy p;
  p.idle_seconds = setting(settings, "session_idle_seconds", p.idle_seconds, 1, 7 * 24 * 3600);
  p.absolute_seconds =
      setting(settings, "session_absolute_seconds", p.absolute_seconds, 1, 30 * 24 * 3600);
  p.max_failed_logins = setting(settings, "login_max_failures", p.max_failed_logins, 1, 100);
  p.lockout_seconds = setting(settings, "login_lockout_seconds", p.lockout_seconds, 1, 24 * 3600);
  return p;
}

SignedIn sign_in(Context& ctx, const SessionPolicy& policy, const std::string& username,
                 const std::string& password) {
  const auto login =
      ctx.db().read([&](store::Session& s) { return store::find_login(s, username); });
  // Always one scrypt run, before any decision, outside any transaction.
  const bool password_ok = verifies(password, login ? login->password_hash : decoy_hash());
  if (!login) {
    ctx.db().write(
        [&](store::Session& s) { audit_login(ctx, s, "user:unknown", "refused: unknown user"); });
    throw core::UnauthenticatedError(kRefused);
  }
  const std::string object = "user:" + std::to_string(login->user_id);
  auto result = ctx.db().write([&](store::Session& s) -> std::optional<SignedIn> {
    // Read again under the writer: concurrent failures must each count.
    const auto now_row = store::find_login(s, username);
    if (!now_row || now_row->user_id != login->user_id) {
      audit_login(ctx, s, object, "refused: account changed");
      return std::nullopt;
    }
    const std::string now = ctx.clock().now_utc();
    if (!now_row->locked_until.empty() && now_row->locked_until > now) {
      audit_login(ctx, s, object, "refused: locked");
      return std::nullopt;
    }
    if (now_row->disabled) {
      audit_login(ctx, s, object, "refused: disabled");
      return std::nullopt;
    }
    if (!password_ok) {
      const int failed = now_row->failed_logins + 1;
      if (failed >= policy.max_failed_logins) {
        store::set_failed_logins(s, login->user_id, 0, shifted(now, policy.lockout_seconds));
        audit_login(ctx, s, object, "refused: wrong password; locked");
      } else {
        store::set_failed_logins(s, login->user_id, failed, "");
        audit_login(ctx, s, object, "refused: wrong password");
      }
      return std::nullopt;
    }
    store::set_failed_logins(s, login->user_id, 0, "");
    store::delete_expired_sessions(s, now, shifted(now, -policy.idle_seconds));
    SignedIn in;
    in.token = new_secret();
    in.csrf_token = derive_csrf_token(in.token);
    in.expires_at = shifted(now, policy.absolute_seconds);
    in.principal = load_principal(s, login->username);
    store::insert_session(s, crypto::sha256(in.token), login->user_id,
                          crypto::sha256(in.csrf_token), now, in.expires_at);
    audit_as(ctx, s, in.principal, "session.create", object);
    return in;
  });
  if (!result)
    throw core::UnauthenticatedError(kRefused);
  return std::move(*result);
}

ActiveSession resume_session(Context& ctx, const SessionPolicy& policy, std::string_view token) {
  if (token.empty() || token.size() > 256)
    throw core::UnauthenticatedError(kNoSession);
  const crypto::Digest hash = crypto::sha256(token);
  const std::string now = ctx.clock().now_utc();
  const std::string idle_cutoff = shifted(now, -policy.idle_seconds);
  const auto live = [&](const store::SessionRow& row) {
    return row.expires_at > now && row.last_seen_at > idle_cutoff;
  };
  SessionCache& cache = ctx.session_cache();
  const SessionCache::Clock::time_point at = SessionCache::Clock::now();

  // A session resolved a moment ago stands while nothing it depends on has changed since (the
  // epoch, session_cache.h) and it has neither expired nor gone idle meanwhile.
  std::shared_ptr<const SessionCache::Entry> entry = cache.find(hash, at);
  if (entry && (!live(entry->row) || session_epoch(ctx) != entry->epoch)) {
    cache.forget(hash);
    entry = nullptr;
  }
  if (!entry) {
    struct Found {
      store::SessionRow row;
      std::optional<Principal> principal;
      std::int64_t epoch = 0;
    };
    // One read transaction: the epoch, the session, the account and its agency in one snapshot.
    const auto found = ctx.db().read([&](store::Session& s) -> std::optional<Found> {
      const std::int64_t epoch = store::session_epoch(s);
      auto row = store::find_session(s, hash);
      if (!row)
        return std::nullopt;
      Found f{*row, std::nullopt, epoch};
      if (live(*row)) {
        if (auto name = store::username_of(s, row->user_id)) {
          try {
            f.principal = load_principal(s, *name);
          } catch (const core::Error&) {
            // Disabled (its sessions are ended too) or gone: no session.
          }
        }
      }
      return f;
    });
    if (!found)
      throw core::UnauthenticatedError(kNoSession);
    if (!found->principal) {
      ctx.db().write([&](store::Session& s) { store::delete_session(s, found->row.id); });
      throw core::UnauthenticatedError(kNoSession);
    }
    auto e = std::make_shared<SessionCache::Entry>();
    e->row = found->row;
    e->principal = *found->principal;
    e->epoch = found->epoch;
    e->cached_at = at;
    // Sessions made before the CSRF token was derived hold a random one, which cannot be given
    // again: their csrf_token stays empty.
    std::string derived = derive_csrf_token(token);
    const crypto::Digest derived_hash = crypto::sha256(derived);
    if (crypto::constant_time_equal(derived_hash.data(), e->row.csrf_hash.data(),
                                    derived_hash.size()))
      e->csrf_token = std::move(derived);
    entry = e;
    cache.put(hash, entry);
  }

  // Touch at most once a minute (or per quarter of a short idle timeout). The cache holds the
  // time written, so idle expiry stays exact.
  const int touch_every = std::max(1, std::min(60, policy.idle_seconds / 4));
  if (shifted(entry->row.last_seen_at, touch_every) <= now) {
    ctx.db().write([&](store::Session& s) { store::touch_session(s, entry->row.id, now); });
    auto touched = std::make_shared<SessionCache::Entry>(*entry);
    touched->row.last_seen_at = now;
    entry = touched;
    cache.put(hash, entry);
  }
  ActiveSession a;
  a.id = entry->row.id;
  a.principal = entry->principal;
  a.csrf_hash = entry->row.csrf_hash;
  a.csrf_token = entry->csrf_token;
  a.expires_at = entry->row.expires_at;
  a.idle_expires_at = std::min(shifted(entry->row.last_seen_at, policy.idle_seconds), a.expires_at);
  return a;
}

bool csrf_matches(const ActiveSession& session, std::string_view csrf_token) {
  if (csrf_token.empty() || csrf_token.size() > 256)
    return false;
  const crypto::Digest given = crypto::sha256(csrf_token);
  return crypto::constant_time_equal(given.data(), session.csrf_hash.data(), given.size());
}

void sign_out(Context& ctx, const ActiveSession& session) {
  ctx.db().write([&](store::Session& s) {
    store::delete_session(s, session.id);
    audit_as(ctx, s, session.principal, "session.delete",
             "user:" + std::to_string(session.principal.user_id));
  });
}

void prepare_sign_in() {
  decoy_hash();
}

std::int64_t active_session_count(Context& ctx, const SessionPolicy& policy) {
  const std::string now = ctx.clock().now_utc();
  return ctx.db().read([&](store::Session& s) {
    return store::count_active_sessions(s, now, shifted(now, -policy.idle_seconds));
  });
}

}  // namespace pathaudit::service
