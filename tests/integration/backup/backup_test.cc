// Backup, restore and retention end to end: the real pathaudit binary on a synthetic partnership
// in real data directories. Backups are taken while another process writes; restores are fed
// damaged, altered, newer and foreign backups and must refuse each one by name without touching
// the database; retention must remove one audit's content and nothing else, keep its figures,
// and leave no copy of the removed ciphertext in the database or its WAL. Expected values come
// from sqlite3 reads of the files and from sha256sum, never from the code under test.
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

using pathaudit::testing::read_file;
using pathaudit::testing::run;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::RunResult;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace fs = std::filesystem;

namespace {

const std::string kPassword = "correct horse battery staple";
const std::string kFill = std::string(PATHAUDIT_SOURCE_DIR) + "/scripts/demo-answers";
const std::string kTemplate =
    std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/csa-response-pathway/1.json";

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Rows of a query on any SQLite file, columns "|"-joined, blobs as hex; read-only.
std::string sql_on(const std::string& file, const std::string& query) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  // The writer of the first test case holds the write lock often; a reader may have to wait.
  sqlite3_busy_timeout(db, 30000);
  sqlite3_stmt* st = nullptr;
  INFO(query);
  const int rc = sqlite3_prepare_v2(db, query.c_str(), -1, &st, nullptr);
  INFO(sqlite3_errmsg(db));
  REQUIRE(rc == SQLITE_OK);
  std::string out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      out += c ? "|" : "";
      if (sqlite3_column_type(st, c) == SQLITE_BLOB) {
        const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(st, c));
        static const char* hex = "0123456789abcdef";
        out += "x";
        for (int i = 0; i < sqlite3_column_bytes(st, c); ++i)
          out += std::string{hex[p[i] >> 4], hex[p[i] & 15]};
      } else if (sqlite3_column_type(st, c) == SQLITE_NULL) {
        out += "NULL";
      } else {
        const auto* t = sqlite3_column_text(st, c);
        out += std::string(reinterpret_cast<const char*>(t));
      }
    }
    out += "\n";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

