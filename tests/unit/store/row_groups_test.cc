#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/errors.h"
#include "store/sqlite_statement.h"
#include "test_support.h"

using namespace pathaudit;

namespace {

// A plain SQLite file: RowGroups needs only a connection, not pathaudit's schema.
struct File {
  testing::TempDir dir;
  sqlite3* db = nullptr;
  File() {
    REQUIRE(sqlite3_open((dir / "rows.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)", nullptr,
                         nullptr, nullptr) == SQLITE_OK);
  }
  ~File() { sqlite3_close(db); }

  std::vector<std::pair<int, std::string>> rows() {
    std::vector<std::pair<int, std::string>> out;
    store::Statement st(db, "SELECT k, v FROM t ORDER BY k");
    while (st.row())
      out.emplace_back(sqlite3_column_int(st.get(), 0), store::column_text(st.get(), 1));
    return out;
  }
};

}  // namespace

TEST_CASE("row groups insert every row whatever the count against the statement size", "[store]") {
  // 0, fewer than one statement, exactly one, one and a short group, several: the last group's
  // shorter statement is the part that would drop or repeat rows if it were wrong.
  for (const std::size_t n : {0u, 1u, 3u, 4u, 5u, 9u, 12u}) {
    INFO("rows: " << n);
    File f;
    {
      store::RowGroups insert(f.db, "INSERT INTO t (k, v) VALUES", 2, 4);
      // Two writes through the same object: the kept full statement and the re-prepared short one
      // must both start from clean bindings.
      for (int pass = 0; pass < 2; ++pass) {
        insert.write(n, [&](sqlite3_stmt* st, std::size_t row, int first) {
          sqlite3_bind_int(st, first, static_cast<int>(pass * 100 + row));
          store::bind_text(st, first + 1, "v" + std::to_string(pass * 100 + row));
        });
      }
    }
    const auto got = f.rows();
    REQUIRE(got.size() == 2 * n);
    for (std::size_t i = 0; i < got.size(); ++i) {
      const int k = static_cast<int>(i < n ? i : 100 + (i - n));
      REQUIRE(got[i].first == k);
      REQUIRE(got[i].second == "v" + std::to_string(k));
    }
  }
}

TEST_CASE("row groups end each statement with the tail and report a failing row", "[store]") {
  File f;
  store::RowGroups upsert(f.db, "INSERT INTO t (k, v) VALUES", 2, 3,
                          "ON CONFLICT (k) DO UPDATE SET v = excluded.v");
  const std::vector<std::string> first = {"a", "b", "c", "d"};
  upsert.write(first.size(), [&](sqlite3_stmt* st, std::size_t row, int p) {
    sqlite3_bind_int(st, p, static_cast<int>(row));
    store::bind_text(st, p + 1, first[row]);
  });
  upsert.write(2, [&](sqlite3_stmt* st, std::size_t row, int p) {
    sqlite3_bind_int(st, p, static_cast<int>(row) * 3);  // keys 0 and 3: both exist
    store::bind_text(st, p + 1, "new");
  });
  REQUIRE(f.rows() ==
          std::vector<std::pair<int, std::string>>{{0, "new"}, {1, "b"}, {2, "c"}, {3, "new"}});

  // An empty string binds NULL, which the NOT NULL column refuses: the error reaches the caller.
  store::RowGroups plain(f.db, "INSERT INTO t (k, v) VALUES", 2, 3);
  REQUIRE_THROWS_AS(plain.write(1,
                                [](sqlite3_stmt* st, std::size_t, int p) {
                                  sqlite3_bind_int(st, p, 10);
                                  store::bind_text(st, p + 1, "");
                                }),
                    core::Error);
}
