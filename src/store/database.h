// The SQLite database of one data directory, opened through Poco::Data.
//
// One writer connection, guarded by a mutex, runs every write inside BEGIN IMMEDIATE so writers
// queue on the mutex instead of failing on SQLITE_BUSY; a small pool of reader connections serves
// reads inside a deferred transaction (a consistent WAL snapshot). Opening applies the pragmas
// (WAL, synchronous FULL, foreign keys, ~5 s busy timeout) and the forward-only migrations; a
// database whose schema is newer than this binary is refused.
//
// write_bulk() is write() for transactions of up to millions of rows (an import): SQLite's
// foreign-key checks, one lookup per row per reference, cost an import of 1M events about 5 s, so
// they are off for that transaction and every foreign key of the database is checked once, by
// PRAGMA foreign_key_check, before it commits. What can commit is the same either way (the schema
// has no ON DELETE or ON UPDATE actions that the checks would also have run); only the moment a
// violation is noticed differs.
//
// Each connection keeps its compiled statements (StatementCache, sqlite_statement.h) for the
// Statements run on it inside write() and read(); BEGIN and COMMIT go through the same cache.
//
// Thread-safe: write() and read() may be called from any thread. The Session passed to the callback
// is only valid inside it and must not escape.
#pragma once

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

namespace pathaudit::store {

using Session = Poco::Data::Session;
class StatementCache;

class Database {
 public:
  struct Options {
    std::string path;
    // Create the file if it does not exist (only `init` does this); otherwise a missing file is an
    // error telling the user to run init.
    bool create = false;
    int busy_timeout_seconds = 5;
    int readers = 4;
  };

  static std::unique_ptr<Database> open(const Options& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }
  int schema_version();

  // Runs f(Session&) inside BEGIN IMMEDIATE ... COMMIT; any exception rolls back and propagates.
  template <class F>
  auto write(F&& f) -> std::invoke_result_t<F, Session&> {
    return run_write(std::forward<F>(f), ForeignKeys::per_row);
  }

  // As write(), with the foreign keys checked once before COMMIT instead of row by row (see the
  // header comment). A violation rolls back and throws core::Error naming the tables involved.
  template <class F>
  auto write_bulk(F&& f) -> std::invoke_result_t<F, Session&> {
    return run_write(std::forward<F>(f), ForeignKeys::at_commit);
  }

  // Copies the WAL into the database file and truncates the WAL (after a crypto-shred, so no old
  // page survives there).
  void write_checkpoint();

  // Runs f(Session&) on a pooled reader inside one read transaction.
  template <class F>
  auto read(F&& f) -> std::invoke_result_t<F, Session&> {
    ReaderLease lease(*this);
    return lease.run(std::forward<F>(f));
  }

 private:
  // A connection and the statements compiled on it (destroyed first: they must be finalized
  // before the connection closes).
  struct Connection {
    std::unique_ptr<Session> session;
    std::unique_ptr<StatementCache> statements;
    Connection();
    Connection(Connection&&) noexcept;
    Connection& operator=(Connection&&) noexcept;
    ~Connection();
  };
  // Makes the connection's StatementCache current on this thread while it lives.
  class CacheScope {
   public:
    explicit CacheScope(Connection& c);
    ~CacheScope();
    CacheScope(const CacheScope&) = delete;
    CacheScope& operator=(const CacheScope&) = delete;

   private:
    StatementCache* previous_;
  };

  class ReaderLease {
   public:
    explicit ReaderLease(Database& db);
    ~ReaderLease();
    template <class F>
    auto run(F&& f) -> std::invoke_result_t<F, Session&> {
      const CacheScope scope(connection_);
      begin_read();
      try {
        if constexpr (std::is_void_v<std::invoke_result_t<F, Session&>>) {
          f(*connection_.session);
          end_read();
        } else {
          auto result = f(*connection_.session);
          end_read();
          return result;
        }
      } catch (...) {
        end_read();
        throw;
      }
    }

   private:
    void begin_read();
    void end_read() noexcept;
    Database& db_;
    Connection connection_;
  };

  enum class ForeignKeys { per_row, at_commit };

  template <class F>
  auto run_write(F&& f, ForeignKeys checks) -> std::invoke_result_t<F, Session&> {
    std::lock_guard<std::mutex> lock(write_mutex_);
    const CacheScope scope(writer_);
    const ForeignKeyScope keys(*this, checks);
    begin_immediate();
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F, Session&>>) {
        f(*writer_.session);
        commit(checks);
      } else {
        auto result = f(*writer_.session);
        commit(checks);
        return result;
      }
    } catch (...) {
      rollback();
      throw;
    }
  }

  // Turns the writer's per-row foreign-key checks off for an at_commit write and on again after
  // it, whichever way it ends (SQLite ignores the pragma inside a transaction, so this wraps
  // BEGIN ... COMMIT).
  class ForeignKeyScope {
   public:
    ForeignKeyScope(Database& db, ForeignKeys checks);
    ~ForeignKeyScope();
    ForeignKeyScope(const ForeignKeyScope&) = delete;
    ForeignKeyScope& operator=(const ForeignKeyScope&) = delete;

   private:
    Database& db_;
    bool switched_ = false;
  };

  explicit Database(std::string path);
  Connection connect(int busy_timeout_seconds);
  void begin_immediate();
  void commit(ForeignKeys checks);
  void rollback() noexcept;
  void enforce_foreign_keys();

  std::string path_;
  int busy_timeout_seconds_ = 5;
  std::mutex write_mutex_;
  Connection writer_;
  bool foreign_keys_off_ = false;  // set if turning them back on failed; the next write retries

  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<Connection> idle_readers_;
};

}  // namespace pathaudit::store
