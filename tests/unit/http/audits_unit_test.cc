// The HTTP layer's parts the audit set-up added: a route's own body policy, and an import's
// rejection mapped to one problem with the CLI's lines and the count of those left off.
#include <catch2/catch.hpp>

#include "http/problem.h"
#include "http/router.h"
#include "service/import.h"

using namespace pathaudit;

TEST_CASE("a route keeps its body policy; others get the server's", "[http][audits]") {
  http::Router r;
  auto ok = [](http::Request&) { return http::Response{}; };
  r.add("GET", "/api/v1/audits", http::Access::kSession, ok);
  r.add("POST", "/api/v1/imports", http::Access::kSession, ok, {64u << 20, true});
  const auto import = r.match("POST", "/api/v1/imports");
  REQUIRE(import.route);
  CHECK(import.route->body.max_bytes == 64u << 20);
  CHECK(import.route->body.streamed);
  const auto list = r.match("GET", "/api/v1/audits");
  REQUIRE(list.route);
  CHECK(list.route->body.max_bytes == 0);
  CHECK(!list.route->body.streamed);
}

TEST_CASE("an import rejection is one 400 with its lines and the count left off",
          "[http][audits]") {
  std::vector<std::string> lines;
  for (int i = 0; i < 100; ++i)
    lines.push_back("events-CSC.csv:" + std::to_string(i + 2) + ":3: event_date: expected a date");
  http::Problem p;
  try {
    throw service::ImportRejected(lines, 130);
  } catch (...) {
    p = http::problem_for(std::current_exception());
  }
  CHECK(p.status == 400);
  CHECK(p.type == "urn:pathaudit:problem:validation");
  CHECK(p.detail == "import rejected: 130 errors; nothing was stored");
  REQUIRE(p.errors.size() == 101);
  CHECK(p.errors.front() == lines.front());
  CHECK(p.errors.back() == "... and 30 more errors");
}
