// `pathaudit backup` and `pathaudit restore` (docs/admin-guide.md, "Backup, restore and
// retention"). A backup is one SQLite file, copied online from the live database, plus a sidecar
// manifest FILE.manifest.json recording its SHA-256, schema version, audit-log head and the data
// keys it needs. Its content stays as stored: sealed fields and wrapped data keys. The master key
// and pathaudit.properties are not in it. A restore verifies the file completely before it replaces
// anything, then swaps it in atomically and records the restore in the restored audit log.
//
// Both are for admins (and the operator). Stateless use cases; a restore must not run while
// anything else has the data directory's database open, and refuses when it can tell.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

struct BackupKey {
  std::uint32_t id = 0;
  std::string purpose;
  std::string state;
};

// What FILE.manifest.json says (format "pathaudit-backup/1", docs/admin-guide.md).
struct BackupManifest {
  std::string file;           // the backup file's path
  std::string manifest_file;  // FILE.manifest.json
  std::string created_at;
  std::string pathaudit_version;
  std::string sha256;
  std::uint64_t bytes = 0;
  int schema_version = 0;
  std::int64_t audit_log_entries = 0;
  std::string audit_log_head;
  std::vector<BackupKey> data_keys;  // every key the backup holds that is not shredded
};

// FILE + ".manifest.json".
std::string manifest_path(const std::string& backup_file);

// Reads and checks a manifest. core::ValidationError naming the manifest file and what is wrong.
BackupManifest read_manifest(const std::string& backup_file);

// Copies the live database to `output` (SQLite online backup: consistent while others write),
// checks the copy (integrity_check), writes the manifest, and records the backup in the audit log
// (`backup.create`, with the SHA-256, schema version, audit-log head and key ids). The file and
// the manifest are created 0600 under temporary names and renamed into place only when complete;
// neither may exist already (core::ValidationError). ForbiddenError unless `who` is an admin.
BackupManifest create_backup(Context& ctx, const Principal& who, const std::string& output);

struct RestoreRequest {
  std::string data_dir;
  std::map<std::string, std::string> overrides;  // --master-key-file
  std::string from;                              // the backup file
  bool confirm = false;                          // false: verify and say what would happen
  std::string as_username;                       // --as; needs the current database
  std::string actor;                             // cli_actor()
};

struct RestoreResult {
  bool done = false;  // false for a dry run
  BackupManifest backup;
  std::string database;       // the database file replaced or created
  bool replaces = false;      // a database was (or would be) replaced
  std::string previous_kept;  // where the replaced database was kept, "" if none
  std::int64_t data_keys_unwrapped = 0;
};

// Verifies, in order: the manifest; the file's SHA-256 against it; PRAGMA integrity_check; the
// schema version (not newer than this binary); the audit-log chain (store::verify_audit_log) and
// its head against the manifest; that the master key (of the data directory or
// --master-key-file) unwraps every data key the backup holds. Any failure is a
// core::ValidationError beginning "restore refused:" and naming the check; nothing is changed. With
// `confirm`, then appends `backup.restore` to the backup's audit log, and swaps it in: the current
// database (if any) is kept as pathaudit.db.pre-restore-<UTC time>, and the staged copy renamed
// over pathaudit.db. core::ConflictError if another process has the database open. Creates the
// data directory (0700) and its pathaudit.properties when restoring onto a new machine.
RestoreResult restore_backup(const RestoreRequest& request);

}  // namespace pathaudit::service
