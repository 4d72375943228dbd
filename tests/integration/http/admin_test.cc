// Administration and session over HTTP, end to end through the real `pathaudit serve`: accounts
// added, listed, disabled and reset (and what that does to their sessions), agencies listed and
// added, key status without key material, the audit log read, filtered and verified (and the read
// itself recorded), the CSRF token fetched again by a cookie session, and the browser UI's static
// files with their types and headers and a path traversal battery. Each endpoint has an
// authorisation matrix; refused writes are checked to have stored nothing.

#include <set>

#include "http_support.h"

using namespace pathaudit::http_test;  // NOLINT: test helpers

namespace {

// Accounts with every role of the matrix: admin, qa, csc.1 (auditor, CSC), police.1 (auditor,
// POLICE) and board.
class AdminAccounts : public Accounts {
 public:
  AdminAccounts() {
    add_user("police.1", "auditor", "POLICE");
    add_user("board", "board");
  }
  // `users list --format json` read back through the CLI, by username.
  std::map<std::string, Poco::JSON::Object::Ptr> users() const {
    auto r = cli({"users", "list", "--format", "json"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    Poco::JSON::Parser parser;
    auto rows = parser.parse(r.out).extract<Poco::JSON::Array::Ptr>();
    std::map<std::string, Poco::JSON::Object::Ptr> out;
    for (unsigned i = 0; i < rows->size(); ++i)
      out[rows->getObject(i)->getValue<std::string>("username")] = rows->getObject(i);
    return out;
  }
};

std::map<std::string, std::string> matrix_tokens(const Client& c) {
  return {{"admin", bearer_token(c, "admin")},       {"qa", bearer_token(c, "qa")},
          {"auditor_own", bearer_token(c, "csc.1")}, {"auditor_other", bearer_token(c, "police.1")},
          {"board", bearer_token(c, "board")},       {"anonymous", ""}};
}

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

std::string user_body(const std::string& username, const std::string& display_name,
                      const std::string& role, const std::string& agency,
                      const std::string& password) {
  Poco::JSON::Object o;
  o.set("username", username);
  o.set("display_name", display_name);
  o.set("role", role);
  if (!agency.empty())
    o.set("agency", agency);
  o.set("password", password);
  std::ostringstream s;
  o.stringify(s);
  return s.str();
}

std::string password_body(const std::string& password) {
  Poco::JSON::Object o;
  o.set("password", password);
  std::ostringstream s;
  o.stringify(s);
  return s.str();
}

void check_detail_names(const Reply& r, const std::string& what) {
  check_problem(r, 400, "validation");
  CHECK_THAT(r.json()->getValue<std::string>("detail"), Catch::Contains(what));
}

// The actions of an audit-log page, in the order given.
std::vector<std::string> actions(const Reply& r) {
  std::vector<std::string> out;
  auto items = r.json()->getArray("items");
  for (unsigned i = 0; i < items->size(); ++i)
    out.push_back(items->getObject(i)->getValue<std::string>("action"));
  return out;
}

}  // namespace

TEST_CASE("users over HTTP: added, listed, disabled, password reset, passwords never echoed",
          "[http][admin]") {
  AdminAccounts a;
  Server s(a.data());
  Client c(s.port(), a.cert());
  const std::string admin = bearer_token(c, "admin");

  // Added, with SQL metacharacters in the display name stored verbatim.
  const std::string odd_name = "O'Brien\"; DROP TABLE users; -- %_\\";
  Reply r = c.call("POST", "/api/v1/users",
                   user_body("new.one", odd_name, "auditor", "CSC", kPassword), bearer(admin));
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.json()->getValue<std::string>("username") == "new.one");
  CHECK(r.json()->getValue<std::string>("display_name") == odd_name);
  CHECK(r.json()->getValue<std::string>("role") == "auditor");
  CHECK(r.json()->getValue<std::string>("agency") == "CSC");
  CHECK(r.json()->getValue<std::string>("status") == "active");
  CHECK(!r.json()->has("password"));
  CHECK(r.body.find(kPassword) == std::string::npos);
  auto users = a.users();
  REQUIRE(users.count("new.one") == 1);
  CHECK(users["new.one"]->getValue<std::string>("display_name") == odd_name);
  CHECK(users.size() == 6);

