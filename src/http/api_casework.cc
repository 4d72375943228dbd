// Routes of the casework after the returns: a case's discussion, moderation and lock; live
// safeguarding concerns; actions; an audit's collation and its comparison with another; exports,
// made, listed and downloaded once. The same use cases and error texts as the CLI's `review
// discuss|moderate|lock|concerns|acknowledge`, `actions`, `audit collate|compare` and `export`.
#include <Poco/Dynamic/Var.h>

#include <memory>

#include "core/errors.h"
#include "http/api_support.h"
#include "service/actions.h"
#include "service/collation.h"
#include "service/exports.h"
#include "service/reviews.h"

namespace pathaudit::http {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::int64_t kMaxId = INT64_MAX / 2;

Poco::Dynamic::Var optional_number(const std::optional<double>& v) {
  return v ? Poco::Dynamic::Var(*v) : Poco::Dynamic::Var();
}

// ?name=true|false, `fallback` when absent.
bool query_flag(const Request& req, const std::string& name, bool fallback) {
  const std::string v = req.query_string(name);
  if (v.empty())
    return fallback;
  if (v != "true" && v != "false")
    throw core::ValidationError("query parameter " + name + ": expected true or false");
  return v == "true";
}

// ---- the case ----------------------------------------------------------------------------------

Response discussion(service::Context& ctx, Request& req) {
  req.json();  // Content-Type and syntax, before the service reads the same text
  const auto d = service::parse_discussion(req.body, "request body");
  const auto r = service::record_discussion(ctx, req.principal(), req.id_param("id"), d);
  Object o;
  o.set("state", r.state);
  o.set("actions_added", static_cast<std::int64_t>(r.actions_added));
  return Response::json(o);
}

Response moderation(service::Context& ctx, Request& req) {
  // No body (or an empty one): every grade is moderated as the auditor gave it, as with no --file.
  std::vector<service::ModerationEntry> entries;
  if (!req.body.empty()) {
    req.json();
    entries = service::parse_moderation(req.body, "request body");
  }
  const auto r = service::moderate_case(ctx, req.principal(), req.id_param("id"), entries);
  Object o;
  o.set("state", "moderated");
  o.set("grades", static_cast<std::int64_t>(r.grades));
  o.set("changed", static_cast<std::int64_t>(r.changed));
  return Response::json(o);
}

Response lock(service::Context& ctx, Request& req) {
  service::lock_case(ctx, req.principal(), req.id_param("id"));
  Object o;
  o.set("state", "locked");
  return Response::json(o);
}

// ---- live safeguarding concerns ----------------------------------------------------------------

Object::Ptr concern_json(const service::ConcernView& c) {
  Object::Ptr o = new Object;
  o->set("id", c.id);
  o->set("audit", c.audit_id);
  o->set("case", c.case_id);
  o->set("review", c.review_id);
  o->set("child_key", c.child_key);
  o->set("agency", c.agency);
  o->set("raised_by", c.raised_by);
  o->set("raised_at", c.raised_at);
  o->set("status", c.status);
  o->set("acknowledged_by", c.acknowledged_by);
  o->set("acknowledged_at", c.acknowledged_at);
  o->set("description", c.description);
  return o;
}

Response concern_list(service::Context& ctx, Request& req) {
  const std::int64_t audit = req.query_int("audit", 0, 1, kMaxId);
  const bool all = query_flag(req, "all", false);
  return page(req, service::list_concerns(ctx, req.principal(), audit, !all), concern_json);
}

Response acknowledge(service::Context& ctx, Request& req) {
  service::acknowledge_concern(ctx, req.principal(), req.id_param("id"));
  Object o;
  o.set("id", req.id_param("id"));
  o.set("status", "acknowledged");
  return Response::json(o);
}

// ---- actions -----------------------------------------------------------------------------------

Object::Ptr action_json(const service::ActionView& a) {
  Object::Ptr o = new Object;
  o->set("id", a.id);
  o->set("audit", a.audit_id);
  o->set("case", a.case_id ? Poco::Dynamic::Var(a.case_id) : Poco::Dynamic::Var());
  o->set("child_key", a.child_key);
  o->set("owner", a.owner);
  o->set("due", a.due.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(a.due));
  o->set("status", a.status);
  o->set("overdue", a.overdue);
  o->set("description", a.description);
  o->set("created_by", a.created_by);
  o->set("created_at", a.created_at);
  o->set("updated_at", a.updated_at);
  return o;
}

Response action_list(service::Context& ctx, Request& req) {
  service::ActionQuery q;
  q.audit_id = req.query_int("audit", 0, 1, kMaxId);
  q.owner = req.query_string("owner");
  q.status = req.query_string("status");
  q.overdue_only = query_flag(req, "overdue", false);
  return page(req, service::list_actions(ctx, req.principal(), q), action_json);
}

Response add_action(service::Context& ctx, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"description", "owner", "due", "case"});
  service::NewAction a;
  a.path = "request body: $";
  a.description = body.at("description").as_string();
  a.owner = body.at("owner").as_string();
  if (auto due = body.find("due"); due && !due->is_null())
    a.due = due->as_string();
  std::int64_t case_id = 0;
  if (auto c = body.find("case"); c && !c->is_null()) {
    case_id = c->as_int();
    if (case_id < 1)
      c->fail("expected a case id, a whole number from 1");
  }
  const std::int64_t id = service::add_action(ctx, req.principal(), req.id_param("id"), case_id, a);
  Object o;
  o.set("id", id);
  return Response::json(o, 201);
}

