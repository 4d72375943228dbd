// What the HTTP integration tests share: the real `pathaudit serve` started on an ephemeral
// loopback port (Server), a TLS client that trusts exactly the data directory's certificate
// (Client, Reply), data directories with accounts (Accounts) or with a sampled and assigned
// audit of a synthetic partnership (ReviewAudit), and the checks every response gets. Test-only;
// each object belongs to one test case and one thread.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/tls_certificate.h"
#include "test_support.h"

namespace pathaudit::http_test {

using pathaudit::testing::read_file;
using pathaudit::testing::run;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::RunResult;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

inline const std::string kPassword = "correct horse battery staple";
inline const std::string kFill = std::string(PATHAUDIT_SOURCE_DIR) + "/scripts/demo-answers";

struct SslOnce {
  SslOnce() { Poco::Net::initializeSSL(); }
};
inline SslOnce ssl_once;

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline Poco::JSON::Object::Ptr json_object(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

// A running `pathaudit serve`: started with its stdout on a pipe (to read the URL it prints) and
// its stderr in a file (to read the log); stopped with SIGTERM.
class Server {
 public:
  Server(const std::string& data_dir, std::vector<std::string> extra = {},
         std::vector<std::string> env = {})
      : log_(dir_ / "server.log") {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    std::vector<std::string> argv{PATHAUDIT_BINARY, "serve",    "--data-dir",
                                  data_dir,         "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::freopen(log_.c_str(), "w", stderr);
      for (const auto& e : env)
        ::putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> args;
      for (auto& a : argv)
        args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      std::_Exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c = 0;
    while (::read(out[0], &c, 1) == 1 && c != '\n')
      line += c;
    ::close(out[0]);
    INFO("serve printed: " << line << "\nlog: " << read_file(log_));
    const std::string marker = "listening on ";
    const auto at = line.find(marker);
    REQUIRE(at != std::string::npos);
    url_ = line.substr(at + marker.size());
    const auto colon = url_.rfind(':');
    port_ = static_cast<Poco::UInt16>(std::stoi(url_.substr(colon + 1)));
  }
  ~Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
      record_routes();
    }
  }

  const std::string& url() const { return url_; }
  Poco::UInt16 port() const { return port_; }
  std::string log() const { return read_file(log_); }
  pid_t pid() const { return pid_; }

  // Sends SIGTERM and returns the exit status (128 + signal when killed).
  int stop() {
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    record_routes();
    const int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    // A server that did not stop cleanly: its log (routes and error classes only) says why.
    if (status != 0)
      UNSCOPED_INFO("serve exited with " << status << "; its log:\n" << read_file(log_));
    return status;
  }

 private:
  // Appends the "METHOD /pattern STATUS" of every request the server logged to the build's
  // route-hits file, which tests/openapi/check_routes compares with docs/openapi.yaml once every
  // HTTP test has run. One write per server, O_APPEND: test processes run in parallel.
  void record_routes() const {
    std::istringstream in(read_file(log_));
    std::string line, out;
    const std::string prefix = "pathaudit serve: ";
    while (std::getline(in, line)) {
      if (line.rfind(prefix + "GET /", 0) == 0 || line.rfind(prefix + "POST /", 0) == 0 ||
          line.rfind(prefix + "PUT /", 0) == 0 || line.rfind(prefix + "PATCH /", 0) == 0 ||
          line.rfind(prefix + "DELETE /", 0) == 0)
        out += line.substr(prefix.size()) + "\n";
    }
    const int fd = ::open(PATHAUDIT_ROUTE_HITS, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      [[maybe_unused]] const auto n = ::write(fd, out.data(), out.size());
      ::close(fd);
    }
  }

  TempDir dir_;
  std::string log_;
  pid_t pid_ = -1;
  std::string url_;
  Poco::UInt16 port_ = 0;
};

struct Reply {
  int status = 0;
  std::string body;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  Poco::JSON::Object::Ptr json() const { return json_object(body); }
};

// A TLS client that trusts one certificate file and nothing else.
class Client {
 public:
  Client(Poco::UInt16 port, const std::string& trusted_cert, bool tls = true)
      : port_(port), tls_(tls) {
    if (tls) {
      Poco::Net::Context::Params p;
      p.caLocation = trusted_cert;
      p.verificationMode = Poco::Net::Context::VERIFY_STRICT;
      p.loadDefaultCAs = false;
      context_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
    }
  }

