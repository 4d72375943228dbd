#include "store/backup.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <memory>
#include <mutex>

#include "core/errors.h"
#include "store/data_keys.h"
#include "store/migrations.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace pathaudit::store {
namespace {

// Closes a raw connection however the function using it ends.
struct Connection {
  sqlite3* db = nullptr;
  ~Connection() {
    if (db)
      sqlite3_close_v2(db);
  }
};

void open_raw(Connection& c, const std::string& path, int flags, const char* what) {
  if (sqlite3_open_v2(path.c_str(), &c.db, flags, nullptr) != SQLITE_OK) {
    const std::string why = c.db ? sqlite3_errmsg(c.db) : "out of memory";
    throw core::Error(std::string("could not open ") + what + ": " + why);
  }
  sqlite3_extended_result_codes(c.db, 1);
}

// Runs SQL without results; returns SQLite's result code so callers can tell BUSY from failure.
int exec_rc(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
}

void exec(sqlite3* db, const char* sql, const char* what) {
  if (exec_rc(db, sql) != SQLITE_OK)
    throw core::Error(std::string(what) + ": " + sqlite3_errmsg(db));
}

void register_connector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

}  // namespace

void copy_database_online(const std::string& source, const std::string& destination) {
  Connection src, dst;
  // Read-write without create: a WAL reader must be able to use the -shm file, and a missing
  // source must not be created empty.
  open_raw(src, source, SQLITE_OPEN_READWRITE, "the database to back up");
  open_raw(dst, destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "the backup file");
  sqlite3_busy_timeout(src.db, 5000);
  sqlite3_backup* b = sqlite3_backup_init(dst.db, "main", src.db, "main");
  if (!b)
    throw core::Error(std::string("could not start the backup: ") + sqlite3_errmsg(dst.db));
  // -1 copies every page in one step, inside one read transaction on the source: the copy is one
  // consistent snapshot. Copying in slices would restart whenever another process commits.
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 200; ++attempt) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
      break;
    sqlite3_sleep(50);
  }
  const int finish = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE || finish != SQLITE_OK) {
    throw core::Error(std::string("the backup did not complete: ") +
                      sqlite3_errstr(rc != SQLITE_DONE ? rc : finish));
  }
  // The copied header still says WAL; a backup is one file, so it gets the rollback journal (the
  // Database that opens it after a restore switches it back to WAL).
  exec(dst.db, "PRAGMA journal_mode = DELETE", "could not finish the backup file");
}

DatabaseFileCheck check_database_file(const std::string& path) {
  register_connector();
  DatabaseFileCheck out;
  try {
    Session s("SQLite", path);
    std::vector<std::string> problems;
    // Ten problems are plenty to say what is wrong; a badly damaged file can report millions.
    s << "PRAGMA integrity_check(10)", into(problems), now;
    if (problems.size() == 1 && problems.front() == "ok") {
      out.integrity = "ok";
    } else {
      for (const auto& p : problems)
        out.integrity += (out.integrity.empty() ? "" : "; ") + p;
      if (out.integrity.empty())
        out.integrity = "no result";
      return out;
    }
    out.schema_version = current_schema_version(s);
    if (out.schema_version == 0)
      return out;
    out.audit_log = verify_audit_log(s);
    out.data_keys = load_data_keys(s);
  } catch (const Poco::Exception& e) {
    // SQLite's message ("file is not a database", "database disk image is malformed") names the
    // problem, never a value.
    throw core::ValidationError("SQLite cannot read it as a database (" + e.message() + ")");
  }
  return out;
}

std::int64_t prepare_restored_file(const std::string& path, const AuditEvent& event,
                                   const std::string& at) {
  register_connector();
  Session s("SQLite", path);
  s << "PRAGMA journal_mode = DELETE", now;
  s << "PRAGMA synchronous = FULL", now;
  s << "BEGIN IMMEDIATE", now;
  try {
    std::int64_t ended = 0;
    s << "SELECT count(*) FROM sessions", into(ended), now;
    s << "DELETE FROM sessions", now;
    AuditEvent e = event;
    e.outcome += "; " + std::to_string(ended) + " sign-in sessions ended";
    append_audit(s, e, at);
    s << "COMMIT", now;
    return ended;
  } catch (...) {
    try {
      s << "ROLLBACK", now;
    } catch (...) {
    }
    throw;
  }
}

ReplacementLock::ReplacementLock(const std::string& path) {
  Connection c;
  open_raw(c, path, SQLITE_OPEN_READWRITE, "the database to replace");
  // No waiting: another connection that is merely open (an idle `pathaudit serve`) never lets go,
  // and a restore should say so at once rather than after a timeout.
  const int rc = exec_rc(c.db, "PRAGMA journal_mode = DELETE");
  if (rc != SQLITE_OK) {
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
      throw core::ConflictError(
          "the database is in use by another process (a running `pathaudit serve` or another "
          "command); stop it and run the restore again");
    }
    throw core::Error(std::string("could not prepare the database for replacement: ") +
                      sqlite3_errmsg(c.db));
  }
  if (exec_rc(c.db, "BEGIN EXCLUSIVE") != SQLITE_OK) {
    throw core::ConflictError(
        "the database is in use by another process; stop it and run the restore again");
  }
  db_ = c.db;
  c.db = nullptr;
}

ReplacementLock::~ReplacementLock() {
  if (db_) {
    exec_rc(db_, "ROLLBACK");
    sqlite3_close_v2(db_);
  }
}

}  // namespace pathaudit::store
