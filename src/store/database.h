// The SQLite database of one data directory, opened through Poco::Data.
//
// One writer connection, guarded by a mutex, runs every write inside BEGIN IMMEDIATE so writers
// queue on the mutex instead of failing on SQLITE_BUSY; a small pool of reader connections serves
// reads inside a deferred transaction (a consistent WAL snapshot). Opening applies the pragmas
// (WAL, synchronous FULL, foreign keys, ~5 s busy timeout) and the forward-only migrations; a
// database whose schema is newer than this binary is refused.
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
    std::lock_guard<std::mutex> lock(write_mutex_);
    const CacheScope scope(writer_);
    begin_immediate();
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F, Session&>>) {
        f(*writer_.session);
        commit();
      } else {
        auto result = f(*writer_.session);
        commit();
        return result;
      }
    } catch (...) {
      rollback();
      throw;
    }
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

  explicit Database(std::string path);
  Connection connect(int busy_timeout_seconds);
  void begin_immediate();
  void commit();
  void rollback() noexcept;

  std::string path_;
  int busy_timeout_seconds_ = 5;
  std::mutex write_mutex_;
  Connection writer_;

  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<Connection> idle_readers_;
};

}  // namespace pathaudit::store