  std::unique_ptr<Poco::Net::HTTPClientSession> session() const {
    if (tls_)
      return std::make_unique<Poco::Net::HTTPSClientSession>("localhost", port_, context_);
    return std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", port_);
  }

  Reply call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
    auto s = session();
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers)
      req.set(k, v);
    if (!body.empty() && !req.has("Content-Type"))
      req.setContentType("application/json");
    if (method != "GET")
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    s->sendRequest(req) << body;
    return receive(*s);
  }

  static Reply receive(Poco::Net::HTTPClientSession& s) {
    Poco::Net::HTTPResponse res;
    std::istream& in = s.receiveResponse(res);
    Reply r;
    r.status = res.getStatus();
    std::ostringstream body;
    Poco::StreamCopier::copyStream(in, body);
    r.body = body.str();
    for (const auto& [k, v] : res) {
      std::string lower;
      for (char c : k)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers.emplace(lower, v);
    }
    return r;
  }

 private:
  Poco::UInt16 port_;
  bool tls_;
  Poco::Net::Context::Ptr context_;
};

// A temporary data directory and the CLI run against it; accounts get kPassword.
class DataDir {
 public:
  std::string data() const { return dir_ / "data"; }
  std::string cert() const { return data() + "/tls-cert.pem"; }
  std::string path(const std::string& name) const { return dir_ / name; }
  RunResult cli(std::vector<std::string> args) const {
    args.push_back("--data-dir");
    args.push_back(data());
    return run_pathaudit(std::move(args));
  }
  void add_user(const std::string& name, const std::string& role,
                const std::string& agency = "") const {
    std::string cmd = "printf '%s\\n' " + shell_quote(kPassword) + " | " +
                      shell_quote(PATHAUDIT_BINARY) + " users add --data-dir " +
                      shell_quote(data()) + " --username " + name + " --display-name " +
                      shell_quote("Test " + name) + " --role " + role + " --password-stdin";
    if (!agency.empty())
      cmd += " --agency " + agency;
    auto r = run({"/bin/sh", "-c", cmd});
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  // A complete answers file for a review (scripts/demo-answers over `review form`).
  std::string answers_text(const std::string& id, const std::string& auditor) const {
    const std::string file = path("answers-" + id + ".json");
    auto res = run({"/bin/sh", "-c",
                    shell_quote(PATHAUDIT_BINARY) + " review form " + id + " --data-dir " +
                        shell_quote(data()) + " --as " + auditor + " --format json | " +
                        "/usr/bin/python3 " + shell_quote(kFill) + " > " + shell_quote(file)});
    INFO(res.err);
    REQUIRE(res.status == 0);
    return read_file(file);
  }

 protected:
  TempDir dir_;
};

// A data directory with a partnership of two agencies and an account per role; no case data.
class Accounts : public DataDir {
 public:
  Accounts() {
    write_file(dir_ / "partnership.json",
               R"({"name": "Test partnership", "agencies": [
                    {"code": "CSC", "name": "Children's social care", "kind": "csc"},
                    {"code": "POLICE", "name": "Police", "kind": "police"}]})");
    auto r =
        run_pathaudit({"init", "--data-dir", data(), "--partnership", dir_ / "partnership.json"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    add_user("qa", "qa_lead");
    add_user("admin", "admin");
    add_user("csc.1", "auditor", "CSC");
  }
};

inline std::string login_body(const std::string& user, const std::string& password,
                              const std::string& mode = "cookie") {
  Poco::JSON::Object o;
  o.set("username", user);
  o.set("password", password);
  o.set("mode", mode);
  std::ostringstream s;
  o.stringify(s);
  return s.str();
}

inline std::string bearer_token(const Client& c, const std::string& user) {
  const Reply r = c.call("POST", "/api/v1/session", login_body(user, kPassword, "bearer"));
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json()->getValue<std::string>("token");
}

// The session cookie's name=value from a Set-Cookie header.
inline std::string cookie_pair(const Reply& r) {
  const std::string set = r.header("set-cookie");
  return set.substr(0, set.find(';'));
}

inline void check_problem(const Reply& r, int status, const std::string& slug) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(r.header("content-type") == "application/problem+json");
  const auto p = r.json();
  CHECK(p->getValue<int>("status") == status);
  CHECK(p->getValue<std::string>("type") == "urn:pathaudit:problem:" + slug);
  CHECK(!p->getValue<std::string>("title").empty());
  CHECK(!p->getValue<std::string>("detail").empty());
}