  // Listed, by username, a page at a time; a board member without agency shows null.
  r = c.call("GET", "/api/v1/users?limit=2&offset=1", "", bearer(admin));
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<int>("total") == 6);
  auto items = r.json()->getArray("items");
  REQUIRE(items->size() == 2);
  CHECK(field(items, 0, "username") == "board");
  CHECK(field(items, 1, "username") == "csc.1");
  CHECK(items->getObject(0)->isNull("agency"));
  CHECK(r.body.find("password") == std::string::npos);
  CHECK(r.body.find("scrypt") == std::string::npos);

  // Bad input names the JSON path and stores nothing; a taken username is a conflict.
  check_detail_names(c.call("POST", "/api/v1/users",
                            user_body("bad.one", "Bad", "boss", "", kPassword), bearer(admin)),
                     "$.role");
  check_detail_names(c.call("POST", "/api/v1/users",
                            user_body("bad.one", "Bad", "auditor", "", kPassword), bearer(admin)),
                     "agency");
  check_detail_names(
      c.call("POST", "/api/v1/users",
             R"({"username": "bad.one", "display_name": "Bad", "role": "board"})", bearer(admin)),
      "\"password\" is missing");
  check_detail_names(
      c.call("POST", "/api/v1/users", user_body("bad.one", "Bad", "board", "", kPassword) + "x",
             bearer(admin)),
      "request body");
  check_detail_names(
      c.call("POST", "/api/v1/users",
             R"({"username": "bad.one", "display_name": "Bad", "role": "board", "password": ")" +
                 kPassword + R"(", "admin": true})",
             bearer(admin)),
      "admin");
  const std::string short_password = "short-pw-7";
  r = c.call("POST", "/api/v1/users", user_body("bad.one", "Bad", "board", "", short_password),
             bearer(admin));
  check_detail_names(r, "too short");
  CHECK(r.body.find(short_password) == std::string::npos);
  check_detail_names(c.call("POST", "/api/v1/users",
                            user_body("Bad One", "Bad", "board", "", kPassword), bearer(admin)),
                     "username");
  check_detail_names(
      c.call("POST", "/api/v1/users", user_body("bad.one", "Bad", "auditor", "NOPE", kPassword),
             bearer(admin)),
      "not an agency");
  check_problem(c.call("POST", "/api/v1/users",
                       user_body("qa", "Another QA", "qa_lead", "", kPassword), bearer(admin)),
                409, "conflict");
  users = a.users();
  CHECK(users.count("bad.one") == 0);
  CHECK(users.size() == 6);
  CHECK(users["qa"]->getValue<std::string>("display_name") == "Test qa");

  // Disabled: the account's session stops working at once; disabling again changes nothing.
  const std::string new_token = bearer_token(c, "new.one");
  REQUIRE(c.call("GET", "/api/v1/session", "", bearer(new_token)).status == 200);
  r = c.call("POST", "/api/v1/users/new.one/disable", "", bearer(admin));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<bool>("changed"));
  CHECK(r.json()->getValue<std::string>("status") == "disabled");
  check_problem(c.call("GET", "/api/v1/session", "", bearer(new_token)), 401, "unauthenticated");
  check_problem(c.call("POST", "/api/v1/session", login_body("new.one", kPassword)), 401,
                "unauthenticated");
  r = c.call("POST", "/api/v1/users/new.one/disable", "", bearer(admin));
  REQUIRE(r.status == 200);
  CHECK(!r.json()->getValue<bool>("changed"));
  CHECK(a.users()["new.one"]->getValue<std::string>("status") == "disabled");
  check_problem(c.call("POST", "/api/v1/users/nobody/disable", "", bearer(admin)), 404,
                "not-found");

  // Password reset: the old password and the account's sessions stop working, the new one works.
  const std::string new_password = "a quite different passphrase";
  REQUIRE(c.call("POST", "/api/v1/users",
                 user_body("reset.one", "Reset", "auditor", "POLICE", kPassword), bearer(admin))
              .status == 201);
  const std::string reset_token = bearer_token(c, "reset.one");
  r = c.call("POST", "/api/v1/users/reset.one/password", password_body(new_password),
             bearer(admin));
  INFO(r.body);
  REQUIRE(r.status == 204);
  CHECK(r.body.empty());
  check_problem(c.call("GET", "/api/v1/session", "", bearer(reset_token)), 401, "unauthenticated");
  check_problem(c.call("POST", "/api/v1/session", login_body("reset.one", kPassword)), 401,
                "unauthenticated");
  CHECK(c.call("POST", "/api/v1/session", login_body("reset.one", new_password)).status == 201);
  // A refused reset changes nothing: the new password still works.
  r = c.call("POST", "/api/v1/users/reset.one/password", password_body(short_password),
             bearer(admin));
  check_detail_names(r, "too short");
  CHECK(r.body.find(short_password) == std::string::npos);
  check_detail_names(
      c.call("POST", "/api/v1/users/reset.one/password", R"({"password": 12})", bearer(admin)),
      "$.password");
  check_problem(
      c.call("POST", "/api/v1/users/nobody/password", password_body(new_password), bearer(admin)),
      404, "not-found");
  CHECK(c.call("POST", "/api/v1/session", login_body("reset.one", new_password)).status == 201);

  // The audit log has each change, by user id; no password anywhere in the log or the answers.
  r = c.call("GET", "/api/v1/audit-log?action=user.reset-password", "", bearer(admin));
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<int>("total") == 1);
  CHECK(field(r.json()->getArray("items"), 0, "actor") == "user:admin");
  r = c.call("GET", "/api/v1/audit-log?action=user.disable", "", bearer(admin));
  CHECK(r.json()->getValue<int>("total") == 2);
  const std::string log = s.log();
  for (const auto& secret : {kPassword, new_password, short_password, admin, new_token})
    CHECK(log.find(secret) == std::string::npos);
  CHECK(log.find("POST /api/v1/users/{username}/password 204") != std::string::npos);
  CHECK(log.find("/api/v1/users/reset.one") == std::string::npos);

  // The authorisation matrix; refused writes store nothing.
  {
    const auto tokens = matrix_tokens(c);
    const std::string refused = user_body("refused.x", "Refused", "board", "", kPassword);
    check_matrix(c, tokens,
                 {
                     {"GET",
                      "/api/v1/users",
                      "",
                      {{"admin", 200},
                       {"qa", 403},
                       {"auditor_own", 403},
                       {"auditor_other", 403},
                       {"board", 403},
                       {"anonymous", 401}}},
                     {"POST",
                      "/api/v1/users",
                      refused,
                      {{"qa", 403},
                       {"auditor_own", 403},
                       {"auditor_other", 403},
                       {"board", 403},
                       {"anonymous", 401}}},
                     {"POST",
                      "/api/v1/users/qa/disable",
                      "",
                      {{"qa", 403},
                       {"auditor_own", 403},
                       {"auditor_other", 403},
                       {"board", 403},
                       {"anonymous", 401}}},
                     {"POST",
                      "/api/v1/users/board/password",
                      password_body(new_password),
                      {{"qa", 403},
                       {"auditor_own", 403},
                       {"auditor_other", 403},
                       {"board", 403},
                       {"anonymous", 401}}},
                     {"POST",
                      "/api/v1/users",
                      user_body("matrix.one", "Matrix", "board", "", kPassword),
                      {{"admin", 201}}},
                     {"POST",
                      "/api/v1/users/matrix.one/password",
                      password_body(new_password),
                      {{"admin", 204}}},
                     {"POST", "/api/v1/users/matrix.one/disable", "", {{"admin", 200}}},
                 });
    users = a.users();
    CHECK(users.count("refused.x") == 0);
    CHECK(users.count("matrix.one") == 1);
    CHECK(users["qa"]->getValue<std::string>("status") == "active");
    // The board member's password was not changed by anyone refused: it still signs in.
    CHECK(c.call("POST", "/api/v1/session", login_body("board", kPassword)).status == 201);
  }
}

