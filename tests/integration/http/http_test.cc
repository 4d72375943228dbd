// The HTTPS service end to end: the real `pathaudit serve` binary on an ephemeral loopback port,
// with the certificate `init` made, spoken to by a TLS client that trusts exactly that certificate
// (verification on). Sign-in, lockout, cookies and CSRF, bearer tokens, expiry, limits, errors as
// problem+json, security headers, object authorisation on reviews, a review answered and submitted
// over HTTP and read back with the CLI, plain HTTP only on loopback, graceful SIGTERM, and nothing
// secret in the server's log.

#include "http_support.h"

using namespace pathaudit::http_test;  // NOLINT: test helpers

TEST_CASE("init makes a certificate, the client verifies it and refuses another", "[http]") {
  Accounts a;
  struct stat st {};
  REQUIRE(::stat((a.data() + "/tls-key.pem").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0400);
  CHECK(read_file(a.cert()).find("BEGIN CERTIFICATE") != std::string::npos);

  // Re-running init leaves the pair alone; removing it and re-running makes a new one.
  const std::string before = read_file(a.cert());
  auto r = a.cli({"init"});
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("nothing changed"));
  CHECK(read_file(a.cert()) == before);
  std::filesystem::permissions(a.data() + "/tls-key.pem", std::filesystem::perms::owner_all);
  std::filesystem::remove(a.data() + "/tls-key.pem");
  std::filesystem::remove(a.cert());
  r = a.cli({"init"});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("created self-signed TLS certificate"));
  CHECK(read_file(a.cert()) != before);

  // A key every user can read is refused.
  std::filesystem::permissions(a.data() + "/tls-key.pem", std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  r = a.cli({"serve", "--listen", "127.0.0.1:0"});
  CHECK(r.status == 65);
  CHECK_THAT(r.err, Catch::Contains("is readable by every user"));
  std::filesystem::permissions(a.data() + "/tls-key.pem", std::filesystem::perms::others_read,
                               std::filesystem::perm_options::remove);

  Server s(a.data());
  CHECK(s.url().rfind("https://127.0.0.1:", 0) == 0);
  const Reply health = Client(s.port(), a.cert()).call("GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "ok\n");
  check_security_headers(health);

  // A client trusting some other certificate must not get through.
  TempDir other;
  pathaudit::crypto::create_self_signed_certificate(other / "cert.pem", other / "key.pem");
  CHECK_THROWS_AS(Client(s.port(), other / "cert.pem").call("GET", "/healthz"),
                  Poco::Net::SSLException);
  CHECK(s.stop() == 0);
}

TEST_CASE("sign-in: one answer for every refusal, lockout, cookie flags, logout", "[http]") {
  Accounts a;
  Server s(a.data(), {}, {"PATHAUDIT_LOGIN_MAX_FAILURES=3"});
  Client c(s.port(), a.cert());

  const Reply wrong = c.call("POST", "/api/v1/session", login_body("qa", "not the password!"));
  const Reply unknown = c.call("POST", "/api/v1/session", login_body("nobody", kPassword));
  check_problem(wrong, 401, "unauthenticated");
  CHECK(wrong.body == unknown.body);
  CHECK(wrong.header("set-cookie").empty());

  // Signing in: the cookie is HttpOnly, Secure, SameSite=Strict, Path=/; the CSRF token is in the
  // body; the session names the user.
  Reply ok = c.call("POST", "/api/v1/session", login_body("qa", kPassword));
  INFO(ok.body);
  REQUIRE(ok.status == 201);
  check_security_headers(ok);
  const std::string set_cookie = ok.header("set-cookie");
  CHECK(set_cookie.rfind("pathaudit_session=", 0) == 0);
  for (const char* flag : {"; HttpOnly", "; Secure", "; SameSite=Strict", "; Path=/"})
    CHECK_THAT(set_cookie, Catch::Contains(flag));
  const std::string cookie = cookie_pair(ok);
  const std::string token = cookie.substr(cookie.find('=') + 1);
  CHECK(token.size() >= 32);
  const std::string csrf = ok.json()->getValue<std::string>("csrf_token");
  CHECK(csrf.size() >= 32);
  Reply me = c.call("GET", "/api/v1/session", "", {{"Cookie", cookie}});
  REQUIRE(me.status == 200);
  CHECK(me.json()->getObject("user")->getValue<std::string>("username") == "qa");
  CHECK(me.json()->getObject("user")->getValue<std::string>("role") == "qa_lead");

  // The session is stored only as a hash.
  CHECK(read_file(a.data() + "/pathaudit.db").find(token) == std::string::npos);

  // Lockout: three wrong passwords, then the right one is refused with the same answer.
  for (int i = 0; i < 3; ++i)
    check_problem(c.call("POST", "/api/v1/session", login_body("csc.1", "wrong password here")),
                  401, "unauthenticated");
  const Reply locked = c.call("POST", "/api/v1/session", login_body("csc.1", kPassword));
  CHECK(locked.status == 401);
  CHECK(locked.body == wrong.body);
  // Another account is unaffected.
  CHECK(c.call("POST", "/api/v1/session", login_body("admin", kPassword)).status == 201);

  // Logout with the cookie needs the CSRF header; then the session is gone.
  check_problem(c.call("DELETE", "/api/v1/session", "", {{"Cookie", cookie}}), 403, "csrf");
  check_problem(c.call("DELETE", "/api/v1/session", "",
                       {{"Cookie", cookie}, {"X-CSRF-Token", std::string(64, '0')}}),
                403, "csrf");
  CHECK(c.call("GET", "/api/v1/session", "", {{"Cookie", cookie}}).status == 200);
  const Reply out =
      c.call("DELETE", "/api/v1/session", "", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  CHECK(out.status == 204);
  CHECK_THAT(out.header("set-cookie"), Catch::Contains("Max-Age=0"));
  check_problem(c.call("GET", "/api/v1/session", "", {{"Cookie", cookie}}), 401, "unauthenticated");
  check_problem(c.call("GET", "/api/v1/session", "", {{"Authorization", "Bearer " + token}}), 401,
                "unauthenticated");

  // Bearer sessions need no CSRF token.
  const std::string bearer = bearer_token(c, "qa");
  me = c.call("GET", "/api/v1/session", "", {{"Authorization", "Bearer " + bearer}});
  REQUIRE(me.status == 200);
  CHECK(me.json()->getValue<std::string>("authentication") == "bearer");
  CHECK(c.call("DELETE", "/api/v1/session", "", {{"Authorization", "Bearer " + bearer}}).status ==
        204);
  CHECK(c.call("GET", "/api/v1/session", "", {{"Authorization", "Bearer " + bearer}}).status ==
        401);

  // Nothing secret reached the log.
  CHECK(s.stop() == 0);
  const std::string log = s.log();
  CHECK(!log.empty());
  for (const std::string& secret :
       {token, csrf, bearer, kPassword, std::string("not the password!"),
        std::string("wrong password here")})
    CHECK(log.find(secret) == std::string::npos);
}

TEST_CASE("an idle session expires", "[http]") {
  Accounts a;
  Server s(a.data(), {}, {"PATHAUDIT_SESSION_IDLE_SECONDS=2"});
  Client c(s.port(), a.cert());
  const std::string token = bearer_token(c, "qa");
  CHECK(c.call("GET", "/api/v1/session", "", {{"Authorization", "Bearer " + token}}).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  check_problem(c.call("GET", "/api/v1/session", "", {{"Authorization", "Bearer " + token}}), 401,
                "unauthenticated");
  // Signing in again works.
  CHECK(c.call("POST", "/api/v1/session", login_body("qa", kPassword)).status == 201);
}

// The server keeps the sessions it resolved for a moment (src/service/session_cache.h). Each way
// of ending a session or changing its account, through the API, through the CLI while the server
// runs (another process), or by a restore, must reach the very next request. Each token is used
// twice first, so the second answer came from the cache.
TEST_CASE("a revoked session is refused on the very next request, though the server cached it",
          "[http]") {
  Accounts a;
  a.add_user("board.1", "board");
  a.add_user("csc.2", "auditor", "CSC");
  a.add_user("qa.2", "qa_lead");
  auto server = std::make_unique<Server>(a.data());
  Client c(server->port(), a.cert());
  const auto as = [](const std::string& token) {
    return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + token}};
  };
  const auto cached = [&](const std::string& token) {
    REQUIRE(c.call("GET", "/api/v1/session", "", as(token)).status == 200);
    const Reply r = c.call("GET", "/api/v1/session", "", as(token));
    REQUIRE(r.status == 200);
    return r.json()->getObject("user")->getValue<std::string>("role");
  };
  const auto refused = [&](const std::string& token) {
    check_problem(c.call("GET", "/api/v1/session", "", as(token)), 401, "unauthenticated");
  };
  const std::string admin = bearer_token(c, "admin");
  const std::string password_body = "{\"password\": \"a quite different passphrase\"}";

  // Sign-out.
  std::string t = bearer_token(c, "board.1");
  cached(t);
  REQUIRE(c.call("DELETE", "/api/v1/session", "", as(t)).status == 204);
  refused(t);

  // Disabled, and password reset, by an admin over the API.
  t = bearer_token(c, "csc.1");
  cached(t);
  REQUIRE(c.call("POST", "/api/v1/users/csc.1/disable", "", as(admin)).status == 200);
  refused(t);
  t = bearer_token(c, "qa.2");
  cached(t);
  REQUIRE(c.call("POST", "/api/v1/users/qa.2/password", password_body, as(admin)).status == 204);
  refused(t);

  // Disabled, and password reset, by the CLI while the server runs.
  t = bearer_token(c, "csc.2");
  cached(t);
  RunResult r = a.cli({"users", "disable", "csc.2"});
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  refused(t);
  t = bearer_token(c, "board.1");
  cached(t);
  r = run({"/bin/sh", "-c",
           "printf '%s\\n' 'another long passphrase' | " + shell_quote(PATHAUDIT_BINARY) +
               " users reset-password board.1 --password-stdin --data-dir " +
               shell_quote(a.data())});
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  refused(t);

  // A role change by another process (no command does this; SQL on the file does): the next
  // request acts with the new role, and is refused what the old one allowed.
  t = bearer_token(c, "qa");
  CHECK(cached(t) == "qa_lead");
  REQUIRE(c.call("GET", "/api/v1/reviews", "", as(t)).status == 200);
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((a.data() + "/pathaudit.db").c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    const int rc = sqlite3_exec(db, "UPDATE users SET role = 'board' WHERE username = 'qa'",
                                nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
  const Reply me = c.call("GET", "/api/v1/session", "", as(t));
  REQUIRE(me.status == 200);
  CHECK(me.json()->getObject("user")->getValue<std::string>("role") == "board");
  check_problem(c.call("GET", "/api/v1/reviews", "", as(t)), 403, "forbidden");

  // A restore (the server stopped, as a restore requires) ends every session it held.
  const std::string backup = a.path("before.backup");
  r = a.cli({"backup", "-o", backup});
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  cached(admin);
  REQUIRE(server->stop() == 0);
  r = a.cli({"restore", "--from", backup, "--confirm"});
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  server = std::make_unique<Server>(a.data());
  Client after(server->port(), a.cert());
  check_problem(after.call("GET", "/api/v1/session", "", as(admin)), 401, "unauthenticated");
  CHECK(after.call("POST", "/api/v1/session", login_body("admin", kPassword)).status == 201);
}

// The cache never lengthens a session: used constantly (so always cached), it still ends at its
// absolute expiry.
TEST_CASE("a session in constant use still ends at its absolute expiry", "[http]") {
  Accounts a;
  Server s(a.data(), {}, {"PATHAUDIT_SESSION_ABSOLUTE_SECONDS=2"});
  Client c(s.port(), a.cert());
  const std::string token = bearer_token(c, "qa");
  const std::vector<std::pair<std::string, std::string>> as{{"Authorization", "Bearer " + token}};
  CHECK(c.call("GET", "/api/v1/session", "", as).status == 200);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(3100);
  while (std::chrono::steady_clock::now() < until) {
    c.call("GET", "/api/v1/session", "", as);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  check_problem(c.call("GET", "/api/v1/session", "", as), 401, "unauthenticated");
}

TEST_CASE("limits, errors as problem+json, headers and metrics", "[http]") {
  Accounts a;
  Server s(a.data());
  Client c(s.port(), a.cert());

  // 413: a declared body over the limit is refused before it is read.
  {
    auto session = c.session();
    Poco::Net::HTTPRequest req("POST", "/api/v1/session", Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength(2 * 1024 * 1024);
    session->sendRequest(req);
    const Reply r = Client::receive(*session);
    check_problem(r, 413, "payload-too-large");
    check_security_headers(r);
  }
  // 411: chunked uploads.
  {
    auto session = c.session();
    Poco::Net::HTTPRequest req("POST", "/api/v1/session", Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setChunkedTransferEncoding(true);
    session->sendRequest(req) << login_body("qa", kPassword);
    check_problem(Client::receive(*session), 411, "length-required");
  }
  // 400 naming the JSON path and what was expected; 415 for a body that is not JSON.
  Reply r = c.call("POST", "/api/v1/session", "{\"username\": 5, \"password\": \"x\"}");
  check_problem(r, 400, "validation");
  CHECK_THAT(r.json()->getValue<std::string>("detail"),
             Catch::Contains("request body: $.username: expected a string"));
  check_problem(c.call("POST", "/api/v1/session", "{not json"), 400, "validation");
  check_problem(c.call("POST", "/api/v1/session", login_body("qa", kPassword),
                       {{"Content-Type", "text/plain"}}),
                415, "unsupported-media-type");
  // 401, 403, 404, 405.
  check_problem(c.call("GET", "/api/v1/reviews"), 401, "unauthenticated");
  const std::string auditor = bearer_token(c, "csc.1");
  const std::vector<std::pair<std::string, std::string>> as_auditor{
      {"Authorization", "Bearer " + auditor}};
  r = c.call("GET", "/api/v1/audits", "", as_auditor);
  check_problem(r, 403, "forbidden");
  check_security_headers(r);
  check_problem(c.call("GET", "/api/v1/reviews/999", "", as_auditor), 404, "not-found");
  check_problem(c.call("GET", "/api/v1/reviews/x", "", as_auditor), 404, "not-found");
  r = c.call("GET", "/no/such/thing");
  check_problem(r, 404, "not-found");
  check_security_headers(r);
  check_problem(c.call("PATCH", "/api/v1/session", "{}"), 405, "method-not-allowed");
  check_problem(c.call("GET", "/api/v1/reviews?limit=100000", "", as_auditor), 400, "validation");

  // Metrics: admins only; counts, no case data.
  check_problem(c.call("GET", "/metrics", "", as_auditor), 403, "forbidden");
  const std::string admin = bearer_token(c, "admin");
  r = c.call("GET", "/metrics", "", {{"Authorization", "Bearer " + admin}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK_THAT(r.header("content-type"), Catch::StartsWith("text/plain; version=0.0.4"));
  CHECK_THAT(r.body, Catch::Contains("pathaudit_sessions_active 2"));
  CHECK_THAT(r.body, Catch::Contains("pathaudit_http_requests_total{class=\"4xx\"}"));
  CHECK_THAT(r.body, Catch::Contains("pathaudit_http_requests_in_flight 1"));
  CHECK(s.stop() == 0);
}

TEST_CASE("plain HTTP only when asked and only on loopback", "[http]") {
  Accounts a;
  auto r = a.cli({"serve", "--insecure-http", "--listen", "0.0.0.0:0"});
  CHECK(r.status == 64);
  CHECK_THAT(r.err, Catch::Contains("--insecure-http is refused on 0.0.0.0:0"));

  Server s(a.data(), {"--insecure-http"});
  CHECK(s.url().rfind("http://127.0.0.1:", 0) == 0);
  Client c(s.port(), "", /*tls=*/false);
  const Reply ok = c.call("POST", "/api/v1/session", login_body("qa", kPassword));
  REQUIRE(ok.status == 201);
  check_security_headers(ok, /*tls=*/false);
  CHECK(ok.header("set-cookie").find("Secure") == std::string::npos);
  CHECK(s.stop() == 0);
}

TEST_CASE("a second serve on a port in use fails instead of sharing it", "[http]") {
  Accounts a;
  Server s(a.data());
  // With SO_REUSEPORT the second would start and serve half the connections: `timeout` would
  // then stop it after 10 s (status 124) instead of it failing at once.
  const auto r =
      run({"/bin/sh", "-c",
           "timeout 10 " + shell_quote(PATHAUDIT_BINARY) + " serve --data-dir " +
               shell_quote(a.data()) + " --listen 127.0.0.1:" + std::to_string(s.port())});
  CHECK(r.status == 65);
  CHECK_THAT(r.err, Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(s.port())));
  Client c(s.port(), a.cert());
  CHECK(c.call("GET", "/healthz").status == 200);
  CHECK(s.stop() == 0);
}

TEST_CASE("SIGTERM lets the request in flight finish, then exits 0", "[http]") {
  Accounts a;
  Server s(a.data());
  Client c(s.port(), a.cert());
  const std::string admin = bearer_token(c, "admin");
  const std::string body = login_body("qa", kPassword);
  auto session = c.session();
  Poco::Net::HTTPRequest req("POST", "/api/v1/session", Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentType("application/json");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  std::ostream& out = session->sendRequest(req);
  // Half the body: the server is now inside the request, waiting for the rest.
  out << body.substr(0, body.size() / 2) << std::flush;
  // Wait, without a time limit, until the server counts that request in flight (the metrics
  // request itself is the other one), then signal it.
  const std::vector<std::pair<std::string, std::string>> as_admin{
      {"Authorization", "Bearer " + admin}};
  while (c.call("GET", "/metrics", "", as_admin).body.find("pathaudit_http_requests_in_flight 2") ==
         std::string::npos)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(s.pid(), SIGTERM);
  while (s.log().find("stopping on SIGTERM") == std::string::npos)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  out << body.substr(body.size() / 2) << std::flush;
  const Reply r = Client::receive(*session);
  INFO(r.body);
  CHECK(r.status == 201);
  CHECK(s.stop() == 0);
  CHECK_THAT(s.log(), Catch::Contains("POST /api/v1/session 201"));
  // The database closed cleanly: the log verifies and the session is there.
  auto v = a.cli({"verify-log"});
  INFO(v.out << v.err);
  CHECK(v.status == 0);
}

TEST_CASE("reviews over HTTP: object authorisation, pagination, answer, submit, CLI sees it",
          "[http]") {
  ReviewAudit a;
  const auto all = a.reviews();
  REQUIRE(all->size() >= 2);
  // A return with an auditor, and an auditor of another agency.
  std::size_t mine = all->size();
  for (std::size_t i = 0; i < all->size() && mine == all->size(); ++i)
    if (!field(all, i, "auditor").empty())
      mine = i;
  REQUIRE(mine < all->size());
  const std::string id = field(all, mine, "id"), owner = field(all, mine, "auditor"),
                    agency = field(all, mine, "agency");
  std::string other;
  for (const auto& ag : ReviewAudit::kAgencies) {
    if (ag == agency)
      continue;
    std::string lower;
    for (char ch : ag)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    other = lower + ".1";
    break;
  }

  Server s(a.data());
  Client c(s.port(), a.cert());
  const std::string owner_token = bearer_token(c, owner), other_token = bearer_token(c, other),
                    qa_token = bearer_token(c, "qa");
  auto auth = [](const std::string& t) {
    return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + t}};
  };

  // Another agency's auditor: the return does not exist for them, and their list holds only
  // their own returns.
  check_problem(c.call("GET", "/api/v1/reviews/" + id, "", auth(other_token)), 404, "not-found");
  Reply r = c.call("GET", "/api/v1/reviews", "", auth(other_token));
  REQUIRE(r.status == 200);
  const auto other_items = r.json()->getArray("items");
  CHECK(other_items->size() == a.reviews(other)->size());
  for (std::size_t i = 0; i < other_items->size(); ++i) {
    CHECK(field(other_items, i, "auditor") == other);
    CHECK(std::to_string(
              other_items->getObject(static_cast<unsigned>(i))->getValue<std::int64_t>("id")) !=
          id);
  }

  // The QA lead pages through every return in the CLI's order.
  r = c.call("GET", "/api/v1/reviews?limit=1&offset=1", "", auth(qa_token));
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::size_t>("total") == all->size());
  CHECK(r.json()->getValue<int>("limit") == 1);
  REQUIRE(r.json()->getArray("items")->size() == 1);
  CHECK(std::to_string(r.json()->getArray("items")->getObject(0)->getValue<std::int64_t>("id")) ==
        field(all, 1, "id"));

  // Audits: QA leads only.
  r = c.call("GET", "/api/v1/audits", "", auth(qa_token));
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<int>("total") == 1);
  CHECK(r.json()->getArray("items")->getObject(0)->getValue<std::string>("title") == "HTTP");
  r = c.call("GET", "/api/v1/audits/1", "", auth(qa_token));
  REQUIRE(r.status == 200);
  CHECK(r.json()->getObject("sample")->getValue<int>("size") == 4);
  CHECK(r.json()->getValue<std::size_t>("returns") == all->size());
  check_problem(c.call("GET", "/api/v1/audits/99", "", auth(qa_token)), 404, "not-found");
  check_problem(c.call("GET", "/api/v1/audits/1", "", auth(owner_token)), 403, "forbidden");

  // The owner reads the return.
  r = c.call("GET", "/api/v1/reviews/" + id, "", auth(owner_token));
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("state") == "assigned");
  CHECK(r.json()->getArray("missing_required")->size() > 0);
  CHECK(r.json()->getValue<std::string>("agency") == agency);

  // Answers that do not fit the template: 400 line by line, nothing saved. Another auditor
  // cannot save answers (404), and a cookie session cannot without the CSRF token.
  r = c.call("PUT", "/api/v1/reviews/" + id + "/answers",
             R"({"answers": {"no.such.question": "yes"}})", auth(owner_token));
  check_problem(r, 400, "validation");
  CHECK(r.json()->getArray("errors")->size() >= 1);
  const std::string answers = a.answers_text(id, owner);
  check_problem(c.call("PUT", "/api/v1/reviews/" + id + "/answers", answers, auth(other_token)),
                404, "not-found");
  const Reply cookie_login = c.call("POST", "/api/v1/session", login_body(owner, kPassword));
  REQUIRE(cookie_login.status == 201);
  check_problem(c.call("PUT", "/api/v1/reviews/" + id + "/answers", answers,
                       {{"Cookie", cookie_pair(cookie_login)}}),
                403, "csrf");
  CHECK(c.call("GET", "/api/v1/reviews/" + id, "", auth(owner_token))
            .json()
            ->getValue<std::string>("state") == "assigned");

  // Saved and submitted over HTTP (the cookie session with its CSRF token saves; the bearer
  // submits) ...
  r = c.call("PUT", "/api/v1/reviews/" + id + "/answers", answers,
             {{"Cookie", cookie_pair(cookie_login)},
              {"X-CSRF-Token", cookie_login.json()->getValue<std::string>("csrf_token")}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<int>("saved") > 0);
  CHECK(r.json()->getArray("missing_required")->size() == 0);
  r = c.call("POST", "/api/v1/reviews/" + id + "/submit", "", auth(owner_token));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("state") == "submitted");
  r = c.call("GET", "/api/v1/reviews/" + id, "", auth(owner_token));
  REQUIRE(r.status == 200);
  CHECK(r.json()->getArray("answers")->size() > 0);
  CHECK(r.json()->getArray("missing_required")->size() == 0);
  CHECK(s.stop() == 0);

  // ... and the command line sees exactly that.
  auto shown = a.cli({"review", "show", id, "--format", "json"});
  INFO(shown.err);
  REQUIRE(shown.status == 0);
  const auto view = json_object(shown.out);
  CHECK(view->getValue<std::string>("state") == "submitted");
  const auto sent = json_object(answers)->getObject("answers");
  const auto stored = view->getArray("answers");
  std::size_t compared = 0;
  for (std::size_t i = 0; i < stored->size(); ++i) {
    const auto q = stored->getObject(static_cast<unsigned>(i));
    const std::string qid = q->getValue<std::string>("question");
    if (!sent->has(qid) || !sent->get(qid).isString() || q->get("value").isEmpty())
      continue;
    CHECK(q->getValue<std::string>("value") == sent->getValue<std::string>(qid));
    ++compared;
  }
  CHECK(compared > 0);
}

TEST_CASE("returning, accepting and deciding flags over HTTP, authorised by the service",
          "[http]") {
  ReviewAudit a;
  auto flags_cli = [&](const std::string& as) {
    std::vector<std::string> args{"flags", "--format", "json"};
    if (!as.empty()) {
      args.push_back("--as");
      args.push_back(as);
    }
    auto res = a.cli(args);
    INFO(res.err);
    REQUIRE(res.status == 0);
    Poco::JSON::Parser parser;
    return parser.parse(res.out).extract<Poco::JSON::Array::Ptr>();
  };
  // A return whose auditor has flags on their cases (the synthetic data flags most children).
  const auto all = a.reviews();
  std::string id, owner;
  for (std::size_t i = 0; i < all->size() && id.empty(); ++i) {
    const std::string who = field(all, i, "auditor");
    if (!who.empty() && flags_cli(who)->size() > 0) {
      id = field(all, i, "id");
      owner = who;
    }
  }
  REQUIRE(!id.empty());

  Server s(a.data());
  Client c(s.port(), a.cert());
  auto auth = [&](const std::string& user) {
    return std::vector<std::pair<std::string, std::string>>{
        {"Authorization", "Bearer " + bearer_token(c, user)}};
  };
  const auto as_owner = auth(owner), as_qa = auth("qa");

  const std::string answers = a.answers_text(id, owner);
  REQUIRE(c.call("PUT", "/api/v1/reviews/" + id + "/answers", answers, as_owner).status == 200);
  REQUIRE(c.call("POST", "/api/v1/reviews/" + id + "/submit", "", as_owner).status == 200);

  // Only a QA lead returns or accepts; a return needs a comment.
  check_problem(c.call("POST", "/api/v1/reviews/" + id + "/accept", "", as_owner), 403,
                "forbidden");
  check_problem(c.call("POST", "/api/v1/reviews/" + id + "/return", R"({"comments": {}})", as_qa),
                400, "validation");
  const std::string question = json_object(answers)->getObject("answers")->begin()->first;
  Reply r = c.call("POST", "/api/v1/reviews/" + id + "/return",
                   R"({"comments": {")" + question + R"(": "Please say who was told."}})", as_qa);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("state") == "returned");
  // Accepting a returned review is a conflict of state.
  check_problem(c.call("POST", "/api/v1/reviews/" + id + "/accept", "", as_qa), 409, "conflict");
  r = c.call("POST", "/api/v1/reviews/" + id + "/submit", "", as_owner);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("state") == "resubmitted");
  r = c.call("POST", "/api/v1/reviews/" + id + "/accept", "", as_qa);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::string>("state") == "accepted");

  // Flags: the auditor sees those of their cases, as the CLI shows them.
  const auto owner_flags = flags_cli(owner), all_flags = flags_cli("");
  r = c.call("GET", "/api/v1/flags?limit=500", "", as_owner);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::size_t>("total") == owner_flags->size());
  r = c.call("GET", "/api/v1/flags?limit=500", "", as_qa);
  REQUIRE(r.status == 200);
  CHECK(r.json()->getValue<std::size_t>("total") == all_flags->size());
  check_problem(c.call("GET", "/api/v1/flags?status=maybe", "", as_qa), 400, "validation");
  // The synthetic data flags the sampled cases (seed 5), so there is a flag of the owner's.
  REQUIRE(owner_flags->size() > 0);
  REQUIRE(all_flags->size() > owner_flags->size());
  {
    const std::string flag = field(owner_flags, 0, "id");
    check_problem(c.call("POST", "/api/v1/flags/" + flag + "/confirm", "{}", as_owner), 400,
                  "validation");
    r = c.call("POST", "/api/v1/flags/" + flag + "/confirm", R"({"reason": "Seen in the file."})",
               as_owner);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto after = flags_cli("");
    for (std::size_t i = 0; i < after->size(); ++i)
      if (field(after, i, "id") == flag)
        CHECK(field(after, i, "status") == "confirmed");
  }
  // A flag of a case not assigned to the auditor does not exist for them.
  bool tried_other = false;
  std::set<std::string> own_ids;
  for (std::size_t i = 0; i < owner_flags->size(); ++i)
    own_ids.insert(field(owner_flags, i, "id"));
  for (std::size_t i = 0; i < all_flags->size(); ++i) {
    if (own_ids.count(field(all_flags, i, "id")))
      continue;
    const std::string flag = field(all_flags, i, "id");
    check_problem(c.call("POST", "/api/v1/flags/" + flag + "/dismiss", R"({"reason": "Not mine."})",
                         as_owner),
                  404, "not-found");
    // The QA lead may decide any flag.
    r = c.call("POST", "/api/v1/flags/" + flag + "/dismiss",
               R"({"reason": "Recorded elsewhere in the file."})", as_qa);
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.json()->getValue<std::string>("status") == "dismissed");
    const auto after = flags_cli("");
    for (std::size_t j = 0; j < after->size(); ++j)
      if (field(after, j, "id") == flag)
        CHECK(field(after, j, "status") == "dismissed");
    tried_other = true;
    break;
  }
  CHECK(tried_other);
  CHECK(s.stop() == 0);
}
