// Routes for administration: /api/v1/users (list, add, disable, password reset),
// /api/v1/agencies (list, add), /api/v1/keys (status) and /api/v1/audit-log (entries and chain
// verification). The service decides who may: admins manage users, agencies and keys; the audit
// log is for admins and QA leads; every signed-in role may list the agencies. No password or key
// material is ever put in an answer.
#include <algorithm>

#include "core/date.h"
#include "core/errors.h"
#include "http/api_support.h"
#include "service/agencies.h"
#include "service/audit_log.h"
#include "service/keys.h"
#include "service/users.h"
#include "service/verify_log.h"

namespace pathaudit::http {
namespace {

using Poco::JSON::Object;

Poco::Dynamic::Var string_or_null(const std::string& s) {
  return s.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(s);
}

// ---- users -------------------------------------------------------------------------------------

Object::Ptr user_json(const service::UserRecord& u) {
  Object::Ptr o = new Object;
  o->set("username", u.username);
  o->set("display_name", u.display_name);
  o->set("role", u.role);
  o->set("agency", string_or_null(u.agency));
  o->set("status", u.disabled ? "disabled" : "active");
  o->set("created_at", u.created_at);
  return o;
}

Response user_list(service::Context& ctx, Request& req) {
  return page(req, service::list_users(ctx, req.principal()), user_json);
}

Response add_user(service::Context& ctx, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"username", "display_name", "role", "agency", "password"});
  service::NewUser u;
  u.username = body.at("username").as_string();
  u.display_name = body.at("display_name").as_string();
  const service::JsonNode role = body.at("role");
  u.role = role.as_string();
  const auto& roles = service::user_roles();
  if (std::find(roles.begin(), roles.end(), u.role) == roles.end())
    role.fail("expected one of admin, qa_lead, auditor, board");
  if (auto a = body.find("agency"); a && !a->is_null())
    u.agency = a->as_string();
  if (u.role == "auditor" && (!u.agency || u.agency->empty()))
    body.fail("an auditor belongs to one agency: give agency, its code in the partnership");
  u.password = body.at("password").as_string();
  return Response::json(*user_json(service::add_user(ctx, req.principal(), u)), 201);
}

Response disable_user(service::Context& ctx, Request& req) {
  const std::string username = req.params.at("username");
  const bool changed = service::disable_user(ctx, req.principal(), username);
  Object o;
  o.set("username", username);
  o.set("status", "disabled");
  o.set("changed", changed);
  return Response::json(o);
}

Response reset_password(service::Context& ctx, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"password"});
  service::reset_password(ctx, req.principal(), req.params.at("username"),
                          body.at("password").as_string());
  return Response::no_content();
}

// ---- agencies ----------------------------------------------------------------------------------

Object::Ptr agency_json(const service::AgencyRecord& a) {
  Object::Ptr o = new Object;
  o->set("code", a.code);
  o->set("name", a.name);
  o->set("kind", a.kind);
  o->set("active", a.active);
  return o;
}

Response agency_list(service::Context& ctx, Request& req) {
  return page(req, service::list_agencies(ctx, req.principal()), agency_json);
}

Response add_agency(service::Context& ctx, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"code", "name", "kind"});
  core::Agency a;
  a.code = body.at("code").as_string();
  a.name = body.at("name").as_string();
  a.kind = body.at("kind").as_string();
  return Response::json(*agency_json(service::add_agency(ctx, req.principal(), a)), 201);
}

// ---- keys --------------------------------------------------------------------------------------

Response key_list(service::Context& ctx, Request& req) {
  return page(req, service::key_status(ctx, req.principal()), [](const service::KeyStatus& k) {
    Object::Ptr o = new Object;
    o->set("id", static_cast<std::int64_t>(k.id));
    o->set("purpose", k.purpose);
    o->set("state", k.state);
    o->set("primary", k.primary);
    o->set("created_at", k.created_at);
    o->set("sealed_fields", k.sealed_fields);
    return o;
  });
}

// ---- audit log ---------------------------------------------------------------------------------

// ?since= and ?until=: a date (the whole day) or a UTC timestamp as the log writes them.
std::string time_bound(const Request& req, const std::string& name, bool end_of_day) {
  const std::string v = req.query_string(name);
  if (v.empty())
    return v;
  if (v.size() == 10 && core::Date::parse_iso(v))
    return v + (end_of_day ? "T23:59:59Z" : "T00:00:00Z");
  const bool shape = v.size() == 20 && v[10] == 'T' && v[13] == ':' && v[16] == ':' &&
                     v[19] == 'Z' && core::Date::parse_iso(v.substr(0, 10)) &&
                     std::all_of(v.begin() + 11, v.begin() + 19,
                                 [](char c) { return c == ':' || (c >= '0' && c <= '9'); });
  if (!shape) {
    throw core::ValidationError("query parameter " + name +
                                ": expected a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ");
  }
  return v;
}

Response audit_log(service::Context& ctx, Request& req) {
  store::AuditLogFilter f;
  f.action = req.query_string("action");
  f.actor = req.query_string("actor");
  f.since = time_bound(req, "since", false);
  f.until = time_bound(req, "until", true);
  const PageRequest p = page_request(req);
  const auto log = service::read_audit_log(ctx, req.principal(), f, p.limit, p.offset);
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& e : log.entries) {
    Object::Ptr o = new Object;
    o->set("seq", e.seq);
    o->set("at", e.at);
    o->set("actor", e.actor);
    o->set("action", e.action);
    o->set("object", e.object);
    o->set("outcome", e.outcome);
    items->add(o);
  }
  return page_answer(items, p, log.total);
}

Response verify(service::Context& ctx, Request& req) {
  const store::AuditLogVerification v = service::verify_log(ctx, req.principal());
  Object o;
  o.set("ok", v.ok);
  o.set("entries", v.entries);
  o.set("head_hash", v.head_hash);
  if (!v.ok) {
    o.set("first_bad_seq", *v.first_bad_seq);
    o.set("problem", v.problem);
  }
  return Response::json(o);
}

}  // namespace

void add_admin_routes(Router& router, service::Context& ctx) {
  service::Context* c = &ctx;

  router.add("GET", "/api/v1/users", Access::kSession,
             [c](Request& r) { return user_list(*c, r); });
  router.add("POST", "/api/v1/users", Access::kSession,
             [c](Request& r) { return add_user(*c, r); });
  router.add("POST", "/api/v1/users/{username}/disable", Access::kSession,
             [c](Request& r) { return disable_user(*c, r); });
  router.add("POST", "/api/v1/users/{username}/password", Access::kSession,
             [c](Request& r) { return reset_password(*c, r); });

  router.add("GET", "/api/v1/agencies", Access::kSession,
             [c](Request& r) { return agency_list(*c, r); });
  router.add("POST", "/api/v1/agencies", Access::kSession,
             [c](Request& r) { return add_agency(*c, r); });

  router.add("GET", "/api/v1/keys", Access::kSession, [c](Request& r) { return key_list(*c, r); });

  router.add("GET", "/api/v1/audit-log", Access::kSession,
             [c](Request& r) { return audit_log(*c, r); });
  router.add("GET", "/api/v1/audit-log/verification", Access::kSession,
             [c](Request& r) { return verify(*c, r); });
}

}  // namespace pathaudit::http