TEST_CASE("agencies and keys over HTTP: every role reads agencies, admins add them and see keys",
          "[http][admin]") {
  AdminAccounts a;
  Server s(a.data());
  Client c(s.port(), a.cert());
  const auto tokens = matrix_tokens(c);
  const std::string admin = tokens.at("admin");

  Reply r = c.call("GET", "/api/v1/agencies", "", bearer(tokens.at("board")));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<int>("total") == 2);
  auto items = r.json()->getArray("items");
  CHECK(field(items, 0, "code") == "CSC");
  CHECK(field(items, 0, "name") == "Children's social care");
  CHECK(field(items, 0, "kind") == "csc");
  CHECK(field(items, 1, "code") == "POLICE");

  // Added by an admin, name stored verbatim; then an auditor can belong to it.
  const std::string odd = "St Mary's'; DELETE FROM agencies; --";
  Poco::JSON::Object body;
  body.set("code", "SCHOOL");
  body.set("name", odd);
  body.set("kind", "education");
  std::ostringstream text;
  body.stringify(text);
  r = c.call("POST", "/api/v1/agencies", text.str(), bearer(admin));
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.json()->getValue<std::string>("name") == odd);
  r = c.call("GET", "/api/v1/agencies", "", bearer(tokens.at("auditor_own")));
  REQUIRE(r.json()->getValue<int>("total") == 3);
  CHECK(field(r.json()->getArray("items"), 2, "name") == odd);
  CHECK(c.call("POST", "/api/v1/users",
               user_body("school.1", "Teacher", "auditor", "SCHOOL", kPassword), bearer(admin))
            .status == 201);

  check_problem(c.call("POST", "/api/v1/agencies", text.str(), bearer(admin)), 409, "conflict");
  check_detail_names(c.call("POST", "/api/v1/agencies",
                            R"({"code": "GP", "name": "GP", "kind": "surgery"})", bearer(admin)),
                     "kind");
  check_detail_names(c.call("POST", "/api/v1/agencies",
                            R"({"code": "gp x", "name": "GP", "kind": "health"})", bearer(admin)),
                     "code");
  check_detail_names(
      c.call("POST", "/api/v1/agencies", R"({"code": "GP", "kind": "health"})", bearer(admin)),
      "\"name\" is missing");

  // Keys: ids, purposes and states, never key material.
  r = c.call("GET", "/api/v1/keys", "", bearer(admin));
  INFO(r.body);
  REQUIRE(r.status == 200);
  items = r.json()->getArray("items");
  REQUIRE(items->size() >= 2);
  std::set<std::string> purposes;
  for (unsigned i = 0; i < items->size(); ++i) {
    auto k = items->getObject(i);
    std::vector<std::string> names;
    k->getNames(names);
    CHECK(
        std::set<std::string>(names.begin(), names.end()) ==
        std::set<std::string>{"id", "purpose", "state", "primary", "created_at", "sealed_fields"});
    purposes.insert(k->getValue<std::string>("purpose"));
    CHECK(k->getValue<std::string>("state") == "active");
    CHECK(k->getValue<bool>("primary"));
  }
  CHECK(purposes.count("field") == 1);
  CHECK(r.body.find("wrapped") == std::string::npos);
  // No long run of hex or base64 that could be key bytes.
  std::size_t run = 0, longest = 0;
  for (char ch : r.body) {
    run = std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '/' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  CHECK(longest < 24);

  const std::string refused = R"({"code": "REFUSED", "name": "Refused", "kind": "vcs"})";
  check_matrix(c, tokens,
               {
                   {"GET",
                    "/api/v1/agencies",
                    "",
                    {{"admin", 200},
                     {"qa", 200},
                     {"auditor_own", 200},
                     {"auditor_other", 200},
                     {"board", 200},
                     {"anonymous", 401}}},
                   {"POST",
                    "/api/v1/agencies",
                    refused,
                    {{"qa", 403},
                     {"auditor_own", 403},
                     {"auditor_other", 403},
                     {"board", 403},
                     {"anonymous", 401}}},
                   {"GET",
                    "/api/v1/keys",
                    "",
                    {{"admin", 200},
                     {"qa", 403},
                     {"auditor_own", 403},
                     {"auditor_other", 403},
                     {"board", 403},
                     {"anonymous", 401}}},
               });
  r = c.call("GET", "/api/v1/agencies", "", bearer(admin));
  CHECK(r.json()->getValue<int>("total") == 3);
  CHECK(r.body.find("REFUSED") == std::string::npos);
}

