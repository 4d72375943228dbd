#include "store/database.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/File.h>
#include <sys/stat.h>

#include <set>

#include "core/errors.h"
#include "store/migrations.h"
#include "store/sqlite_statement.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace pathaudit::store {
namespace {

void register_connector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

void exec(Session& s, const std::string& sql) {
  s << sql, now;
}

}  // namespace

Database::Connection::Connection() = default;
Database::Connection::Connection(Connection&&) noexcept = default;
Database::Connection& Database::Connection::operator=(Connection&&) noexcept = default;
Database::Connection::~Connection() {
  statements.reset();  // finalized while the connection is still open
}

Database::CacheScope::CacheScope(Connection& c)
    : previous_(StatementCache::make_current(c.statements.get())) {}

Database::CacheScope::~CacheScope() {
  StatementCache::make_current(previous_);
}

Database::Database(std::string path) : path_(std::move(path)) {}

Database::~Database() = default;

Database::Connection Database::connect(int busy_timeout_seconds) {
  Connection c;
  c.session = std::make_unique<Session>("SQLite", path_);
  Session* s = c.session.get();
  c.statements = std::make_unique<StatementCache>(connection(*s));
  // Poco's default busy timeout is 60 s; a writer waiting that long looks like a hang to a user.
  s->setConnectionTimeout(static_cast<std::size_t>(busy_timeout_seconds));
  exec(*s, "PRAGMA foreign_keys = ON");
  // Deleted or overwritten content (a shredded key, expired case content) is zeroed in the file
  // rather than left in free pages for a forensic reader.
  exec(*s, "PRAGMA secure_delete = ON");
  return c;
}

std::unique_ptr<Database> Database::open(const Options& options) {
  register_connector();
  const bool exists = Poco::File(options.path).exists();
  if (!exists && !options.create) {
    throw core::NotFoundError("no pathaudit database at " + options.path +
                              "; run `pathaudit init` for this data directory first");
  }
  std::unique_ptr<Database> db(new Database(options.path));
  db->busy_timeout_seconds_ = options.busy_timeout_seconds;
  db->writer_ = db->connect(options.busy_timeout_seconds);
  if (!exists)
    ::chmod(options.path.c_str(), 0600);

  std::string mode;
  *db->writer_.session << "PRAGMA journal_mode = WAL", into(mode), now;
  if (mode != "wal")
    throw core::Error("could not switch " + options.path + " to WAL journal mode");
  // An acknowledged write (a submitted review) must survive power loss: FULL syncs the WAL on every
  // commit. docs/architecture.md explains the choice.
  exec(*db->writer_.session, "PRAGMA synchronous = FULL");
  // Imports write up to millions of rows in one transaction; with SQLite's default 2 MB cache the
  // pages spill and are read back through the kernel over and over. 128 MB keeps a large import's
  // working set in memory while staying well inside the 512 MB budget (docs/benchmarks.md).
  exec(*db->writer_.session, "PRAGMA cache_size = -131072");
  exec(*db->writer_.session, "PRAGMA temp_store = MEMORY");

  db->write([](Session& s) { apply_migrations(s); });

  for (int i = 0; i < options.readers; ++i) {
    auto r = db->connect(options.busy_timeout_seconds);
    exec(*r.session, "PRAGMA query_only = ON");
    db->idle_readers_.push_back(std::move(r));
  }
  return db;
}

int Database::schema_version() {
  return read([](Session& s) { return current_schema_version(s); });
}

void Database::write_checkpoint() {
  std::lock_guard<std::mutex> lock(write_mutex_);
  int busy = 0, log = 0, checkpointed = 0;
  *writer_.session << "PRAGMA wal_checkpoint(TRUNCATE)", into(busy), into(log), into(checkpointed),
      now;
  if (busy != 0)
    throw core::ConflictError("the database is busy; checkpoint not completed, retry");
}

void Database::begin_immediate() {
  exec(*writer_.session, "BEGIN IMMEDIATE");
}

void Database::commit(ForeignKeys checks) {
  if (checks == ForeignKeys::at_commit) {
    // One pass over every reference in the database, instead of a lookup per row written.
    Statement check(connection(*writer_.session), "PRAGMA foreign_key_check");
    std::set<std::string> tables;
    std::size_t violations = 0;
    while (check.row()) {
      ++violations;
      tables.insert(reinterpret_cast<const char*>(sqlite3_column_text(check.get(), 0)) +
                    std::string(" -> ") +
                    reinterpret_cast<const char*>(sqlite3_column_text(check.get(), 2)));
    }
    if (violations > 0) {
      std::string where;
      for (const auto& t : tables)
        where += (where.empty() ? "" : ", ") + t;
      throw core::Error("internal error: the write would leave " + std::to_string(violations) +
                        " row(s) referring to rows that do not exist (" + where +
                        "); nothing was stored");
    }
  }
  exec(*writer_.session, "COMMIT");
}

void Database::enforce_foreign_keys() {
  exec(*writer_.session, "PRAGMA foreign_keys = ON");
  foreign_keys_off_ = false;
}

Database::ForeignKeyScope::ForeignKeyScope(Database& db, ForeignKeys checks) : db_(db) {
  if (db_.foreign_keys_off_)
    db_.enforce_foreign_keys();  // throws, refusing the write, while they cannot be turned on
  if (checks == ForeignKeys::at_commit) {
    exec(*db_.writer_.session, "PRAGMA foreign_keys = OFF");
    db_.foreign_keys_off_ = true;
    switched_ = true;
  }
}

Database::ForeignKeyScope::~ForeignKeyScope() {
  if (!switched_)
    return;
  try {
    db_.enforce_foreign_keys();
  } catch (...) {
    // foreign_keys_off_ stays set: the next write turns them on before it begins, or fails.
  }
}

void Database::rollback() noexcept {
  try {
    exec(*writer_.session, "ROLLBACK");
  } catch (...) {
    // SQLite may already have rolled back (for example after SQLITE_FULL); nothing more to undo.
  }
}

Database::ReaderLease::ReaderLease(Database& db) : db_(db) {
  std::unique_lock<std::mutex> lock(db_.pool_mutex_);
  db_.pool_cv_.wait(lock, [&] { return !db_.idle_readers_.empty(); });
  connection_ = std::move(db_.idle_readers_.back());
  db_.idle_readers_.pop_back();
}

Database::ReaderLease::~ReaderLease() {
  {
    std::lock_guard<std::mutex> lock(db_.pool_mutex_);
    db_.idle_readers_.push_back(std::move(connection_));
  }
  db_.pool_cv_.notify_one();
}

void Database::ReaderLease::begin_read() {
  exec_cached(connection(*connection_.session), "BEGIN");
}

void Database::ReaderLease::end_read() noexcept {
  try {
    exec_cached(connection(*connection_.session), "COMMIT");
  } catch (...) {
    try {
      exec(*connection_.session, "ROLLBACK");
    } catch (...) {
    }
  }
}

}  // namespace pathaudit::store
