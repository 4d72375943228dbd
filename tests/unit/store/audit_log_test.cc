#include "store/audit_log.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "store/database.h"
#include "test_support.h"

using namespace pathaudit;

namespace {

struct LogFixture {
  testing::TempDir dir;
  std::string path = dir / "pathaudit.db";

  LogFixture() {
    auto db = store::Database::open({path, true});
    db->write([](store::Session& s) {
      for (int i = 1; i <= 6; ++i) {
        store::append_audit(s, {"cli:tester", "test.act", "audit:" + std::to_string(i), "ok"},
                            "2026-11-22T05:00:0" + std::to_string(i) + "Z");
      }
    });
  }

  store::AuditLogVerification verify() {
    auto db = store::Database::open({path, false});
    return db->read([](store::Session& s) { return store::verify_audit_log(s); });
  }

  // Tampering as someone holding the file would: around the application and its triggers.
  void tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    const std::string all =
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; " + sql;
    char* err = nullptr;
    const int rc = sqlite3_exec(db, all.c_str(), nullptr, nullptr, &err);
    INFO((err ? err : ""));
    sqlite3_free(err);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
};

}  // namespace

TEST_CASE("an untouched audit log verifies", "[audit_log]") {
  LogFixture f;
  auto v = f.verify();
  REQUIRE(v.ok);
  REQUIRE(v.entries == 6);
  REQUIRE(v.head_hash.size() == 64);
}

TEST_CASE("the audit log refuses updates and deletes through SQL", "[audit_log]") {
  LogFixture f;
  auto db = store::Database::open({f.path, false});
  REQUIRE_THROWS(db->write([](store::Session& s) {
    s << "UPDATE audit_log SET outcome = 'x' WHERE seq = 2", Poco::Data::Keywords::now;
  }));
  REQUIRE_THROWS(db->write([](store::Session& s) {
    s << "DELETE FROM audit_log WHERE seq = 2", Poco::Data::Keywords::now;
  }));
  REQUIRE(f.verify().ok);
}

TEST_CASE("verification finds a modified entry", "[audit_log]") {
  LogFixture f;
  f.tamper("UPDATE audit_log SET object = 'audit:99' WHERE seq = 3;");
  auto v = f.verify();
  REQUIRE_FALSE(v.ok);
  REQUIRE(*v.first_bad_seq == 3);
}

TEST_CASE("verification finds an entry modified with its hash recomputed", "[audit_log]") {
  LogFixture f;
  // The forger rewrites entry 3 and its own hash, but cannot fix entry 4's link without rewriting
  // the rest of the chain; here the stored hash of 3 is simply replaced.
  f.tamper("UPDATE audit_log SET hash = '" + std::string(64, 'a') + "' WHERE seq = 3;");
  auto v = f.verify();
  REQUIRE_FALSE(v.ok);
  REQUIRE(*v.first_bad_seq == 3);
}

TEST_CASE("verification finds a deleted entry", "[audit_log]") {
  LogFixture f;
  f.tamper("DELETE FROM audit_log WHERE seq = 4;");
  auto v = f.verify();
  REQUIRE_FALSE(v.ok);
  REQUIRE(*v.first_bad_seq == 4);
  REQUIRE_THAT(v.problem, Catch::Contains("missing"));
}

TEST_CASE("verification finds reordered entries", "[audit_log]") {
  LogFixture f;
  f.tamper(
      "UPDATE audit_log SET seq = 100 WHERE seq = 2;"
      "UPDATE audit_log SET seq = 2 WHERE seq = 5;"
      "UPDATE audit_log SET seq = 5 WHERE seq = 100;");
  auto v = f.verify();
  REQUIRE_FALSE(v.ok);
  REQUIRE(*v.first_bad_seq == 2);
}

TEST_CASE("verification finds entries renumbered to hide a deletion", "[audit_log]") {
  LogFixture f;
  f.tamper(
      "DELETE FROM audit_log WHERE seq = 2; UPDATE audit_log SET seq = seq - 1 WHERE seq > 2;");
  auto v = f.verify();
  REQUIRE_FALSE(v.ok);
  REQUIRE(*v.first_bad_seq == 2);
}
