// The pathaudit binary, run for real against data directories in a temporary folder.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "test_support.h"

using pathaudit::testing::read_file;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace {

const std::string kPartnership =
    std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/partnerships/example.json";

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("version and help succeed and help lists every command", "[cli]") {
  auto v = run_pathaudit({"--version"});
  REQUIRE(v.status == 0);
  REQUIRE_THAT(v.out, Catch::StartsWith("pathaudit "));
  auto h = run_pathaudit({"--help"});
  REQUIRE(h.status == 0);
  for (const char* c : {"init", "verify-log"}) {
    INFO(c);
    REQUIRE_THAT(h.out, Catch::Contains(std::string("  ") + c + " "));
  }
}

TEST_CASE("every command's --help lists its options", "[cli]") {
  auto h = run_pathaudit({"init", "--help"});
  REQUIRE(h.status == 0);
  REQUIRE_THAT(h.out, Catch::Contains("--partnership"));
  REQUIRE_THAT(h.out, Catch::Contains("--data-dir"));
}

TEST_CASE("usage errors exit 64 with a one-line reason", "[cli]") {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"frobnicate"},
                                               {"init", "--bogus"},
                                               {"verify-log", "--data-dir"},
                                               {"init", "stray-argument"},
                                               {"verify-log", "--format", "csv"}}) {
    auto r = run_pathaudit(args);
    INFO(args[0] << " " << r.err);
    REQUIRE(r.status == 64);
    REQUIRE(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    REQUIRE_THAT(r.err, Catch::StartsWith("pathaudit: "));
  }
  REQUIRE(run_pathaudit({}).status == 64);
}

TEST_CASE("init creates a private data directory and says what it did", "[cli]") {
  TempDir tmp;
  const std::string dir = tmp / "data";
  auto r = run_pathaudit({"init", "--data-dir", dir, "--partnership", kPartnership});
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE_THAT(r.out, Catch::Contains("11 agencies"));
  REQUIRE(mode_of(dir) == 0700);
  REQUIRE(mode_of(dir + "/pathaudit.db") == 0600);
  REQUIRE(mode_of(dir + "/master.key") == 0400);
  REQUIRE(read_file(dir + "/master.key").size() == 32);
  REQUIRE_THAT(read_file(dir + "/pathaudit.properties"), Catch::Contains("master_key_file"));
}

TEST_CASE("init on an initialised directory changes nothing and says so", "[cli]") {
  TempDir tmp;
  const std::string dir = tmp / "data";
  REQUIRE(run_pathaudit({"init", "--data-dir", dir, "--partnership", kPartnership}).status == 0);
  const std::string key = read_file(dir + "/master.key");
  const std::string log_before = run_pathaudit({"verify-log", "--data-dir", dir}).out;
  auto again = run_pathaudit({"init", "--data-dir", dir, "--partnership", kPartnership});
  REQUIRE(again.status == 0);
  REQUIRE_THAT(again.out, Catch::Contains("already initialised; nothing changed"));
  REQUIRE(read_file(dir + "/master.key") == key);
  REQUIRE(run_pathaudit({"verify-log", "--data-dir", dir}).out == log_before);
}

TEST_CASE("a bad partnership file is refused with its JSON path and nothing is created", "[cli]") {
  TempDir tmp;
  const std::string file = tmp / "partnership.json";
  write_file(file, R"({"name": "P", "agencies": [{"code": "CSC", "name": "CSC", "kind": "csc"},
                     {"code": "X", "name": "Clinic", "kind": "hospital"}]})");
  const std::string dir = tmp / "data";
  auto r = run_pathaudit({"init", "--data-dir", dir, "--partnership", file});
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("partnership.json: $.agencies[1].kind: expected one of csc"));
  REQUIRE_FALSE(std::filesystem::exists(dir));

  write_file(file, R"({"name": "P", "agencies": [{"code": "csc", "name": "CSC", "kind": "csc"}]})");
  r = run_pathaudit({"init", "--data-dir", dir, "--partnership", file});
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("$.agencies[0].code"));

  write_file(file, R"({"name": "P", "agencies": [)");
  r = run_pathaudit({"init", "--data-dir", dir, "--partnership", file});
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("not valid JSON"));
  REQUIRE_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("the data directory defaults to $PATHAUDIT_DATA_DIR", "[cli]") {
  TempDir tmp;
  const std::string dir = tmp / "from-env";
  auto r = run_pathaudit({"init"}, {"PATHAUDIT_DATA_DIR=" + dir});
  REQUIRE(r.status == 0);
  REQUIRE(std::filesystem::exists(dir + "/pathaudit.db"));
  REQUIRE(run_pathaudit({"verify-log"}, {"PATHAUDIT_DATA_DIR=" + dir}).status == 0);
}

TEST_CASE("commands on a directory that is not initialised say how to fix it", "[cli]") {
  TempDir tmp;
  auto r = run_pathaudit({"verify-log", "--data-dir", tmp / "nothing"});
  REQUIRE(r.status == 1);
  REQUIRE_THAT(r.err, Catch::Contains("pathaudit init"));
}

TEST_CASE("verify-log reports the first broken entry", "[cli]") {
  TempDir tmp;
  const std::string dir = tmp / "data";
  REQUIRE(run_pathaudit({"init", "--data-dir", dir, "--partnership", kPartnership}).status == 0);
  auto ok = run_pathaudit({"verify-log", "--data-dir", dir});
  REQUIRE(ok.status == 0);
  REQUIRE_THAT(ok.out, Catch::StartsWith("OK: 1 entries"));
  auto sql = pathaudit::testing::run(
      {"sqlite3", dir + "/pathaudit.db",
       "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET outcome = 'forged' WHERE seq = 1;"});
  REQUIRE(sql.status == 0);
  auto bad = run_pathaudit({"verify-log", "--data-dir", dir});
  REQUIRE(bad.status == 1);
  REQUIRE_THAT(bad.out, Catch::StartsWith("BROKEN at entry 1"));
}

TEST_CASE("the audit log names the effective user, not what $USER claims", "[cli]") {
  TempDir tmp;
  const std::string dir = tmp / "data";
  const std::vector<std::string> forged{"USER=someone-else", "LOGNAME=someone-else"};
  // init records its entry through its own request; rotate-data-key through a Context.
  auto r = run_pathaudit({"init", "--data-dir", dir}, forged);
  INFO(r.err);
  REQUIRE(r.status == 0);
  r = run_pathaudit({"keys", "rotate-data-key", "--data-dir", dir}, forged);
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto sql = pathaudit::testing::run(
      {"sqlite3", dir + "/pathaudit.db",
       "SELECT DISTINCT actor FROM audit_log WHERE action IN ('init', 'keys.rotate-data-key')"});
  REQUIRE(sql.status == 0);
  const struct passwd* pw = ::getpwuid(::geteuid());
  const std::string expected = pw && pw->pw_name && *pw->pw_name
                                   ? std::string("cli:") + pw->pw_name
                                   : "cli:uid-" + std::to_string(::geteuid());
  REQUIRE(expected != "cli:someone-else");
  REQUIRE(sql.out == expected + "\n");
  REQUIRE(std::stoi(pathaudit::testing::run({"sqlite3", dir + "/pathaudit.db",
                                             "SELECT count(*) FROM audit_log WHERE action IN "
                                             "('init', 'keys.rotate-data-key')"})
                        .out) >= 2);
}
