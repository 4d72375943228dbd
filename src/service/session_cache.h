// A short-lived memory of the sessions resume_session (sessions.h) resolved, so that a request
// with a known token costs one tiny read (the session epoch) instead of the session, account and
// agency reads. docs/security.md "Sessions" says what this does to revocation: nothing; a
// revoked session is refused on the very next request.
//
// Keyed by the SHA-256 of the token (never the token itself). An entry holds the session row, the
// principal and the CSRF token as read in one snapshot, with the session epoch of that snapshot
// (store/sessions.h). resume_session uses an entry only while
//   - it is younger than the TTL (2 s: bounds how long anything the epoch might miss could last),
//   - the database's session epoch is still the entry's: sign-out, disabling an account,
//     resetting its password, changing its role or agency, a restore (which ends every session),
//     any of them by any process, raise the epoch through triggers (migration 6), and
//   - the session is neither past its absolute expiry nor idle, checked against the clock on
//     every use, so the cache never lengthens a session.
// The last use (last_seen_at) is written through as before (at most once a minute per session),
// and the entry updated with it.
//
// Bounded (kMaxEntries); when full, stale entries are dropped, and if none is stale, all of them.
// Owned by the Context (one per process). Thread-safe: a mutex guards the map; entries are
// immutable and shared, so a reader keeps its copy after the entry is replaced or dropped.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "crypto/hash.h"
#include "service/principal.h"
#include "store/sessions.h"

namespace pathaudit::service {

class SessionCache {
 public:
  static constexpr std::chrono::seconds kTtl{2};
  static constexpr std::size_t kMaxEntries = 4096;
  using Clock = std::chrono::steady_clock;

  struct Entry {
    store::SessionRow row;
    Principal principal;
    std::string csrf_token;  // as derived for ActiveSession::csrf_token; "" for an old session
    std::int64_t epoch = 0;  // the session epoch of the snapshot these were read in
    Clock::time_point cached_at;
  };

  // The entry for `token_hash` if it is younger than kTtl at `at`, else nullptr. The caller
  // checks its epoch and expiry.
  std::shared_ptr<const Entry> find(const crypto::Digest& token_hash, Clock::time_point at) const;
  void put(const crypto::Digest& token_hash, std::shared_ptr<const Entry> entry);
  void forget(const crypto::Digest& token_hash);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<crypto::Digest, std::shared_ptr<const Entry>> entries_;
};

}  // namespace pathaudit::service
