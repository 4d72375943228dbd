#include "store/database.h"

#include <Poco/Data/Statement.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <thread>

#include "core/errors.h"
#include "store/audit_log.h"
#include "store/migrations.h"
#include "store/sessions.h"
#include "store/sqlite_statement.h"
#include "test_support.h"

using namespace pathaudit;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

// Direct SQL on the file, as someone with the file (and no pathaudit) could run it.
void raw_sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

int count(store::Database& db, const std::string& sql) {
  return db.read([&](store::Session& s) {
    int n = 0;
    s << sql, into(n), now;
    return n;
  });
}

}  // namespace

TEST_CASE("migrations create the schema from empty and re-running changes nothing", "[store]") {
  testing::TempDir dir;
  const std::string path = dir / "pathaudit.db";
  {
    auto db = store::Database::open({path, true});
    REQUIRE(db->schema_version() == store::latest_schema_version());
    for (const char* table :
         {"partnership", "agencies", "users", "templates", "audits", "children", "events",
          "samples", "sample_cases", "assignments", "reviews", "answers", "flags", "actions",
          "audit_log", "data_keys", "imports", "event_links"}) {
      INFO(table);
      REQUIRE(count(*db, std::string("SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                                     "name='") +
                             table + "'") == 1);
    }
    REQUIRE(count(*db, "SELECT count(*) FROM schema_migrations") == store::latest_schema_version());
  }
  auto again = store::Database::open({path, false});
  REQUIRE(again->schema_version() == store::latest_schema_version());
  REQUIRE(count(*again, "SELECT count(*) FROM schema_migrations") ==
          store::latest_schema_version());
}

TEST_CASE("migration 7 keeps a version 6 database's links and their rules", "[store]") {
  testing::TempDir dir;
  const std::string path = dir / "pathaudit.db";
  store::Database::open({path, true});
  // The file as version 6 left it: event_links with its tier rule as an IN list, and links in it.
  raw_sql(path, R"(
    INSERT INTO agencies (id, code, name, kind) VALUES (1, 'CSC', 'Children', 'csc');
    INSERT INTO children (id, pseudonym, display_key, created_at) VALUES
      (1, x'01', 'k1', 'now'), (2, x'02', 'k2', 'now');
    INSERT INTO events (id, agency_id, event_ref_hmac, event_ref_sealed, event_type, event_date)
      VALUES (1, 1, x'a1', x'b1', 'referral', '2026-01-01'),
             (2, 1, x'a2', x'b2', 'referral', '2026-01-02'),
             (3, 1, x'a3', x'b3', 'referral', '2026-01-03');
    DROP TABLE event_links;
    CREATE TABLE event_links (
      event_id INTEGER PRIMARY KEY REFERENCES events(id),
      child_id INTEGER NOT NULL REFERENCES children(id),
      tier TEXT NOT NULL CHECK (tier IN ('nhs','local','exact','probable','none')));
    CREATE INDEX event_links_child ON event_links(child_id);
    INSERT INTO event_links VALUES (1, 1, 'nhs'), (2, 1, 'probable'), (3, 2, 'none');
    DELETE FROM schema_migrations WHERE version = 7;)");

  auto db = store::Database::open({path, false});
  REQUIRE(db->schema_version() == 7);
  REQUIRE(count(*db, "SELECT count(*) FROM event_links") == 3);
  REQUIRE(count(*db,
                "SELECT count(*) FROM event_links WHERE (event_id, child_id, tier) IN "
                "(VALUES (1, 1, 'nhs'), (2, 1, 'probable'), (3, 2, 'none'))") == 3);
  REQUIRE(count(*db,
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = "
                "'event_links_child' AND tbl_name = 'event_links'") == 1);
  REQUIRE(count(*db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'event_links_v%'") == 0);
  db->write([](store::Session& s) {
    s << "DELETE FROM event_links", now;
    for (std::string tier : {"nhs", "local", "exact", "probable", "none"}) {
      s << "INSERT INTO event_links (event_id, child_id, tier) VALUES (1, 1, ?)", use(tier), now;
      s << "DELETE FROM event_links", now;
    }
  });
  auto insert = [&](const std::string& values) {
    db->write([&](store::Session& s) {
      s << "INSERT INTO event_links (event_id, child_id, tier) VALUES " + values, now;
    });
  };
  REQUIRE_THROWS(insert("(1, 1, 'bogus')"));
  REQUIRE_THROWS(insert("(1, 1, 'NHS')"));
  REQUIRE_THROWS(insert("(9, 1, 'nhs')"));  // no such event
  REQUIRE_THROWS(insert("(1, 9, 'nhs')"));  // no such child
  insert("(1, 2, 'exact')");
  REQUIRE(count(*db, "SELECT count(*) FROM event_links") == 1);
}

TEST_CASE("the connection runs in WAL mode with foreign keys enforced", "[store]") {
  testing::TempDir dir;
  auto db = store::Database::open({dir / "pathaudit.db", true});
  REQUIRE(db->read([](store::Session& s) {
    std::string mode;
    s << "PRAGMA journal_mode", into(mode), now;
    return mode;
  }) == "wal");
  REQUIRE_THROWS(db->write([](store::Session& s) {
    s << "INSERT INTO events (agency_id, event_ref_hmac, event_ref_sealed, event_type, event_date) "
         "VALUES (999, x'00', x'00', 'referral', '2025-01-01')",
        now;
  }));
}

TEST_CASE("a bulk write checks every foreign key once before it commits", "[store]") {
  testing::TempDir dir;
  auto db = store::Database::open({dir / "pathaudit.db", true});
  const std::string dangling =
      "INSERT INTO events (agency_id, event_ref_hmac, event_ref_sealed, event_type, event_date) "
      "VALUES (999, x'00', x'00', 'referral', '2025-01-01')";
  // The row is accepted inside the transaction (no per-row check), and the commit refuses it.
  bool inserted = false;
  REQUIRE_THROWS_WITH(
      db->write_bulk([&](store::Session& s) {
        s << "INSERT INTO partnership (id, name, created_at) VALUES (1, 'p', 'now')", now;
        s << dangling, now;
        inserted = true;
      }),
      Catch::Contains("events -> agencies") && Catch::Contains("nothing was stored"));
  REQUIRE(inserted);
  REQUIRE(count(*db, "SELECT count(*) FROM events") == 0);
  REQUIRE(count(*db, "SELECT count(*) FROM partnership") == 0);
  // Per-row checks are back for ordinary writes, after a refused bulk write and after one whose
  // callback threw.
  REQUIRE_THROWS(db->write([&](store::Session& s) { s << dangling, now; }));
  REQUIRE_THROWS_AS(db->write_bulk([](store::Session&) { throw core::ValidationError("abort"); }),
                    core::ValidationError);
  REQUIRE_THROWS(db->write([&](store::Session& s) { s << dangling, now; }));
  REQUIRE(db->write([](store::Session& s) {
    int on = 0;
    s << "PRAGMA foreign_keys", into(on), now;
    return on;
  }) == 1);
  // A consistent bulk write commits.
  db->write_bulk([](store::Session& s) {
    s << "INSERT INTO agencies (id, code, name, kind) VALUES (1, 'CSC', 'Children', 'csc')", now;
    s << "INSERT INTO events (agency_id, event_ref_hmac, event_ref_sealed, event_type, "
         "event_date) VALUES (1, x'00', x'00', 'referral', '2025-01-01')",
        now;
  });
  REQUIRE(count(*db, "SELECT count(*) FROM events") == 1);
}

TEST_CASE("a missing database is not created unless asked", "[store]") {
  testing::TempDir dir;
  REQUIRE_THROWS_AS(store::Database::open({dir / "absent.db", false}), core::NotFoundError);
}

TEST_CASE("a database from a newer pathaudit is refused with a clear message", "[store]") {
  testing::TempDir dir;
  const std::string path = dir / "pathaudit.db";
  store::Database::open({path, true});
  raw_sql(path,
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')");
  REQUIRE_THROWS_AS(store::Database::open({path, false}), core::ConflictError);
  REQUIRE_THROWS_WITH(store::Database::open({path, false}),
                      Catch::Contains("newer than this pathaudit"));
}

TEST_CASE("a failed write rolls back everything it did", "[store]") {
  testing::TempDir dir;
  auto db = store::Database::open({dir / "pathaudit.db", true});
  REQUIRE_THROWS_AS(db->write([](store::Session& s) {
    s << "INSERT INTO partnership (id, name, created_at) VALUES (1, 'p', 'now')", now;
    throw core::ValidationError("abort");
  }),
                    core::ValidationError);
  REQUIRE(count(*db, "SELECT count(*) FROM partnership") == 0);
  db->write([](store::Session& s) {
    s << "INSERT INTO partnership (id, name, created_at) VALUES (1, 'p', 'now')", now;
  });
  REQUIRE(count(*db, "SELECT count(*) FROM partnership") == 1);
}

TEST_CASE("readers see committed data from other threads' writes", "[store]") {
  testing::TempDir dir;
  auto db = store::Database::open({dir / "pathaudit.db", true});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        db->write([&](store::Session& s) {
          std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
          s << "INSERT INTO agencies (code, name, kind) VALUES (?, ?, 'csc')", use(name), use(name),
              now;
        });
        count(*db, "SELECT count(*) FROM agencies");
      }
    });
  }
  for (auto& t : threads)
    t.join();
  REQUIRE(count(*db, "SELECT count(*) FROM agencies") == 100);
}