inline void check_security_headers(const Reply& r, bool tls = true) {
  INFO(r.status << " " << r.body);
  CHECK(r.header("content-security-policy") ==
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  CHECK(r.header("content-security-policy").find("unsafe-inline") == std::string::npos);
  CHECK(r.header("x-content-type-options") == "nosniff");
  CHECK(r.header("referrer-policy") == "no-referrer");
  CHECK(r.header("cache-control") == "no-store");
  if (tls)
    CHECK(r.header("strict-transport-security") == "max-age=31536000");
  else
    CHECK(r.header("strict-transport-security").empty());
}

// A synthetic partnership, imported; one auditor per agency and a QA lead; an audit of four cases
// (two of them flagged), sampled and assigned.
class ReviewAudit : public DataDir {
 public:
  ReviewAudit() {
    REQUIRE(run_pathaudit({"synth", "--seed", "5", "--children", "80", "--out", dir_ / "synth"})
                .status == 0);
    REQUIRE(cli({"init", "--partnership", dir_ / "synth/partnership.json"}).status == 0);
    std::vector<std::string> import{"import"};
    for (const auto& ag : kAgencies)
      import.push_back(dir_ / ("synth/events-" + ag + ".csv"));
    REQUIRE(cli(import).status == 0);
    REQUIRE(
        cli({"templates", "import",
             std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/csa-response-pathway/1.json"})
            .status == 0);
    for (const auto& ag : kAgencies) {
      std::string lower;
      for (char ch : ag)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      add_user(lower + ".1", "auditor", ag);
    }
    add_user("qa", "qa_lead");
    REQUIRE(cli({"audit", "create", "--title", "HTTP", "--template", "csa-response-pathway",
                 "--period-start", "2022-01-01", "--period-end", "2027-12-31"})
                .status == 0);
    // Pseudonym keys are random per data directory, so which children a seed draws varies from
    // run to run; drawing two flagged children first makes sure some returns have flags.
    REQUIRE(cli({"sample", "--audit", "1", "--size", "4", "--seed", "3", "--include-flagged", "2"})
                .status == 0);
    auto r = cli({"assign", "--audit", "1", "--qa-lead", "qa"});
    INFO(r.err);
    REQUIRE(r.status == 0);
  }
  // `review list --format json`, as the operator or as an account.
  Poco::JSON::Array::Ptr reviews(const std::string& as = "") const {
    std::vector<std::string> args{"review", "list", "--format", "json"};
    if (!as.empty()) {
      args.push_back("--as");
      args.push_back(as);
    }
    auto r = cli(args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    Poco::JSON::Parser parser;
    return parser.parse(r.out).extract<Poco::JSON::Array::Ptr>();
  }
  inline static const std::vector<std::string> kAgencies{"CSC",    "POLICE", "GP",    "ED",  "HV",
                                                         "SCHOOL", "SARC",   "CAMHS", "VCS", "EH"};
};

// One row of an authorisation matrix: a request and the status each caller must get. Callers are
// named ("admin", "qa", "auditor_own", "auditor_other", "board", "anonymous") and mapped to bearer
// tokens by check_matrix; a caller missing from `status` is not tried.
struct Expect {
  std::string method, path, body;
  std::map<std::string, int> status;
};

// Sends every row as every caller it names (token "" sends no Authorization header) and checks
// the status; a refusal must also be problem+json. Rows run in order, so a row expected to
// succeed may change what later rows see.
inline void check_matrix(const Client& c, const std::map<std::string, std::string>& tokens,
                         const std::vector<Expect>& rows) {
  for (const auto& row : rows) {
    for (const auto& [caller, status] : row.status) {
      const auto t = tokens.find(caller);
      REQUIRE(t != tokens.end());
      std::vector<std::pair<std::string, std::string>> headers;
      if (!t->second.empty())
        headers.emplace_back("Authorization", "Bearer " + t->second);
      const Reply r = c.call(row.method, row.path, row.body, headers);
      INFO(caller << " " << row.method << " " << row.path << " -> " << r.status << " " << r.body);
      CHECK(r.status == status);
      if (r.status >= 400)
        CHECK(r.header("content-type") == "application/problem+json");
    }
  }
}

inline std::string field(const Poco::JSON::Array::Ptr& rows, std::size_t i,
                         const std::string& name) {
  return rows->getObject(static_cast<unsigned>(i))->getValue<std::string>(name);
}

}  // namespace pathaudit::http_test
