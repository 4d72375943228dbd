// Routes: /api/v1/audits.
#include <Poco/JSON/Parser.h>

#include "http/api_support.h"
#include "service/audits.h"

namespace pathaudit::http {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

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

}  // namespace

void add_audit_routes(Router& router, service::Context& ctx) {
  service::Context* c = &ctx;

  router.add("GET", "/api/v1/audits", Access::kSession, [c](Request& r) {
    return page(r, service::list_audits(*c, r.principal()), audit_json);
  });
  router.add("GET", "/api/v1/audits/{id}", Access::kSession,
             [c](Request& r) { return audit_detail(*c, r); });
}

}  // namespace pathaudit::http
