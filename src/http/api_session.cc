// Routes: /healthz, /metrics and /api/v1/session (sign in, current session and its CSRF token,
// sign out).
#include <sstream>

#include "http/api_support.h"
#include "service/sessions.h"

namespace pathaudit::http {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string session_cookie(const std::string& value, bool tls, bool clear) {
  std::string c = "pathaudit_session=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (tls)
    c += "; Secure";
  if (clear)
    c += "; Max-Age=0";
  return c;
}

// ---- session -----------------------------------------------------------------------------------

Response sign_in(service::Context& ctx, const service::SessionPolicy& policy, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"username", "password", "mode"});
  const std::string username = body.at("username").as_string();
  const std::string password = body.at("password").as_string();
  std::string mode = "cookie";
  if (auto m = body.find("mode")) {
    mode = m->as_string();
    if (mode != "cookie" && mode != "bearer")
      m->fail("expected \"cookie\" or \"bearer\"");
  }
  const service::SignedIn in = service::sign_in(ctx, policy, username, password);
  Object o;
  o.set("user", principal_json(in.principal));
  o.set("expires_at", in.expires_at);
  Response res;
  if (mode == "bearer") {
    // Scripts send the token back as Authorization: Bearer; no cookie, so no CSRF token.
    o.set("token", in.token);
    res = Response::json(o, 201);
  } else {
    o.set("csrf_token", in.csrf_token);
    res = Response::json(o, 201);
    res.headers.emplace_back("Set-Cookie", session_cookie(in.token, req.tls, false));
  }
  return res;
}

Response current_session(Request& req) {
  Object o;
  o.set("user", principal_json(req.principal()));
  o.set("expires_at", req.session->expires_at);
  o.set("idle_expires_at", req.session->idle_expires_at);
  o.set("authentication", req.bearer ? "bearer" : "cookie");
  // A reloaded page lost the CSRF token it was given at sign-in; it may ask again. Only a cookie
  // session has one, and only our own origin can read this answer (no CORS headers, the cookie
  // is SameSite=Strict): docs/security.md, "CSRF".
  if (!req.bearer && !req.session->csrf_token.empty())
    o.set("csrf_token", req.session->csrf_token);
  return Response::json(o);
}

Response sign_out(service::Context& ctx, Request& req) {
  service::sign_out(ctx, *req.session);
  Response res = Response::no_content();
  if (!req.bearer)
    res.headers.emplace_back("Set-Cookie", session_cookie("", req.tls, true));
  return res;
}

// ---- health and metrics ------------------------------------------------------------------------

Response metrics_text(service::Context& ctx, const service::SessionPolicy& policy,
                      ServerMetrics& metrics, Request& req) {
  // Counts only, but who is signed in how often is still the service's business: admins only.
  service::require_admin(req.principal(), "reading the service metrics");
  std::ostringstream out;
  out << "# HELP pathaudit_http_requests_total HTTP requests answered, by status class.\n"
         "# TYPE pathaudit_http_requests_total counter\n";
  for (int c = 1; c <= 5; ++c)
    out << "pathaudit_http_requests_total{class=\"" << c << "xx\"} " << metrics.by_class[c].load()
        << "\n";
  out << "# HELP pathaudit_http_requests_in_flight HTTP requests being served now.\n"
         "# TYPE pathaudit_http_requests_in_flight gauge\n"
         "pathaudit_http_requests_in_flight "
      << metrics.in_flight.load() << "\n";
  out << "# HELP pathaudit_sessions_active Sessions neither expired nor idle.\n"
         "# TYPE pathaudit_sessions_active gauge\n"
         "pathaudit_sessions_active "
      << service::active_session_count(ctx, policy) << "\n";
  Response res;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = out.str();
  return res;
}

}  // namespace

PageRequest page_request(const Request& req) {
  return {req.query_int("limit", kDefaultLimit, 1, kMaxLimit),
          req.query_int("offset", 0, 0, 1'000'000'000)};
}

Response page_answer(Poco::JSON::Array::Ptr items, const PageRequest& p, std::int64_t total) {
  Object o;
  o.set("items", items);
  o.set("limit", p.limit);
  o.set("offset", p.offset);
  o.set("total", total);
  return Response::json(o);
}

Object::Ptr principal_json(const service::Principal& p) {
  Object::Ptr o = new Object;
  o->set("username", p.username);
  o->set("role", p.role);
  if (p.agency.empty())
    o->set("agency", Poco::Dynamic::Var());
  else
    o->set("agency", p.agency);
  return o;
}

void add_session_routes(Router& router, service::Context& ctx, const service::SessionPolicy& policy,
                        ServerMetrics& metrics) {
  service::Context* c = &ctx;
  const service::SessionPolicy* p = &policy;
  ServerMetrics* m = &metrics;

  router.add("GET", "/healthz", Access::kPublic, [](Request&) {
    Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "ok\n";
    return r;
  });
  router.add("GET", "/metrics", Access::kSession,
             [c, p, m](Request& r) { return metrics_text(*c, *p, *m, r); });

  router.add("POST", "/api/v1/session", Access::kPublic,
             [c, p](Request& r) { return sign_in(*c, *p, r); });
  router.add("GET", "/api/v1/session", Access::kSession, current_session);
  router.add("DELETE", "/api/v1/session", Access::kSession,
             [c](Request& r) { return sign_out(*c, r); });
}

}  // namespace pathaudit::http