Response update_action(service::Context& ctx, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"status", "due", "owner"});
  service::ActionChange change;
  if (auto v = body.find("status"))
    change.status = v->as_string();
  if (auto v = body.find("owner"))
    change.owner = v->as_string();
  if (auto v = body.find("due"))
    change.due = v->is_null() ? std::string() : v->as_string();  // null removes the due date
  return Response::json(
      *action_json(service::update_action(ctx, req.principal(), req.id_param("id"), change)));
}

// ---- collation ---------------------------------------------------------------------------------

Object::Ptr counts_json(const std::map<std::string, std::int64_t>& counts) {
  Object::Ptr o = new Object;
  for (const auto& [k, v] : counts)
    o->set(k, v);
  return o;
}

Object::Ptr agreement_json(const core::Agreement& a) {
  Object::Ptr o = new Object;
  o->set("pairs", static_cast<std::int64_t>(a.pairs));
  o->set("agreed", static_cast<std::int64_t>(a.agreed));
  o->set("percent", optional_number(a.percent));
  o->set("kappa", optional_number(a.kappa));
  return o;
}

Array::Ptr cells_json(const std::vector<service::GradeCell>& cells, bool with_agency) {
  Array::Ptr a = new Array;
  for (const auto& g : cells) {
    Object::Ptr o = new Object;
    o->set("stage", g.stage);
    if (with_agency)
      o->set("agency", g.agency);
    o->set("grade", g.grade);
    o->set("count", g.count);
    a->add(o);
  }
  return a;
}

Object::Ptr collation_json(const service::Collation& c) {
  Object::Ptr o = new Object;
  o->set("audit", c.audit_id);
  o->set("title", c.title);
  o->set("template", c.template_ref);
  o->set("dual_review", c.dual_review);
  o->set("cases", c.cases);
  o->set("cases_by_state", counts_json(c.cases_by_state));
  o->set("returns_by_state", counts_json(c.returns_by_state));
  o->set("returns_counted", c.returns_counted);
  Array::Ptr stages = new Array;
  for (const auto& s : c.stages) {
    Object::Ptr x = new Object;
    x->set("id", s.id);
    x->set("title", s.title);
    x->set("part", s.part);
    x->set("scale", s.scale);
    stages->add(x);
  }
  o->set("stages", stages);
  o->set("agencies", json_strings(c.agencies));
  o->set("grades", cells_json(c.grades, true));
  o->set("agreed_grades", cells_json(c.agreed, false));
  o->set("grades_moderated", c.grades_moderated);
  o->set("grades_changed_by_moderation", c.grades_changed_by_moderation);
  Array::Ptr flags = new Array;
  for (const auto& f : c.flags) {
    Object::Ptr x = new Object;
    x->set("rule", f.rule);
    x->set("open", f.open);
    x->set("confirmed", f.confirmed);
    x->set("dismissed", f.dismissed);
    flags->add(x);
  }
  o->set("flags", flags);
  o->set("themes", counts_json(c.themes));
  Array::Ptr actions = new Array;
  for (const auto& a : c.actions) {
    Object::Ptr x = new Object;
    x->set("owner", a.owner);
    x->set("by_status", counts_json(a.by_status));
    x->set("overdue", a.overdue);
    actions->add(x);
  }
  o->set("actions", actions);
  o->set("actions_overdue", c.actions_overdue);
  Array::Ptr agreement = new Array;
  for (const auto& q : c.agreement) {
    Object::Ptr x = agreement_json(q.agreement);
    x->set("question", q.question_id);
    x->set("stage", q.stage);
    agreement->add(x);
  }
  o->set("agreement", agreement);
  o->set("overall_agreement", agreement_json(c.overall_agreement));
  return o;
}