TEST_CASE("the audit log over HTTP: newest first, paged, filtered, verified, reads recorded",
          "[http][admin]") {
  AdminAccounts a;
  Server s(a.data());
  Client c(s.port(), a.cert());
  const auto tokens = matrix_tokens(c);  // five sign-ins
  const std::string admin = tokens.at("admin");
  const std::string qa = tokens.at("qa");
  REQUIRE(c.call("POST", "/api/v1/users",
                 user_body("temp.one", "Temporary", "board", "", kPassword), bearer(admin))
              .status == 201);
  REQUIRE(c.call("POST", "/api/v1/users/temp.one/disable", "", bearer(admin)).status == 200);

  Reply r = c.call("GET", "/api/v1/audit-log?limit=500", "", bearer(qa));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const int total = r.json()->getValue<int>("total");
  auto items = r.json()->getArray("items");
  REQUIRE(static_cast<int>(items->size()) == total);
  for (unsigned i = 1; i < items->size(); ++i)
    CHECK(items->getObject(i - 1)->getValue<std::int64_t>("seq") >
          items->getObject(i)->getValue<std::int64_t>("seq"));
  const auto all = actions(r);
  CHECK(all.front() == "user.disable");
  CHECK(std::count(all.begin(), all.end(), "session.create") == 5);
  CHECK(std::count(all.begin(), all.end(), "user.add") == 6);  // five by the CLI, one by HTTP
  CHECK(std::count(all.begin(), all.end(), "init") >= 1);
  std::vector<std::string> names;
  items->getObject(0)->getNames(names);
  CHECK(std::set<std::string>(names.begin(), names.end()) ==
        std::set<std::string>{"seq", "at", "actor", "action", "object", "outcome"});
  CHECK(r.body.find("prev_hash") == std::string::npos);
  CHECK(r.body.find(kPassword) == std::string::npos);

  // The read itself is recorded, so the next read sees it first.
  r = c.call("GET", "/api/v1/audit-log?limit=1", "", bearer(admin));
  REQUIRE(r.status == 200);
  CHECK(actions(r) == std::vector<std::string>{"audit_log.read"});
  CHECK(field(r.json()->getArray("items"), 0, "actor") == "user:qa");
  CHECK(r.json()->getValue<int>("total") == total + 1);

  // Pages walk the list without overlap.
  const auto first =
      c.call("GET", "/api/v1/audit-log?limit=2&offset=0&action=session.create", "", bearer(admin));
  const auto second =
      c.call("GET", "/api/v1/audit-log?limit=2&offset=2&action=session.create", "", bearer(admin));
  REQUIRE(first.status == 200);
  REQUIRE(second.status == 200);
  CHECK(first.json()->getValue<int>("total") == 5);
  CHECK(first.json()->getArray("items")->getObject(1)->getValue<std::int64_t>("seq") >
        second.json()->getArray("items")->getObject(0)->getValue<std::int64_t>("seq"));
  CHECK(actions(second) == std::vector<std::string>{"session.create", "session.create"});

  // Filters: actor, action and a time range; a date covers its whole day.
  r = c.call("GET", "/api/v1/audit-log?actor=user:admin&action=user.disable", "", bearer(admin));
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<int>("total") == 1);
  CHECK(field(r.json()->getArray("items"), 0, "object").rfind("user:", 0) == 0);
  const std::string at = field(r.json()->getArray("items"), 0, "at");
  r = c.call("GET", "/api/v1/audit-log?action=user.disable&since=" + at + "&until=" + at, "",
             bearer(admin));
  CHECK(r.json()->getValue<int>("total") == 1);
  r = c.call("GET",
             "/api/v1/audit-log?action=user.disable&since=" + at.substr(0, 10) +
                 "&until=" + at.substr(0, 10),
             "", bearer(admin));
  CHECK(r.json()->getValue<int>("total") == 1);
  r = c.call("GET", "/api/v1/audit-log?until=2000-01-01", "", bearer(admin));
  CHECK(r.json()->getValue<int>("total") == 0);
  r = c.call("GET", "/api/v1/audit-log?actor=user:nobody'%20OR%20'1'='1", "", bearer(admin));
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<int>("total") == 0);
  check_detail_names(c.call("GET", "/api/v1/audit-log?since=yesterday", "", bearer(admin)),
                     "since");
  check_detail_names(c.call("GET", "/api/v1/audit-log?until=2026-13-01", "", bearer(admin)),
                     "until");
  check_detail_names(c.call("GET", "/api/v1/audit-log?limit=0", "", bearer(admin)), "limit");

  // Verification: the chain is intact; its head is the last entry's hash.
  r = c.call("GET", "/api/v1/audit-log/verification", "", bearer(qa));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<bool>("ok"));
  CHECK(r.json()->getValue<int>("entries") >= total + 1);
  CHECK(r.json()->getValue<std::string>("head_hash").size() == 64);
  auto cli = a.cli({"verify-log"});
  CHECK(cli.status == 0);
  CHECK_THAT(cli.out, Catch::Contains(r.json()->getValue<std::string>("head_hash")));

  check_matrix(c, tokens,
               {
                   {"GET",
                    "/api/v1/audit-log",
                    "",
                    {{"admin", 200},
                     {"qa", 200},
                     {"auditor_own", 403},
                     {"auditor_other", 403},
                     {"board", 403},
                     {"anonymous", 401}}},
                   {"GET",
                    "/api/v1/audit-log/verification",
                    "",
                    {{"admin", 200},
                     {"qa", 200},
                     {"auditor_own", 403},
                     {"auditor_other", 403},
                     {"board", 403},
                     {"anonymous", 401}}},
               });
  // Each read answered 200 was recorded (nine above, two in the matrix); refusals and bad
  // parameters read nothing and recorded nothing.
  r = c.call("GET", "/api/v1/audit-log?action=audit_log.read", "", bearer(admin));
  CHECK(r.json()->getValue<int>("total") == 11);
}