TEST_CASE("statements are compiled once per connection, kept, and still see schema changes",
          "[store]") {
  testing::TempDir tmp;
  store::Database::Options o;
  o.path = tmp / "kept.db";
  o.create = true;
  o.readers = 1;  // every read on the same connection
  auto db = store::Database::open(o);
  db->write([](store::Session& s) {
    store::exec_cached(store::connection(s), "CREATE TABLE t (a INTEGER)");
    for (int i = 1; i <= 2; ++i) {
      store::Statement ins(store::connection(s), "INSERT INTO t (a) VALUES (?)");
      sqlite3_bind_int(ins.get(), 1, i);
      ins.row();
    }
  });
  CHECK(count(*db, "SELECT count(*) FROM t") == 2);

  const auto select_all = [&] {
    return db->read([](store::Session& s) {
      store::Statement st(store::connection(s), "SELECT * FROM t WHERE a = ?");
      sqlite3_bind_int(st.get(), 1, 1);
      REQUIRE(st.row());
      return std::make_pair(st.get(), sqlite3_column_count(st.get()));
    });
  };
  const auto first = select_all();
  const auto second = select_all();
  CHECK(first.first == second.first);  // kept, not compiled again
  CHECK(first.second == 1);

  // Reused with its bindings cleared: unbound, the parameter is NULL and matches nothing.
  db->read([](store::Session& s) {
    store::Statement st(store::connection(s), "SELECT * FROM t WHERE a = ?");
    CHECK(!st.row());
  });

  // The same SQL in use further up the stack gets a statement of its own; both give their rows.
  db->read([](store::Session& s) {
    store::Statement outer(store::connection(s), "SELECT a FROM t ORDER BY a");
    store::Statement inner(store::connection(s), "SELECT a FROM t ORDER BY a");
    CHECK(outer.get() != inner.get());
    REQUIRE(outer.row());
    REQUIRE(inner.row());
    CHECK(sqlite3_column_int(outer.get(), 0) == 1);
    CHECK(sqlite3_column_int(inner.get(), 0) == 1);
  });

  // A schema change (here by another connection) recompiles the kept statement.
  raw_sql(o.path, "ALTER TABLE t ADD COLUMN b TEXT");
  const auto after = select_all();
  CHECK(after.first == first.first);
  CHECK(after.second == 2);
}

