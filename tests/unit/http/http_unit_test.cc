// The HTTP layer's pure parts: route matching, the one mapping of errors to problem+json, and
// listen addresses.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <stdexcept>

#include "core/errors.h"
#include "http/problem.h"
#include "http/router.h"
#include "http/server.h"
#include "service/reviews.h"

using namespace pathaudit;

namespace {

http::Problem mapped(const std::function<void()>& thrower) {
  try {
    thrower();
  } catch (...) {
    return http::problem_for(std::current_exception());
  }
  FAIL("nothing thrown");
  return {};
}

}  // namespace

TEST_CASE("routes match method and pattern, with parameters", "[http]") {
  http::Router r;
  auto ok = [](http::Request&) { return http::Response{}; };
  r.add("GET", "/api/v1/reviews", http::Access::kSession, ok);
  r.add("GET", "/api/v1/reviews/{id}", http::Access::kSession, ok);
  r.add("PUT", "/api/v1/reviews/{id}/answers", http::Access::kSession, ok);
  r.add("POST", "/api/v1/session", http::Access::kPublic, ok);
  r.add("DELETE", "/api/v1/session", http::Access::kSession, ok);

  auto m = r.match("GET", "/api/v1/reviews/42");
  REQUIRE(m.route);
  CHECK(m.route->pattern == "/api/v1/reviews/{id}");
  CHECK(m.params.at("id") == "42");
  m = r.match("PUT", "/api/v1/reviews/7/answers");
  REQUIRE(m.route);
  CHECK(m.params.at("id") == "7");
  CHECK(r.match("GET", "/api/v1/reviews").route != nullptr);

  m = r.match("GET", "/api/v1/session");
  CHECK(!m.route);
  CHECK(m.allowed == std::vector<std::string>{"POST", "DELETE"});
  CHECK(!r.match("GET", "/api/v1/reviews/").route);  // an empty segment is no id
  CHECK(r.match("GET", "/api/v1/reviews/").allowed.empty());
  CHECK(!r.match("GET", "/api/v1/reviews/1/2").route);
  CHECK(!r.match("GET", "").route);
  CHECK(!r.match("GET", "/API/v1/reviews").route);
}

TEST_CASE("a prefix route takes the rest of the path, other routes still match one segment",
          "[http]") {
  http::Router r;
  auto ok = [](http::Request&) { return http::Response{}; };
  r.add("GET", "/", http::Access::kPublic, ok);
  r.add_prefix("GET", "/static/{path}", http::Access::kPublic, ok);
  r.add("GET", "/api/v1/users/{username}", http::Access::kSession, ok);
  CHECK_THROWS_AS(r.add_prefix("GET", "/static", http::Access::kPublic, ok), std::logic_error);

  auto m = r.match("GET", "/static/app.css");
  REQUIRE(m.route);
  CHECK(m.route->pattern == "/static/{path}");
  CHECK(m.params.at("path") == "app.css");
  m = r.match("GET", "/static/css/fonts/a.woff2");
  REQUIRE(m.route);
  CHECK(m.params.at("path") == "css/fonts/a.woff2");
  m = r.match("GET", "/static/a//b");  // kept as sent, for the handler to refuse
  REQUIRE(m.route);
  CHECK(m.params.at("path") == "a//b");
  CHECK(!r.match("GET", "/static").route);
  CHECK(!r.match("GET", "/static/").route);
  CHECK(r.match("GET", "/").route->pattern == "/");
  CHECK(r.match("POST", "/static/app.css").allowed == std::vector<std::string>{"GET"});

  // Ordinary parameters still take exactly one segment.
  CHECK(r.match("GET", "/api/v1/users/qa").params.at("username") == "qa");
  CHECK(!r.match("GET", "/api/v1/users/qa/x").route);
  CHECK(!r.match("GET", "/other").route);
}

TEST_CASE("each error class maps once to a status and a stable type", "[http]") {
  struct Case {
    std::function<void()> thrower;
    int status;
    const char* slug;
  };
  const std::vector<Case> cases{
      {[] { throw core::ValidationError("v"); }, 400, "validation"},
      {[] { throw core::UnauthenticatedError("u"); }, 401, "unauthenticated"},
      {[] { throw core::ForbiddenError("f"); }, 403, "forbidden"},
      {[] { throw core::NotFoundError("n"); }, 404, "not-found"},
      {[] { throw core::ConflictError("c"); }, 409, "conflict"},
      {[] { throw http::HttpError(413, "payload-too-large", "t", "d"); }, 413, "payload-too-large"},
      {[] { throw core::CryptoError("secret detail"); }, 500, "internal"},
      {[] { throw std::runtime_error("secret detail"); }, 500, "internal"},
      {[] { throw 42; }, 500, "internal"},
  };
  for (const auto& c : cases) {
    const http::Problem p = mapped(c.thrower);
    INFO(c.slug);
    CHECK(p.status == c.status);
    CHECK(p.type == std::string("urn:pathaudit:problem:") + c.slug);
    CHECK(!p.title.empty());
    // A 500 says nothing of its cause.
    if (p.status == 500)
      CHECK(p.detail.find("secret") == std::string::npos);
    Poco::JSON::Parser parser;
    auto o = parser.parse(p.to_json()).extract<Poco::JSON::Object::Ptr>();
    CHECK(o->getValue<int>("status") == c.status);
    CHECK(o->getValue<std::string>("type") == p.type);
    CHECK(o->has("title"));
    CHECK(o->has("detail"));
  }
  const http::Problem lines = mapped([] {
    throw service::ReviewInputRejected({"a: b: c", "d: e: f"});
  });
  CHECK(lines.status == 400);
  CHECK(lines.errors.size() == 2);
}

TEST_CASE("listen addresses parse and know loopback", "[http]") {
  CHECK(http::parse_listen("127.0.0.1:8443").loopback);
  CHECK(http::parse_listen("127.0.0.1:0").port == 0);
  CHECK(http::parse_listen("[::1]:8443").loopback);
  CHECK(http::parse_listen("[::1]:8443").host == "::1");
  CHECK(!http::parse_listen("0.0.0.0:8443").loopback);
  CHECK_THROWS_AS(http::parse_listen("127.0.0.1"), core::ValidationError);
  CHECK_THROWS_AS(http::parse_listen("127.0.0.1:99999"), core::ValidationError);
  CHECK_THROWS_AS(http::parse_listen(":80"), core::ValidationError);
}