TEST_CASE("a cookie session fetches its CSRF token again and a write accepts it", "[http][admin]") {
  AdminAccounts a;
  Server s(a.data());
  Client c(s.port(), a.cert());
  const Reply in = c.call("POST", "/api/v1/session", login_body("admin", kPassword));
  REQUIRE(in.status == 201);
  const std::string cookie = cookie_pair(in);
  const std::string csrf = in.json()->getValue<std::string>("csrf_token");

  // What a reloaded page does: ask for the session, with the cookie only.
  Reply r = c.call("GET", "/api/v1/session", "",
                   {{"Cookie", cookie}, {"Origin", "https://evil.example"}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("authentication") == "cookie");
  const std::string again = r.json()->getValue<std::string>("csrf_token");
  CHECK(again == csrf);
  // No CORS: another origin's page cannot read this answer.
  for (const auto& [name, value] : r.headers)
    CHECK(name.rfind("access-control-", 0) != 0);
  CHECK(r.header("cache-control") == "no-store");

  // The token fetched again is accepted on a write; a wrong one is refused and stores nothing.
  const std::string agency = R"({"code": "VCS", "name": "Voluntary sector", "kind": "vcs"})";
  check_problem(c.call("POST", "/api/v1/agencies", agency,
                       {{"Cookie", cookie}, {"X-CSRF-Token", std::string(64, 'a')}}),
                403, "csrf");
  CHECK(
      c.call("GET", "/api/v1/agencies", "", {{"Cookie", cookie}}).json()->getValue<int>("total") ==
      2);
  r = c.call("POST", "/api/v1/agencies", agency, {{"Cookie", cookie}, {"X-CSRF-Token", again}});
  INFO(r.body);
  CHECK(r.status == 201);
  CHECK(
      c.call("GET", "/api/v1/agencies", "", {{"Cookie", cookie}}).json()->getValue<int>("total") ==
      3);

  // Another session has another token; a bearer session has none to give.
  const Reply other = c.call("POST", "/api/v1/session", login_body("admin", kPassword));
  const std::string other_csrf =
      c.call("GET", "/api/v1/session", "", {{"Cookie", cookie_pair(other)}})
          .json()
          ->getValue<std::string>("csrf_token");
  CHECK(other_csrf == other.json()->getValue<std::string>("csrf_token"));
  CHECK(other_csrf != csrf);
  r = c.call("GET", "/api/v1/session", "", bearer(bearer_token(c, "admin")));
  REQUIRE(r.status == 200);
  CHECK(!r.json()->has("csrf_token"));
  CHECK(s.log().find(csrf) == std::string::npos);
}

TEST_CASE("static files: types, headers, and no way out of the web root", "[http][admin]") {
  AdminAccounts a;
  // A web root of our own, with a secret planted next to it and a symlink pointing at it.
  const std::string web = a.path("web");
  std::filesystem::create_directories(web + "/static/sub");
  write_file(web + "/index.html", "<!doctype html><title>t</title>INDEX-MARKER");
  const std::map<std::string, std::string> types{{"app.css", "text/css; charset=utf-8"},
                                                 {"app.js", "text/javascript; charset=utf-8"},
                                                 {"logo.svg", "image/svg+xml"},
                                                 {"logo.png", "image/png"},
                                                 {"font.woff2", "font/woff2"},
                                                 {"favicon.ico", "image/x-icon"},
                                                 {"page.html", "text/html; charset=utf-8"},
                                                 {"sub/deep.css", "text/css; charset=utf-8"}};
  for (const auto& [name, type] : types)
    write_file(web + "/static/" + name, "ASSET " + name);
  write_file(web + "/static/notes.txt", "TEXT-MARKER");
  write_file(web + "/static/.hidden.css", "HIDDEN-MARKER");
  write_file(a.path("secret.css"), "SECRET-MARKER");
  write_file(a.path("secret.txt"), "SECRET-MARKER");
  std::filesystem::create_symlink(a.path("secret.css"), web + "/static/leak.css");
  std::filesystem::create_symlink(a.path(""), web + "/static/up");
  Server s(a.data(), {}, {"PATHAUDIT_WEB_ROOT=" + web});
  Client c(s.port(), a.cert());

  Reply r = c.call("GET", "/");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.body.find("INDEX-MARKER") != std::string::npos);
  CHECK(r.header("content-type") == "text/html; charset=utf-8");
  CHECK(r.header("cache-control") == "no-cache");
  CHECK(r.header("content-security-policy") ==
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  CHECK(r.header("x-content-type-options") == "nosniff");
  CHECK(r.header("x-frame-options") == "DENY");
  CHECK(r.header("referrer-policy") == "no-referrer");
  CHECK(r.header("strict-transport-security") == "max-age=31536000");
  CHECK(r.headers.count("cache-control") == 1);

  for (const auto& [name, type] : types) {
    r = c.call("GET", "/static/" + name);
    INFO(name << " -> " << r.status << " " << r.body);
    CHECK(r.status == 200);
    CHECK(r.body == "ASSET " + name);
    CHECK(r.header("content-type") == type);
    CHECK(r.header("cache-control") == "public, max-age=3600");
    CHECK(r.headers.count("cache-control") == 1);
    CHECK(r.header("x-content-type-options") == "nosniff");
    CHECK(r.header("content-security-policy").find("default-src 'self'") == 0);
  }

  // Every spelling of a way out, and every file not on the list, is a plain 404.
  const std::vector<std::string> battery{
      "/static/../secret.css",
      "/static/../../secret.css",
      "/static/..%2fsecret.css",
      "/static/..%2F..%2Fsecret.css",
      "/static/%2e%2e/secret.css",
      "/static/%2E%2E/%2E%2E/secret.css",
      "/static/%2e%2e%2f%2e%2e%2fsecret.css",
      "/static/%252e%252e/secret.css",
      "/static/..\\secret.css",
      "/static/..%5c..%5csecret.css",
      "/static/%5c..%5csecret.css",
      "/static/%00../secret.css",
      "/static/app.css%00.png",
      "/static/app.css%00",
      "/static//etc/passwd",
      "/static/%2fetc%2fpasswd",
      "/static/%2F" + a.path("secret.css").substr(1),
      "/static/C:%5csecret.css",
      "/static/sub/../../secret.css",
      "/static/./app.css",
      "/static/sub/./deep.css",
      "/static/leak.css",
      "/static/up/secret.css",
      "/static/up/data/pathaudit.db",
      "/static/.hidden.css",
      "/static/notes.txt",
      "/static/missing.css",
      "/static/sub",
      "/static/sub/",
      "/static/app.css/",
      "/static/...",
      "/static/....//secret.css",
      "/static/%c0%ae%c0%ae/secret.css",
      "/static/..;/secret.css",
      "/../secret.css",
      "/%2e%2e/secret.css",
      "/index.html",
      "/static",
      "/secret.css",
  };
  for (const auto& target : battery) {
    r = c.call("GET", target);
    INFO(target << " -> " << r.status << " " << r.body);
    CHECK(r.status == 404);
    CHECK(r.header("content-type") == "application/problem+json");
    CHECK(r.body.find("MARKER") == std::string::npos);
    CHECK(r.body.find("ASSET") == std::string::npos);
  }
  // The secret is really there: only the root keeps it out.
  CHECK(read_file(a.path("secret.css")) == "SECRET-MARKER");
  CHECK(c.call("POST", "/static/app.css", "").status == 405);
  // Static files need no session, and the API still does.
  check_problem(c.call("GET", "/api/v1/users"), 401, "unauthenticated");
  CHECK(s.log().find("GET /static/{path} 200") != std::string::npos);
  CHECK(s.log().find("secret") == std::string::npos);
}

TEST_CASE("the default web root serves the UI's page and style sheet", "[http][admin]") {
  AdminAccounts a;
  Server s(a.data());
  Client c(s.port(), a.cert());
  Reply r = c.call("GET", "/");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/html; charset=utf-8");
  CHECK(r.body.find("/static/app.css") != std::string::npos);
  // The CSP forbids inline script and style: the page's one script is a file of its own.
  const std::string script = "<script type=\"module\" src=\"/static/app/main.js\"></script>";
  CHECK(r.body.find(script) != std::string::npos);
  CHECK(r.body.find("<script") == r.body.rfind("<script"));
  CHECK(r.body.find("<style") == std::string::npos);
  CHECK(r.body.find("style=") == std::string::npos);
  r = c.call("GET", "/static/app.css");
  CHECK(r.status == 200);
  CHECK(r.header("content-type") == "text/css; charset=utf-8");
  // GOV.UK Frontend is bundled into the build's web root, its asset URLs pointing there.
  r = c.call("GET", "/static/govuk/govuk-frontend.min.css");
  CHECK(r.status == 200);
  CHECK(r.body.find("url(/static/govuk/assets/fonts/") != std::string::npos);
  CHECK(r.body.find("url(/assets/") == std::string::npos);
  CHECK(c.call("GET", "/static/app/main.js").header("content-type") ==
        "text/javascript; charset=utf-8");
  check_problem(c.call("GET", "/static/../../CMakeLists.txt"), 404, "not-found");

  // The UI's files are for anyone (the page signs in through the API); the session for a session.
  const std::map<std::string, int> everyone{{"admin", 200},       {"qa", 200},
                                            {"auditor_own", 200}, {"auditor_other", 200},
                                            {"board", 200},       {"anonymous", 200}};
  auto signed_in = everyone;
  signed_in["anonymous"] = 401;
  check_matrix(c, matrix_tokens(c),
               {
                   {"GET", "/", "", everyone},
                   {"GET", "/static/app.css", "", everyone},
                   {"GET", "/api/v1/session", "", signed_in},
               });
}