void exec_on(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

// Every table's rows, in rowid order, by table name.
std::map<std::string, std::string> dump_tables(const std::string& file) {
  std::map<std::string, std::string> out;
  std::string names =
      sql_on(file, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1");
  std::size_t start = 0;
  while (start < names.size()) {
    const std::size_t end = names.find('\n', start);
    const std::string t = names.substr(start, end - start);
    start = end + 1;
    out[t] = sql_on(file, "SELECT * FROM \"" + t + "\" ORDER BY rowid");
  }
  return out;
}

std::string sha256sum(const std::string& file) {
  auto r = run({"sha256sum", file});
  REQUIRE(r.status == 0);
  return r.out.substr(0, 64);
}

// The bytes of the database and of its WAL (if any), hashed: "untouched" means this is unchanged.
// An empty WAL is no WAL: SQLite removes or leaves one as connections come and go.
std::string db_state(const std::string& data) {
  std::string s = sha256sum(data + "/pathaudit.db");
  if (fs::exists(data + "/pathaudit.db-wal") && fs::file_size(data + "/pathaudit.db-wal") > 0)
    s += "+" + sha256sum(data + "/pathaudit.db-wal");
  return s;
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

int mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

class Partnership {
 public:
  // A synthetic partnership, imported; the default template; a QA lead, an admin, a board member
  // and an auditor each for CSC and POLICE.
  Partnership() {
    REQUIRE(run_pathaudit({"synth", "--seed", "5", "--children", "60", "--out", dir_ / "synth"})
                .status == 0);
    REQUIRE(cli({"init", "--partnership", dir_ / "synth/partnership.json"}).status == 0);
    std::vector<std::string> import{"import"};
    for (const auto& e : fs::directory_iterator(dir_ / "synth")) {
      if (e.path().filename().string().rfind("events-", 0) == 0)
        import.push_back(e.path().string());
    }
    auto r = cli(import);
    INFO(r.err);
    REQUIRE(r.status == 0);
    REQUIRE(cli({"templates", "import", kTemplate}).status == 0);
    add_user("qa", "qa_lead");
    add_user("admin", "admin");
    add_user("board", "board");
    add_user("csc.1", "auditor", "CSC");
    add_user("police.1", "auditor", "POLICE");
  }

  std::string data() const { return dir_ / "data"; }
  std::string db() const { return data() + "/pathaudit.db"; }
  std::string path(const std::string& name) const { return dir_ / name; }

  RunResult cli(std::vector<std::string> args) const {
    args.push_back("--data-dir");
    args.push_back(data());
    return run_pathaudit(std::move(args));
  }
  RunResult as(const std::string& user, std::vector<std::string> args) const {
    args.push_back("--as");
    args.push_back(user);
    return cli(std::move(args));
  }
  RunResult sh(const std::string& command) const { return run({"/bin/sh", "-c", command}); }
  std::string sql(const std::string& query) const { return sql_on(db(), query); }

  void add_user(const std::string& name, const std::string& role, const std::string& agency = "") {
    std::string cmd = "printf '%s\\n' " + shell_quote(kPassword) + " | " +
                      shell_quote(PATHAUDIT_BINARY) + " users add --data-dir " +
                      shell_quote(data()) + " --username " + name + " --display-name " +
                      shell_quote("Test " + name) + " --role " + role + " --password-stdin";
    if (!agency.empty())
      cmd += " --agency " + agency;
    auto r = sh(cmd);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  // A new audit of three cases, sampled and assigned; returns its id.
  std::string new_audit(const std::string& title, const std::string& seed) {
    REQUIRE(cli({"audit", "create", "--title", title, "--template", "csa-response-pathway",
                 "--period-start", "2022-01-01", "--period-end", "2027-12-31"})
                .status == 0);
    const std::string id = std::to_string(++audits_);
    REQUIRE(cli({"sample", "--audit", id, "--size", "3", "--seed", seed}).status == 0);
    auto r = cli({"assign", "--audit", id, "--qa-lead", "qa"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    return id;
  }

  // Completes, submits and accepts the audit's first assigned return, with `canary` as one of its
  // free-text answers, and adds an action; returns the review id.
  std::string complete_return(const std::string& audit, const std::string& canary) {
    // The audit's first primary return that has an auditor.
    const std::string row =
        sql("SELECT r.id || ' ' || u.username FROM reviews r JOIN assignments a ON a.id = "
            "r.assignment_id JOIN users u ON u.id = a.user_id JOIN sample_cases c ON c.id = "
            "a.sample_case_id JOIN samples s ON s.id = c.sample_id WHERE s.audit_id = " +
            audit + " AND a.kind = 'return' AND a.slot = 1 ORDER BY r.id LIMIT 1");
    REQUIRE(row.find(' ') != std::string::npos);
    const std::string id = row.substr(0, row.find(' '));
    const std::string auditor = row.substr(row.find(' ') + 1, row.size() - row.find(' ') - 2);
    REQUIRE(!id.empty());
    const std::string file = path("answers-" + id + ".json");
    auto res = sh(shell_quote(PATHAUDIT_BINARY) + " review form " + id + " --data-dir " +
                  shell_quote(data()) + " --as " + auditor + " --format json | /usr/bin/python3 " +
                  shell_quote(kFill) + " | /usr/bin/python3 -c " +
                  shell_quote("import json,sys; a=json.load(sys.stdin); "
                              "a['answers']['concern_arises.good_practice']=sys.argv[1]; "
                              "json.dump(a, sys.stdout)") +
                  " " + shell_quote(canary) + " > " + shell_quote(file));
    INFO(res.err);
    REQUIRE(res.status == 0);
    auto r = as(auditor, {"review", "answer", id, "--file", file});
    INFO(r.err);
    REQUIRE(r.status == 0);
    REQUIRE(as(auditor, {"review", "submit", id}).status == 0);
    REQUIRE(as("qa", {"review", "accept", id}).status == 0);
    write_file(path("action.txt"), "Action text for " + canary);
    r = as("qa", {"actions", "add", "--audit", audit, "--owner", "CSC", "--description-file",
                  path("action.txt")});
    INFO(r.err);
    REQUIRE(r.status == 0);
    return id;
  }

  // Everything in the data directory's database files.
  std::string database_bytes() const {
    std::string all;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      if (fs::exists(db() + suffix))
        all += read_file(db() + suffix);
    }
    return all;
  }

 private:
  TempDir dir_;
  int audits_ = 0;
};

// A writer in another process: creates audits in a loop until `stop` exists, and records any
// failed write in `failures`.
class WriterProcess {
 public:
  WriterProcess(const Partnership& p) {
    stop_ = p.path("stop-writer");
    failures_ = p.path("writer-failures");
    const std::string loop =
        "i=0; while [ ! -e " + shell_quote(stop_) + " ]; do " + shell_quote(PATHAUDIT_BINARY) +
        " audit create --data-dir " + shell_quote(p.data()) +
        " --title \"Loop $i\" --template csa-response-pathway --period-start 2022-01-01 "
        "--period-end 2027-12-31 >/dev/null 2>>" +
        shell_quote(failures_) + " || echo failed >> " + shell_quote(failures_) +
        "; i=$((i+1)); done";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl("/bin/sh", "sh", "-c", loop.c_str(), static_cast<char*>(nullptr));
      std::_Exit(127);
    }
  }
  ~WriterProcess() { stop(); }
  void stop() {
    if (pid_ <= 0)
      return;
    write_file(stop_, "");
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  std::string failures() const { return fs::exists(failures_) ? read_file(failures_) : ""; }

 private:
  pid_t pid_ = -1;
  std::string stop_, failures_;
};

// Another process with the database open and idle, as a running service has it, until destroyed.
// Held from a separate process because this one reads the database files with plain file I/O,
// and closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
// included.
class HolderProcess {
 public:
  explicit HolderProcess(const Partnership& p) {
    ready_ = p.path("holder-ready");
    stop_ = p.path("holder-stop");
    std::error_code ec;
    fs::remove(ready_, ec);
    fs::remove(stop_, ec);
    const std::string script =
        "import os, sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "c.execute('SELECT count(*) FROM audits').fetchall()\n"
        "open(sys.argv[2], 'w').close()\n"
        "while not os.path.exists(sys.argv[3]):\n"
        "    time.sleep(0.02)\n"
        "c.close()\n";
    const std::string db = p.db();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl("/usr/bin/python3", "python3", "-c", script.c_str(), db.c_str(), ready_.c_str(),
              stop_.c_str(), static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    while (!fs::exists(ready_)) {
      int status = 0;
      REQUIRE(::waitpid(pid_, &status, WNOHANG) == 0);  // it must not have died
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~HolderProcess() {
    write_file(stop_, "");
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  HolderProcess(const HolderProcess&) = delete;
  HolderProcess& operator=(const HolderProcess&) = delete;

 private:
  pid_t pid_ = -1;
  std::string ready_, stop_;
};

int count_audits(const Partnership& p) {
  return std::stoi(p.sql("SELECT count(*) FROM audits"));
}

// Waits until the writer has added `more` audits beyond `from` (no time limit is asserted: CTest's
// timeout bounds a writer that never writes).
void wait_for_writes(const Partnership& p, int from, int more) {
  while (count_audits(p) < from + more)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

TEST_CASE("a backup taken while another process writes is consistent and restores identically",
          "[backup]") {
  Partnership p;
  const std::string audit = p.new_audit("Backed up", "3");
  const std::string review = p.complete_return(audit, "Backupcanary answer text");
  const int before = count_audits(p);
  // A sign-in session (as `pathaudit serve` records one): a restore must not bring it back.
  exec_on(p.db(),
          "INSERT INTO sessions (token_hash, user_id, csrf_token_hash, created_at, last_seen_at, "
          "expires_at) SELECT x'01', min(id), x'02', '2026-12-01T00:00:00Z', "
          "'2026-12-01T00:00:00Z', '2099-01-01T00:00:00Z' FROM users");

  WriterProcess writer(p);
  wait_for_writes(p, before, 2);
  const std::string first = p.path("first.db"), second = p.path("second.db");
  auto r = p.as("admin", {"backup", "-o", first});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const int between = count_audits(p);
  wait_for_writes(p, between, 2);
  r = p.cli({"backup", "-o", second});
  INFO(r.err);
  REQUIRE(r.status == 0);
  wait_for_writes(p, count_audits(p), 1);
  writer.stop();
  CHECK(writer.failures().empty());

  for (const std::string& b : {first, second}) {
    INFO(b);
    // Private, one file, and a manifest that matches it.
    CHECK(mode_of(b) == 0600);
    CHECK(mode_of(b + ".manifest.json") == 0600);
    CHECK_FALSE(fs::exists(b + "-wal"));
    const std::string manifest = read_file(b + ".manifest.json");
    CHECK_THAT(manifest, Catch::Contains("\"sha256\": \"" + sha256sum(b) + "\""));
    CHECK_THAT(manifest, Catch::Contains("\"master_key_included\": false"));
    CHECK(sql_on(b, "PRAGMA integrity_check") == "ok\n");
    // One commit's snapshot: every audit in the copy has its audit-log entry, and no entry lacks
    // its audit (an act and its entry commit together).
    CHECK(sql_on(b, "SELECT count(*) FROM audits") ==
          sql_on(b, "SELECT count(*) FROM audit_log WHERE action = 'audit.create'"));
    const std::string head = sql_on(b, "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    CHECK_THAT(manifest, Catch::Contains(head.substr(0, 64)));
    // No backup holds the master key.
    CHECK(read_file(b).find(read_file(p.data() + "/master.key")) == std::string::npos);
  }
  // The backup is in the live audit log, with its hash.
  CHECK_THAT(p.sql("SELECT outcome FROM audit_log WHERE action = 'backup.create'"),
             Catch::Contains(sha256sum(first)));
  // Taken mid-stream: the second copy has audits the first has not.
  CHECK(std::stoi(sql_on(second, "SELECT count(*) FROM audits")) >
        std::stoi(sql_on(first, "SELECT count(*) FROM audits")));

  // Onto a new machine: a directory that does not exist, with the master key named.
  const std::string fresh = p.path("fresh");
  r = run_pathaudit({"restore", "--data-dir", fresh, "--from", first, "--master-key-file",
                     p.data() + "/master.key", "--confirm"});
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  CHECK(mode_of(fresh) == 0700);
  CHECK(mode_of(fresh + "/pathaudit.db") == 0600);
  auto v = run_pathaudit({"verify-log", "--data-dir", fresh});
  INFO(v.out + v.err);
  CHECK(v.status == 0);
  // Identical to the backup, table by table, but for the restore's own audit-log entry.
  const auto restored = dump_tables(fresh + "/pathaudit.db");
  const auto backed_up = dump_tables(first);
  REQUIRE(restored.size() == backed_up.size());
  for (const auto& [table, rows] : backed_up) {
    INFO(table);
    if (table == "audit_log") {
      REQUIRE(restored.at(table).size() > rows.size());
      CHECK(restored.at(table).substr(0, rows.size()) == rows);
      CHECK_THAT(restored.at(table).substr(rows.size()),
                 Catch::Contains("backup.restore") && Catch::Contains("1 sign-in sessions ended"));
    } else if (table == "sessions") {
      CHECK(!rows.empty());
      CHECK(restored.at(table).empty());
    } else if (table == "session_epoch") {
      // Ending those sessions raised the epoch (src/service/session_cache.h): "1|<value>".
      CHECK(std::stoll(restored.at(table).substr(2)) > std::stoll(rows.substr(2)));
    } else {
      CHECK(restored.at(table) == rows);
    }
  }
  // The restored data opens: the return's sealed answers read back under the same master key.
  auto shown = run_pathaudit({"review", "show", review, "--data-dir", fresh, "--format", "json"});
  INFO(shown.err);
  CHECK(shown.status == 0);
  CHECK_THAT(shown.out, Catch::Contains("Backupcanary answer text"));

  // Over the live directory (the writer has stopped): the old database is kept aside.
  r = p.cli({"restore", "--from", second, "--confirm"});
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  CHECK(p.cli({"verify-log"}).status == 0);
  CHECK(p.sql("SELECT count(*) FROM audits") == sql_on(second, "SELECT count(*) FROM audits"));
  CHECK_THAT(p.sql("SELECT actor || ' ' || action FROM audit_log ORDER BY seq DESC LIMIT 1"),
             Catch::Contains("backup.restore"));
  int kept = 0;
  for (const auto& e : fs::directory_iterator(p.data()))
    kept += e.path().filename().string().rfind("pathaudit.db.pre-restore-", 0) == 0 ? 1 : 0;
  CHECK(kept == 1);
}

TEST_CASE("restore refuses a damaged, altered, newer or foreign backup and changes nothing",
          "[backup]") {
  Partnership p;
  p.complete_return(p.new_audit("Refusals", "4"), "Refusalcanary");
  const std::string good = p.path("good.db");
  REQUIRE(p.cli({"backup", "-o", good}).status == 0);
  const std::string good_sha = sha256sum(good);
  const std::string state = db_state(p.data());

  // A copy of the good backup with its manifest, altered by `edit`, with the manifest's SHA-256
  // made to match again when `fix_sha`.
  int n = 0;
  auto variant = [&](const std::function<void(const std::string&)>& edit, bool fix_sha) {
    const std::string file = p.path("variant-" + std::to_string(++n) + ".db");
    fs::copy_file(good, file);
    std::string manifest = read_file(good + ".manifest.json");
    edit(file);
    if (fix_sha) {
      const auto at = manifest.find(good_sha);
      REQUIRE(at != std::string::npos);
      manifest.replace(at, 64, sha256sum(file));
    }
    write_file(file + ".manifest.json", manifest);
    return file;
  };
  auto expect_refused = [&](const std::string& file, const std::string& why,
                            std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"restore", "--from", file, "--confirm"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = p.cli(args);
    INFO(r.out + r.err);
    CHECK(r.status == 65);
    CHECK_THAT(r.err, Catch::Contains("restore refused") && Catch::Contains(why));
    CHECK(db_state(p.data()) == state);
    for (const auto& e : fs::directory_iterator(p.data()))
      CHECK(e.path().filename().string().find(".restore-") == std::string::npos);
  };

  SECTION("bytes flipped after the backup was made") {
    const std::string f = variant(
        [](const std::string& file) {
          std::string bytes = read_file(file);
          for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 16; ++i)
            bytes[i] = static_cast<char>(~bytes[i]);
          write_file(file, bytes);
        },
        false);
    expect_refused(f, "does not match the SHA-256 in its manifest");
  }
  SECTION("a damaged file whose manifest was made to match") {
    // An index that no longer matches its table: the file opens and every table reads, so only
    // the integrity check can catch it.
    const std::string f = variant(
        [](const std::string& file) {
          exec_on(file,
                  "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = 'CREATE INDEX "
                  "event_links_child ON event_links(tier)' WHERE name = 'event_links_child'");
        },
        true);
    expect_refused(f, "failed the integrity check (PRAGMA integrity_check: ");
  }
  SECTION("a schema newer than this binary") {
    const std::string f = variant(
        [](const std::string& file) {
          exec_on(file, "INSERT INTO schema_migrations VALUES (99, 'from the future', 'x')");
        },
        true);
    expect_refused(f, "schema version 99, newer than this pathaudit understands");
  }
  SECTION("an audit log whose chain was broken") {
    const std::string f = variant(
        [](const std::string& file) {
          exec_on(file,
                  "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET outcome = 'ok: nothing' "
                  "WHERE seq = 2");
        },
        true);
    expect_refused(f, "audit log in " + f + " is broken at entry 2");
  }
  SECTION("a master key that is not the backup's") {
    const std::string other = p.path("other.key");
    write_file(other, std::string(32, '\x42'));
    ::chmod(other.c_str(), 0400);
    expect_refused(good, "does not unwrap the data keys", {"--master-key-file", other});
  }
  SECTION("no manifest") {
    const std::string f = p.path("bare.db");
    fs::copy_file(good, f);
    expect_refused(f, "manifest.json is missing");
  }
  SECTION("a dry run verifies and changes nothing") {
    auto r = p.cli({"restore", "--from", good});
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("dry run") && Catch::Contains("nothing changed"));
    CHECK(db_state(p.data()) == state);
  }
  SECTION("a database another process has open") {
    HolderProcess other(p);
    const std::string held = db_state(p.data());
    auto r = p.cli({"restore", "--from", good, "--confirm"});
    INFO(r.out + r.err);
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("in use by another process"));
    CHECK(db_state(p.data()) == held);
  }
}

TEST_CASE(
    "backup, restore and retention are refused to the wrong roles, and files are never overwritten",
    "[backup][retention]") {
  Partnership p;
  const std::string audit = p.new_audit("Roles", "5");
  const std::string out = p.path("b.db");
  write_file(out, "already here");
  auto r = p.as("admin", {"backup", "-o", out});
  CHECK(r.status == 65);
  CHECK_THAT(r.err, Catch::Contains("exists already: pathaudit never overwrites a file"));
  CHECK(read_file(out) == "already here");
  CHECK_FALSE(fs::exists(out + ".manifest.json"));

  const std::string fresh = p.path("b2.db");
  for (const char* user : {"qa", "board", "csc.1"}) {
    r = p.as(user, {"backup", "-o", fresh});
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("making a backup is for admins"));
  }
  CHECK_FALSE(fs::exists(fresh));
  REQUIRE(p.as("admin", {"backup", "-o", fresh}).status == 0);
  r = p.as("qa", {"restore", "--from", fresh, "--confirm"});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("restoring a backup is for admins"));

  r = p.as("admin", {"retention", "set", "--audit", audit, "--until", "2020-01-01"});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("is for QA leads; admin has the role admin"));
  r = p.as("qa", {"retention", "set", "--audit", audit, "--until", "2020-02-30"});
  CHECK(r.status == 65);
  REQUIRE(p.as("qa", {"retention", "set", "--audit", audit, "--until", "2020-01-01"}).status == 0);
  r = p.as("qa", {"retention", "apply", "--confirm"});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("applying retention is for admins"));
  for (const char* user : {"board", "csc.1"}) {
    r = p.as(user, {"retention", "list"});
    CHECK(r.status == 1);
  }
  CHECK(p.as("admin", {"retention", "list"}).status == 0);
  CHECK(p.sql("SELECT content_removed_at FROM audits WHERE id = " + audit) == "NULL\n");
}

TEST_CASE("retention removes the expired audit's content only, keeps its figures, leaves no trace",
          "[retention]") {
  Partnership p;
  const std::string expired = p.new_audit("Expired", "6");
  const std::string kept = p.new_audit("Kept", "7");
  const std::string gone_text = "Retentioncanary expired audit";
  const std::string kept_text = "Retentioncanary kept audit";
  const std::string gone_review = p.complete_return(expired, gone_text);
  const std::string kept_review = p.complete_return(kept, kept_text);
  REQUIRE(p.as("qa", {"retention", "set", "--audit", expired, "--until", "2020-01-01"}).status ==
          0);
  REQUIRE(p.as("qa", {"retention", "set", "--audit", kept, "--until", "2099-12-31"}).status == 0);

  auto collate = [&](const std::string& id) {
    auto r = p.as("qa", {"audit", "collate", id, "--format", "json"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    return r.out;
  };
  const std::string expired_figures = collate(expired), kept_figures = collate(kept);
  auto sealed_of = [&](const std::string& review) {
    return p.sql("SELECT hex(value_sealed) FROM answers WHERE review_id = " + review +
                 " AND question_id = 'concern_arises.good_practice'");
  };
  // The canaries' ciphertexts, as they sit in the database.
  const std::string gone_cipher = from_hex(sealed_of(gone_review).substr(0, 2 * 60));
  const std::string kept_cipher = from_hex(sealed_of(kept_review).substr(0, 2 * 60));
  REQUIRE(gone_cipher.size() == 60);
  const std::string kept_rows =
      p.sql("SELECT * FROM answers WHERE review_id = " + kept_review + " ORDER BY id");
  const std::string kept_actions =
      p.sql("SELECT * FROM actions WHERE audit_id = " + kept + " ORDER BY id");
  // The scan can see ciphertext: both are on disk before (checkpointed into the file or in WAL).
  REQUIRE(p.database_bytes().find(gone_cipher) != std::string::npos);

  // Dry run: counts of the expired audit only; nothing changes, nothing is logged.
  const std::string before = db_state(p.data());
  auto r = p.as("admin", {"retention", "apply", "--format", "csv"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::StartsWith("audit,until,answers,"));
  CHECK_THAT(r.out, Catch::Contains("\n" + expired + ",2020-01-01,"));
  CHECK(r.out.find("\n" + kept + ",") == std::string::npos);
  CHECK(r.out.find("Retentioncanary") == std::string::npos);
  CHECK_THAT(r.err, Catch::Contains("dry run"));
  CHECK(db_state(p.data()) == before);

  // Another process (as the service would be) has the database open throughout, so SQLite's
  // checkpoint when the last connection closes cannot hide a WAL that apply left full.
  std::optional<HolderProcess> service;
  service.emplace(p);
  r = p.as("admin", {"retention", "apply", "--confirm"});
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);

  // The expired audit's sealed content is gone; its action says why; the other audit is as it was.
  CHECK(p.sql("SELECT count(*) FROM answers WHERE review_id IN (SELECT r.id FROM reviews r JOIN "
              "assignments a ON a.id = r.assignment_id JOIN sample_cases c ON c.id = "
              "a.sample_case_id JOIN samples s ON s.id = c.sample_id WHERE s.audit_id = " +
              expired + ") AND value_sealed IS NOT NULL") == "0\n");
  CHECK(p.sql("SELECT * FROM answers WHERE review_id = " + kept_review + " ORDER BY id") ==
        kept_rows);
  CHECK(p.sql("SELECT * FROM actions WHERE audit_id = " + kept + " ORDER BY id") == kept_actions);
  auto actions = p.as("qa", {"actions", "list", "--audit", expired, "--format", "csv"});
  CHECK(actions.status == 0);
  CHECK_THAT(actions.out, Catch::Contains("removed on"));
  CHECK(actions.out.find("Retentioncanary") == std::string::npos);
  auto shown = p.as("qa", {"review", "show", gone_review, "--format", "json"});
  CHECK(shown.status == 0);
  CHECK(shown.out.find(gone_text) == std::string::npos);
  auto still = p.as("qa", {"review", "show", kept_review, "--format", "json"});
  CHECK_THAT(still.out, Catch::Contains(kept_text));

  // The figures later audits compare against are unchanged.
  CHECK(collate(expired) == expired_figures);
  CHECK(collate(kept) == kept_figures);
  CHECK(p.as("qa", {"audit", "compare", expired, kept}).status == 0);

  // Logged with counts, never content; the chain still verifies.
  const std::string log = p.sql(
      "SELECT action || ' ' || object || ' ' || outcome FROM audit_log WHERE action LIKE "
      "'retention.%'");
  CHECK_THAT(log, Catch::Contains("retention.apply audit:" + expired +
                                  " ok: retention date 2020-01-01; ") &&
                      Catch::Contains(" answers, "));
  CHECK(log.find("audit:" + kept + " ok: retention date") == std::string::npos);
  CHECK(log.find("Retentioncanary") == std::string::npos);
  CHECK(p.cli({"verify-log"}).status == 0);

  // No copy of the removed ciphertext is left in the database or its WAL; the kept one is there,
  // so the scan would have found the other.
  const std::string bytes = p.database_bytes();
  CHECK(bytes.find(gone_cipher) == std::string::npos);
  CHECK(bytes.find(kept_cipher) != std::string::npos);
  service.reset();

  auto list = p.as("qa", {"retention", "list", "--format", "csv"});
  CHECK_THAT(list.out, Catch::Contains(expired + ",Expired,2020-01-01,removed,"));
  CHECK_THAT(list.out, Catch::Contains(kept + ",Kept,2099-12-31,kept,"));
  // Done once: nothing more is due, and the date of a removed audit no longer changes.
  r = p.as("admin", {"retention", "apply", "--confirm", "--format", "csv"});
  CHECK(r.status == 0);
  CHECK(r.out ==
        "audit,until,answers,qa_comments,rationales,learning,concerns,actions,"
        "export_reasons\n");
  r = p.as("qa", {"retention", "set", "--audit", expired, "--until", "2030-01-01"});
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("was removed on"));
}
