// The SQLite side of `pathaudit backup` and `pathaudit restore` (docs/admin-guide.md, "Backup,
// restore and retention"): a consistent online copy of a live database, checks of a database file
// that no Database has open, and the lock a restore holds while it swaps a database in.
//
// These work on files by path with their own short-lived SQLite connections, never on a
// store::Database: a backup is copied while the Database (and other processes) keep writing, and
// a restore replaces the file a Database would hold. Free functions and a move-less RAII lock; each
// call is independent and may run on any thread.
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

#include "crypto/keyring.h"
#include "store/audit_log.h"

namespace pathaudit::store {

// Copies the database at `source` (in use or not) into `destination`, an empty file the caller
// created with the permissions it wants (or a path SQLite may create), with SQLite's online backup
// API in a single step: one read transaction, so the copy is the database as of one commit even
// while other connections and processes write (WAL readers do not block writers). The copy is
// switched to the rollback journal, so it is one self-contained file with no -wal beside it.
// Throws core::Error naming the SQLite error (never a value).
void copy_database_online(const std::string& source, const std::string& destination);

// What a database file holds, read without migrating or writing it.
struct DatabaseFileCheck {
  std::string integrity;  // "ok", else SQLite's first reported problems, "; "-joined
  int schema_version = 0;
  AuditLogVerification audit_log;
  std::vector<crypto::DataKeyRecord> data_keys;
};

// Runs PRAGMA integrity_check and, when it passes, reads the schema version, walks the audit log's
// chain (store::verify_audit_log) and loads the wrapped data keys. For a file no other connection
// has open (a backup, a restore's staged copy). core::ValidationError when SQLite cannot read it as
// a database at all.
DatabaseFileCheck check_database_file(const std::string& path);

// Makes a database file no Database has open (the staged copy a restore swaps in) ready to go
// live: ends every sign-in session it holds (a restore must not bring back sessions that were
// signed out, expired or ended by a password reset since the backup) and appends one audit-log
// entry, in one transaction, with synchronous FULL and the rollback journal, so it is on disk and
// no -wal is left beside the file when this returns. Returns the number of sessions ended.
std::int64_t prepare_restored_file(const std::string& path, const AuditEvent& event,
                                   const std::string& at);

// Held while a restore replaces the database at `path`. Taking it switches the database to the
// rollback journal, which SQLite allows only when no other connection (in any process) has the
// file open; that checkpoints the WAL into the file and removes -wal and -shm, so no stale WAL can
// be replayed onto the database swapped in. It then holds an exclusive lock until destroyed, so
// nothing opens the old file meanwhile. core::ConflictError when the database is in use.
class ReplacementLock {
 public:
  explicit ReplacementLock(const std::string& path);
  ~ReplacementLock();
  ReplacementLock(const ReplacementLock&) = delete;
  ReplacementLock& operator=(const ReplacementLock&) = delete;

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace pathaudit::store