Response comparison(service::Context& ctx, Request& req) {
  if (req.query_string("with").empty())
    throw core::ValidationError("query parameter with: give the id of the audit to compare with");
  const std::int64_t with = req.query_int("with", 0, 1, kMaxId);
  const auto c = service::compare_audits(ctx, req.principal(), req.id_param("id"), with);
  Object o;
  o.set("first", c.first.audit_id);
  o.set("second", c.second.audit_id);
  Array::Ptr rows = new Array;
  for (const auto& r : c.rows) {
    Object::Ptr x = new Object;
    x->set("stage", r.stage);
    x->set("title", r.title);
    x->set("grade", r.grade);
    x->set("first_count", r.first_count);
    x->set("first_total", r.first_total);
    x->set("second_count", r.second_count);
    x->set("second_total", r.second_total);
    rows->add(x);
  }
  o.set("rows", rows);
  return Response::json(o);
}

// ---- exports -----------------------------------------------------------------------------------

// A manifest as the API shows it: never where the file waits.
Object::Ptr manifest_json(const service::ExportManifest& m) {
  Object::Ptr o = new Object;
  o->set("id", m.id);
  o->set("audit", m.audit_id);
  o->set("kind", m.kind);
  o->set("profile", m.profile);
  o->set("rows", m.rows);
  o->set("created_at", m.created_at);
  o->set("expires_at", m.expires_at);
  o->set("sha256", m.sha256);
  return o;
}

Response create_export(service::Context& ctx, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"audit", "kind", "reason", "profile"});
  service::ExportRequest r;
  const service::JsonNode audit = body.at("audit");
  r.audit_id = audit.as_int();
  if (r.audit_id < 1)
    audit.fail("expected an audit id, a whole number from 1");
  r.kind = body.at("kind").as_string();
  r.reason = body.at("reason").as_string();
  if (auto p = body.find("profile"); p && !p->is_null()) {
    const auto profile = exports::parse_profile(p->as_string());
    if (!profile)
      p->fail("expected dfe or nhs");
    r.profile = *profile;
  }
  return Response::json(*manifest_json(service::create_export(ctx, req.principal(), r)), 201);
}

Response export_file(service::Context& ctx, Request& req) {
  auto d = std::make_shared<service::ExportDelivery>(
      service::open_export(ctx, req.principal(), req.id_param("id")));
  Response res;
  res.content_type = d->media_type();
  res.body = d->bytes();
  res.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"" + d->file_name() + "\"");
  // Delivered only once the connection took every byte; if the download fails the export keeps
  // waiting (the claim is released when the response, and with it `d`, is destroyed).
  res.on_sent = [d] { d->delivered(); };
  return res;
}

}  // namespace

void add_casework_routes(Router& router, service::Context& ctx) {
  service::Context* c = &ctx;

  router.add("POST", "/api/v1/cases/{id}/discussion", Access::kSession,
             [c](Request& r) { return discussion(*c, r); });
  router.add("POST", "/api/v1/cases/{id}/moderation", Access::kSession,
             [c](Request& r) { return moderation(*c, r); });
  router.add("POST", "/api/v1/cases/{id}/lock", Access::kSession,
             [c](Request& r) { return lock(*c, r); });

  router.add("GET", "/api/v1/concerns", Access::kSession,
             [c](Request& r) { return concern_list(*c, r); });
  router.add("POST", "/api/v1/concerns/{id}/acknowledge", Access::kSession,
             [c](Request& r) { return acknowledge(*c, r); });

  router.add("GET", "/api/v1/actions", Access::kSession,
             [c](Request& r) { return action_list(*c, r); });
  router.add("POST", "/api/v1/audits/{id}/actions", Access::kSession,
             [c](Request& r) { return add_action(*c, r); });
  router.add("PATCH", "/api/v1/actions/{id}", Access::kSession,
             [c](Request& r) { return update_action(*c, r); });

  router.add("GET", "/api/v1/audits/{id}/collation", Access::kSession, [c](Request& r) {
    return Response::json(*collation_json(service::collate(*c, r.principal(), r.id_param("id"))));
  });
  router.add("GET", "/api/v1/audits/{id}/comparison", Access::kSession,
             [c](Request& r) { return comparison(*c, r); });

  router.add("POST", "/api/v1/exports", Access::kSession,
             [c](Request& r) { return create_export(*c, r); });
  router.add("GET", "/api/v1/exports", Access::kSession, [c](Request& r) {
    return page(r, service::waiting_exports_for(*c, r.principal()), manifest_json);
  });
  router.add("GET", "/api/v1/exports/{id}/file", Access::kSession,
             [c](Request& r) { return export_file(*c, r); });
}

}  // namespace pathaudit::http
