#include "http/api.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "core/errors.h"
#include "http/problem.h"
#include "service/audits.h"
#include "service/flags.h"
#include "service/reviews.h"
#include "service/sessions.h"

namespace pathaudit::http {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::int64_t kDefaultLimit = 100;
constexpr std::int64_t kMaxLimit = 500;

std::string session_cookie(const std::string& value, bool tls, bool clear) {
  std::string c = "pathaudit_session=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  if (tls)
    c += "; Secure";
  if (clear)
    c += "; Max-Age=0";
  return c;
}

Array::Ptr strings(const std::vector<std::string>& v) {
  Array::Ptr a = new Array;
  for (const auto& s : v)
    a->add(s);
  return a;
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

// A page of a list: ?limit= (1 to 500, default 100) and ?offset= (default 0), documented in
// docs/api.md. The service returns the whole list in a stable order; the page is cut here.
template <class T, class F>
Response page(const Request& req, const std::vector<T>& all, F&& to_json) {
  const std::int64_t limit = req.query_int("limit", kDefaultLimit, 1, kMaxLimit);
  const std::int64_t offset = req.query_int("offset", 0, 0, 1'000'000'000);
  Array::Ptr items = new Array;
  for (std::size_t i = static_cast<std::size_t>(offset);
       i < all.size() && i < static_cast<std::size_t>(offset + limit); ++i)
    items->add(to_json(all[i]));
  Object o;
  o.set("items", items);
  o.set("limit", limit);
  o.set("offset", offset);
  o.set("total", static_cast<std::int64_t>(all.size()));
  return Response::json(o);
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

// ---- audits ------------------------------------------------------------------------------------

Object::Ptr audit_json(const service::AuditRecord& a) {
  Object::Ptr o = new Object;
  o->set("id", a.id);
  o->set("title", a.title);
  o->set("template", a.template_key + "@" + std::to_string(a.template_version));
  o->set("period_start", a.period_start.iso());
  o->set("period_end", a.period_end.iso());
  Poco::JSON::Parser parser;
  o->set("scope", parser.parse(a.scope.to_json()));
  o->set("dual_review", a.dual_review);
  o->set("status", a.status);
  o->set("created_by", a.created_by);
  o->set("created_at", a.created_at);
  return o;
}

Response audit_detail(service::Context& ctx, Request& req) {
  const auto v = service::audit_overview(ctx, req.principal(), req.id_param("id"));
  Object o;
  o.set("audit", audit_json(v.audit));
  o.set("population", v.population);
  if (v.sample_id) {
    Object::Ptr s = new Object;
    s->set("id", *v.sample_id);
    s->set("size", v.sample_size);
    s->set("seed", v.sample_seed);
    s->set("method", v.sample_method);
    s->set("population_hash", v.population_hash);
    s->set("sampled_at", v.sampled_at);
    o.set("sample", s);
  } else {
    o.set("sample", Poco::Dynamic::Var());
  }
  o.set("returns", v.returns);
  o.set("unassigned_returns", v.unassigned_returns);
  o.set("discussions", v.discussions);
  return Response::json(o);
}

// ---- reviews -----------------------------------------------------------------------------------

Object::Ptr review_summary_json(const service::ReviewSummary& r) {
  Object::Ptr o = new Object;
  o->set("id", r.id);
  o->set("audit", r.audit_id);
  o->set("case", r.case_id);
  o->set("child_key", r.child_key);
  o->set("agency", r.agency);
  o->set("slot", r.slot);
  o->set("auditor", r.auditor);
  o->set("state", r.state);
  o->set("times_returned", r.times_returned);
  o->set("updated_at", r.updated_at);
  o->set("submitted_at", r.submitted_at);
  return o;
}

Response review_list(service::Context& ctx, Request& req) {
  service::ReviewQuery q;
  q.audit_id = req.query_int("audit", 0, 1, INT64_MAX / 2);
  q.case_id = req.query_int("case", 0, 1, INT64_MAX / 2);
  q.state = req.query_string("state");
  q.assignee = req.query_string("assignee");
  return page(req, service::list_reviews(ctx, req.principal(), q), review_summary_json);
}

Response review_detail(service::Context& ctx, Request& req) {
  const auto d = service::show_review(ctx, req.principal(), req.id_param("id"));
  Object::Ptr o = review_summary_json(d.summary);
  o->set("template", d.template_ref);
  o->set("not_applicable", strings(d.not_applicable));
  o->set("missing_required", strings(d.missing_required));
  o->set("allowed_actions", strings(d.allowed_actions));
  Array::Ptr answers = new Array;
  for (const auto& a : d.answers) {
    Object::Ptr x = new Object;
    x->set("question", a.question_id);
    x->set("section", a.section_id);
    x->set("stage", a.stage);
    x->set("type", a.type);
    if (!a.value)
      x->set("value", Poco::Dynamic::Var());
    else if (a.value->is_list)
      x->set("value", strings(a.value->codes));
    else
      x->set("value", a.value->text);
    x->set("tags", strings(a.tags));
    x->set("comment", a.comment);
    x->set("moderated_grade", a.moderated_grade);
    x->set("moderation_rationale", a.moderation_rationale);
    answers->add(x);
  }
  o->set("answers", answers);
  Array::Ptr flags = new Array;
  for (const auto& f : d.flags) {
    Object::Ptr x = new Object;
    x->set("id", f.id);
    x->set("rule", f.rule);
    x->set("severity", f.severity);
    x->set("status", f.status);
    x->set("agency", f.agency);
    x->set("event_refs", strings(f.event_refs));
    x->set("detail", f.detail);
    flags->add(x);
  }
  o->set("flags", flags);
  Array::Ptr concerns = new Array;
  for (const auto& c : d.concerns) {
    Object::Ptr x = new Object;
    x->set("id", c.id);
    x->set("raised_by", c.raised_by);
    x->set("raised_at", c.raised_at);
    x->set("status", c.status);
    x->set("description", c.description);
    concerns->add(x);
  }
  o->set("concerns", concerns);
  return Response::json(*o);
}

Response save_answers(service::Context& ctx, Request& req) {
  req.json();  // Content-Type and syntax, before the service reads the same text
  const auto set = service::parse_answer_set(req.body, "request body");
  const auto r = service::save_answers(ctx, req.principal(), req.id_param("id"), set);
  Object o;
  o.set("saved", static_cast<std::int64_t>(r.saved));
  o.set("cleared", static_cast<std::int64_t>(r.cleared));
  o.set("state", r.state);
  o.set("missing_required", strings(r.missing_required));
  return Response::json(o);
}

Response submit(service::Context& ctx, Request& req) {
  Object o;
  o.set("state", service::submit_review(ctx, req.principal(), req.id_param("id")));
  return Response::json(o);
}

Response return_review(service::Context& ctx, Request& req) {
  req.json();
  const auto comments = service::parse_comments(req.body, "request body");
  Object o;
  o.set("state", service::return_review(ctx, req.principal(), req.id_param("id"), comments));
  return Response::json(o);
}

Response accept(service::Context& ctx, Request& req) {
  Object o;
  o.set("state", service::accept_review(ctx, req.principal(), req.id_param("id")));
  return Response::json(o);
}

// ---- flags -------------------------------------------------------------------------------------

Object::Ptr flag_json(const service::FlagReportRow& f) {
  Object::Ptr x = new Object;
  x->set("id", f.id);
  x->set("rule", f.rule);
  x->set("severity", f.severity);
  x->set("status", f.status);
  x->set("agency", f.agency);
  x->set("event_refs", strings(f.event_refs));
  x->set("child_key", f.child_key);
  x->set("detail", f.detail);
  return x;
}

Response flag_list(service::Context& ctx, Request& req) {
  store::FlagFilter filter;
  filter.rule_id = req.query_string("rule");
  filter.status = req.query_string("status");
  if (!filter.status.empty() && filter.status != "open" && filter.status != "confirmed" &&
      filter.status != "dismissed")
    throw core::ValidationError("query parameter status: expected open, confirmed or dismissed");
  return page(req, service::flag_report(ctx, req.principal(), filter), flag_json);
}

Response decide_flag(service::Context& ctx, Request& req, const std::string& status) {
  const service::JsonNode body = req.json();
  body.allow_only({"reason"});
  service::review_flag(ctx, req.principal(), req.id_param("id"), status,
                       body.at("reason").as_string());
  Object o;
  o.set("id", req.id_param("id"));
  o.set("status", status);
  return Response::json(o);
}

}  // namespace

void add_api_routes(Router& router, service::Context& ctx, const service::SessionPolicy& policy,
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

  router.add("GET", "/api/v1/audits", Access::kSession, [c](Request& r) {
    return page(r, service::list_audits(*c, r.principal()), audit_json);
  });
  router.add("GET", "/api/v1/audits/{id}", Access::kSession,
             [c](Request& r) { return audit_detail(*c, r); });

  router.add("GET", "/api/v1/reviews", Access::kSession,
             [c](Request& r) { return review_list(*c, r); });
  router.add("GET", "/api/v1/reviews/{id}", Access::kSession,
             [c](Request& r) { return review_detail(*c, r); });
  router.add("PUT", "/api/v1/reviews/{id}/answers", Access::kSession,
             [c](Request& r) { return save_answers(*c, r); });
  router.add("POST", "/api/v1/reviews/{id}/submit", Access::kSession,
             [c](Request& r) { return submit(*c, r); });
  router.add("POST", "/api/v1/reviews/{id}/return", Access::kSession,
             [c](Request& r) { return return_review(*c, r); });
  router.add("POST", "/api/v1/reviews/{id}/accept", Access::kSession,
             [c](Request& r) { return accept(*c, r); });

  router.add("GET", "/api/v1/flags", Access::kSession,
             [c](Request& r) { return flag_list(*c, r); });
  router.add("POST", "/api/v1/flags/{id}/confirm", Access::kSession,
             [c](Request& r) { return decide_flag(*c, r, "confirmed"); });
  router.add("POST", "/api/v1/flags/{id}/dismiss", Access::kSession,
             [c](Request& r) { return decide_flag(*c, r, "dismissed"); });
}

}  // namespace pathaudit::http
