// Roles on the command line (DESIGN.md section 7): with `--as USER` a command acts as, and is
// limited to, that account; without it, as the operator. Each role is refused what is not its own
// (exit 1, the message names the role), a disabled account is refused everything, and what is done
// under --as is recorded in the audit log as user:<name> via the operator. Expected outcomes come
// from the role table and from sqlite3 queries, never from the code under test. Few accounts:
// scrypt is slow.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "test_support.h"

using pathaudit::testing::run;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::RunResult;
using pathaudit::testing::TempDir;

namespace {

const std::string kPassword = "correct horse battery staple";
const std::string kPartnership =
    std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/partnerships/example.json";
const std::string kTemplate =
    std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/csa-response-pathway/1.json";

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A command as typed, with the arguments it needs to get past its usage checks; `password`: it
// reads one from standard input.
struct Cmd {
  std::string name;
  std::vector<std::string> args;
  bool password = false;
};

const Cmd kAuditCreate{"audit create",
                       {"audit", "create", "--title", "Roles", "--template", "csa-response-pathway",
                        "--period-start", "2024-01-01", "--period-end", "2024-12-31"}};
const Cmd kAuditList{"audit list", {"audit", "list", "--format", "csv"}};
const Cmd kSample{"sample", {"sample", "--audit", "1", "--size", "1", "--seed", "1"}};
const Cmd kAssign{"assign", {"assign", "--audit", "1", "--qa-lead", "qa"}};
const Cmd kTemplatesImport{"templates import", {"templates", "import", kTemplate}};
const Cmd kMetrics{"metrics", {"metrics", "--format", "csv"}};
const Cmd kKeysStatus{"keys status", {"keys", "status", "--format", "csv"}};
const Cmd kUsersAdd{"users add",
                    {"users", "add", "--username", "new.user", "--display-name", "New User",
                     "--role", "board", "--password-stdin"},
                    true};
const Cmd kUsersList{"users list", {"users", "list", "--format", "csv"}};
const Cmd kVerifyLog{"verify-log", {"verify-log"}};

class DataDir {
 public:
  DataDir() {
    auto r = run_pathaudit({"init", "--data-dir", data(), "--partnership", kPartnership});
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  std::string data() const { return dir_ / "data"; }

  // As the operator when `user` is empty, else with --as user. A command that reads a password
  // gets one on standard input, through /bin/sh and printf so it never is an argument of pathaudit.
  RunResult run_as(const std::string& user, const Cmd& cmd) const {
    std::vector<std::string> args = cmd.args;
    args.insert(args.end(), {"--data-dir", data()});
    if (!user.empty())
      args.insert(args.end(), {"--as", user});
    if (!cmd.password)
      return run_pathaudit(args);
    std::string line =
        "printf '%s\\n' " + shell_quote(kPassword) + " | " + shell_quote(PATHAUDIT_BINARY);
    for (const auto& a : args)
      line += " " + shell_quote(a);
    return run({"/bin/sh", "-c", line});
  }
  RunResult cli(std::vector<std::string> args) const {
    return run_as("", Cmd{"", std::move(args)});
  }

  void add_user(const std::string& name, const std::string& role, const std::string& agency = "",
                const std::string& as = "") const {
    Cmd add{"users add",
            {"users", "add", "--username", name, "--display-name", "Test " + name, "--role", role,
             "--password-stdin"},
            true};
    if (!agency.empty())
      add.args.insert(add.args.end(), {"--agency", agency});
    auto r = run_as(as, add);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  void allowed(const std::string& user, const Cmd& cmd) const {
    auto r = run_as(user, cmd);
    INFO(user << ": " << cmd.name << ": " << r.err);
    REQUIRE(r.status == 0);
  }

  void refused(const std::string& user, const std::string& role, const Cmd& cmd) const {
    auto r = run_as(user, cmd);
    INFO(user << ": " << cmd.name << ": " << r.err);
    REQUIRE(r.status == 1);
    REQUIRE_THAT(r.err, Catch::Contains("has the role " + role));
  }

  // One column per field separated by '|', one line per row.
  std::string sql(const std::string& query) const {
    return pathaudit::testing::query_db(data() + "/pathaudit.db", query);
  }

 private:
  TempDir dir_;
};

}  // namespace

// `links` is not checked here: it is registered in src/cli/cmd_import.cc and takes no --as yet.

TEST_CASE("auditors and board members are refused QA lead and admin commands", "[cli][roles]") {
  DataDir d;
  d.add_user("alice", "auditor", "CSC");
  d.add_user("bob", "board");
  REQUIRE(d.cli(kTemplatesImport.args).status == 0);  // so audit create could otherwise succeed
  for (const auto& [user, role] :
       {std::pair<std::string, std::string>{"alice", "auditor"}, {"bob", "board"}}) {
    for (const Cmd& cmd :
         {kAuditCreate, kSample, kAssign, kTemplatesImport, kMetrics, kKeysStatus, kUsersAdd})
      d.refused(user, role, cmd);
  }
  REQUIRE(d.sql("SELECT count(*) FROM audits") == "0\n");
  REQUIRE(d.sql("SELECT count(*) FROM users") == "2\n");
}

TEST_CASE("an admin runs users, keys and verify-log but no audit work", "[cli][roles]") {
  DataDir d;
  d.add_user("root", "admin");
  REQUIRE(d.cli(kTemplatesImport.args).status == 0);
  for (const Cmd& cmd : {kUsersList, kKeysStatus, kVerifyLog})
    d.allowed("root", cmd);
  REQUIRE_THAT(d.run_as("root", kUsersList).out, Catch::Contains("root,Test root,admin"));
  for (const Cmd& cmd : {kAuditCreate, kMetrics, kTemplatesImport})
    d.refused("root", "admin", cmd);
  REQUIRE(d.sql("SELECT count(*) FROM audits") == "0\n");
}

TEST_CASE("a QA lead runs audits, metrics and verify-log but not users or keys", "[cli][roles]") {
  DataDir d;
  d.add_user("qa", "qa_lead");
  for (const Cmd& cmd : {kAuditList, kMetrics, kVerifyLog})
    d.allowed("qa", cmd);
  for (const Cmd& cmd : {kUsersAdd, kKeysStatus})
    d.refused("qa", "qa_lead", cmd);
  REQUIRE(d.sql("SELECT count(*) FROM users") == "1\n");
}

TEST_CASE("a disabled account is refused everything", "[cli][roles]") {
  DataDir d;
  d.add_user("gone", "qa_lead");
  REQUIRE(d.cli({"users", "disable", "gone"}).status == 0);
  for (const Cmd& cmd : {kAuditCreate, kAuditList, kSample, kAssign, kTemplatesImport, kMetrics,
                         kKeysStatus, kUsersAdd, kUsersList, kVerifyLog}) {
    auto r = d.run_as("gone", cmd);
    INFO(cmd.name << ": " << r.err);
    REQUIRE(r.status == 1);
    REQUIRE_THAT(r.err, Catch::Contains("gone is disabled"));
  }
}

TEST_CASE(
    "what is done under --as is logged as user:<name> via the operator, without it as the operator",
    "[cli][roles]") {
  DataDir d;
  d.add_user("qa", "qa_lead");
  d.add_user("root", "admin");
  d.allowed("qa", kTemplatesImport);
  d.allowed("qa", kAuditCreate);
  d.allowed("qa", Cmd{"flags recompute", {"flags", "recompute"}});
  d.add_user("new.user", "board", "", "root");
  d.allowed("root", Cmd{"users disable", {"users", "disable", "new.user"}});
  d.allowed("root", Cmd{"keys rotate-data-key", {"keys", "rotate-data-key"}});
  REQUIRE(d.cli(kAuditCreate.args).status == 0);

  auto actors = [&](const std::string& action) {
    return d.sql("SELECT actor FROM audit_log WHERE action = '" + action + "' ORDER BY seq");
  };
  // The account, and the operator who acted for it with --as.
  using Catch::Matches;
  REQUIRE_THAT(actors("templates.import"), Matches("user:qa via cli:[^\n|]+\n"));
  REQUIRE_THAT(actors("flags.compute"), Matches("user:qa via cli:[^\n|]+\n"));
  REQUIRE_THAT(actors("user.disable"), Matches("user:root via cli:[^\n|]+\n"));
  REQUIRE_THAT(actors("keys.rotate-data-key"), Matches("user:root via cli:[^\n|]+\n"));
  const std::string new_user = d.sql("SELECT id FROM users WHERE username = 'new.user'");
  REQUIRE(d.sql("SELECT actor FROM audit_log WHERE action = 'user.add' AND object = 'user:" +
                new_user.substr(0, new_user.size() - 1) + "'")
              .substr(0, 14) == "user:root via ");
  const std::string created = actors("audit.create");
  REQUIRE_THAT(created, Matches("user:qa via cli:[^\n|]+\ncli:[^\n|]+\n"));
  REQUIRE(d.sql("SELECT created_by FROM audits ORDER BY id").substr(0, 12) == "user:qa via ");
}
