// Everything a use case needs for one data directory: settings, the database, the keyring, the
// clock and who is acting. The CLI opens one per invocation; the HTTP service one per process.
// Owns the Database, the Keyring and the SessionCache. Thread-safe: keyring() loads once under a
// mutex; the SessionCache has its own.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "crypto/keyring.h"
#include "service/session_cache.h"
#include "service/settings.h"
#include "store/audit_log.h"
#include "store/database.h"

namespace pathaudit::service {

class Context {
 public:
  struct Options {
    std::string data_dir;
    std::map<std::string, std::string> overrides;  // command-line settings
    std::string actor;                             // "cli:<os user>", "user:<name>"
    const core::Clock* clock = &core::SystemClock::instance();
  };

  // Opens an initialised data directory (core::NotFoundError if it is not one).
  static std::unique_ptr<Context> open(const Options& options);

  const Settings& settings() const { return settings_; }
  store::Database& db() { return *db_; }
  const core::Clock& clock() const { return *clock_; }
  const std::string& actor() const { return actor_; }

  // Reads the master key file and unwraps the data keys on first use, so commands that never touch
  // sealed data (verify-log, keys status) work without the master key. Shared: a holder keeps its
  // keyring alive across a reload_keyring() made meanwhile by another use case.
  std::shared_ptr<const crypto::Keyring> keyring();
  // After a rotation: the next keyring() call reads the keys again.
  void reload_keyring();

  // Opens a sealed field stored at table.column of row `row_id`. A field that does not open
  // (tampered, swapped between rows, or under a shredded key) is never answered with garbage: the
  // failure is recorded in the audit log in its own transaction and core::CryptoError propagates.
  std::string open_field(const crypto::Bytes& sealed, const char* table, const char* column,
                         std::int64_t row_id);

  // The sessions resume_session resolved a moment ago (session_cache.h): per process, so the
  // HTTP service's requests share it; a CLI invocation leaves it empty.
  SessionCache& session_cache() { return session_cache_; }

  // Appends an audit-log entry inside an open write transaction.
  void audit(store::Session& s, const std::string& action, const std::string& object,
             const std::string& outcome = "ok") const;

 private:
  Context(Settings settings, std::string actor, const core::Clock* clock)
      : settings_(std::move(settings)), actor_(std::move(actor)), clock_(clock) {}

  Settings settings_;
  std::string actor_;
  const core::Clock* clock_;
  std::unique_ptr<store::Database> db_;
  std::mutex keyring_mutex_;
  std::shared_ptr<const crypto::Keyring> keyring_;
  SessionCache session_cache_;
};

// The actor string for a command-line invocation: "cli:" and the name of the effective uid from
// the password database, or "cli:uid-<n>" when it has none. The environment ($USER) is never
// consulted, so the actor cannot be forged by setting it. Thread-safe (getpwuid_r).
std::string cli_actor();

}  // namespace pathaudit::service