TEST_CASE("the session epoch rises whenever a session or what it depends on changes", "[store]") {
  testing::TempDir tmp;
  store::Database::Options o;
  o.path = tmp / "epoch.db";
  o.create = true;
  auto db = store::Database::open(o);
  const auto epoch = [&] {
    return db->read([](store::Session& s) { return store::session_epoch(s); });
  };
  raw_sql(o.path,
          "INSERT INTO agencies (id, code, name, kind) VALUES (1, 'CSC', 'CSC', 'csc');"
          "INSERT INTO users (id, username, display_name, role, agency_id, password_hash, "
          "created_at) VALUES (1, 'u', 'U', 'auditor', 1, 'x', 't');"
          "INSERT INTO sessions (id, token_hash, user_id, csrf_token_hash, created_at, "
          "last_seen_at, expires_at) VALUES (1, x'01', 1, x'02', 't', 't', 't')");
  std::int64_t before = epoch();
  // Neither a new session nor a session's last use, nor sign-in bookkeeping, changes it.
  raw_sql(o.path,
          "UPDATE sessions SET last_seen_at = 'u';"
          "UPDATE users SET failed_logins = 1, display_name = 'V';"
          "UPDATE agencies SET name = 'Children'");
  CHECK(epoch() == before);
  for (const char* change :
       {"UPDATE users SET role = 'board'", "UPDATE users SET disabled = 1",
        "UPDATE users SET password_hash = 'y'", "UPDATE users SET agency_id = NULL",
        "UPDATE users SET username = 'w'", "UPDATE agencies SET code = 'CSC2'",
        "UPDATE sessions SET expires_at = 's'", "DELETE FROM sessions", "DELETE FROM users"}) {
    INFO(change);
    raw_sql(o.path, change);
    const std::int64_t now = epoch();
    CHECK(now > before);
    before = now;
  }
}
