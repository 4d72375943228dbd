// Routes: /api/v1/templates, /api/v1/audits (set-up, sampling, assignment), /api/v1/cases,
// /api/v1/flags/summary and /api/v1/metrics. Imports are in api_imports.cc.
#include <Poco/JSON/Parser.h>

#include "core/errors.h"
#include "http/api_support.h"
#include "service/audits.h"
#include "service/cases.h"
#include "service/chronology_json.h"
#include "service/flags.h"
#include "service/metrics.h"
#include "service/reviews.h"
#include "service/sampling.h"
#include "service/templates.h"

namespace pathaudit::http {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// A list of strings at `node` (absent: empty); errors name the JSON path.
std::vector<std::string> string_list(const std::optional<service::JsonNode>& node) {
  std::vector<std::string> out;
  if (node) {
    for (const auto& e : node->elements())
      out.push_back(e.as_nonempty_string());
  }
  return out;
}

// ---- templates ---------------------------------------------------------------------------------

Object::Ptr template_json(const service::TemplateListing& t) {
  Object::Ptr o = new Object;
  o->set("key", t.record.key);
  o->set("version", t.record.version);
  o->set("ref", t.record.key + "@" + std::to_string(t.record.version));
  o->set("title", t.record.title);
  o->set("sha256", t.record.sha256);
  o->set("imported_at", t.record.imported_at);
  o->set("in_use", t.in_use);
  return o;
}

Response import_template(service::Context& ctx, Request& req) {
  req.json();  // Content-Type and syntax, before the service reads the same text
  const auto r = service::import_template_text(ctx, req.principal(), req.body, "request body");
  Object o;
  o.set("id", r.id);
  o.set("key", r.key);
  o.set("version", r.version);
  o.set("ref", r.key + "@" + std::to_string(r.version));
  o.set("title", r.title);
  o.set("sha256", r.sha256);
  o.set("sections", static_cast<std::int64_t>(r.sections));
  o.set("questions", static_cast<std::int64_t>(r.questions));
  o.set("imported", r.imported);
  // The same bytes again change nothing: 200, not 201.
  return Response::json(o, r.imported ? 201 : 200);
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
    Poco::JSON::Array::Ptr cases = new Poco::JSON::Array;
    for (const auto& c : v.cases) {
      Object::Ptr item = new Object;
      item->set("id", c.case_id);
      item->set("child_key", c.child_key);
      item->set("stratum", c.stratum);
      cases->add(item);
    }
    s->set("cases", cases);
    o.set("sample", s);
  } else {
    o.set("sample", Poco::Dynamic::Var());
  }
  o.set("returns", v.returns);
  o.set("unassigned_returns", v.unassigned_returns);
  o.set("discussions", v.discussions);
  return Response::json(o);
}

// The body of `pathaudit audit create`'s options, as JSON.
Response create_audit(service::Context& ctx, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"title", "template", "period_start", "period_end", "scope", "dual_review"});
  service::NewAudit audit;
  audit.title = body.at("title").as_string();
  audit.template_ref = body.at("template").as_string();
  audit.period_start = body.at("period_start").as_string();
  audit.period_end = body.at("period_end").as_string();
  if (const auto scope = body.find("scope"); scope && !scope->is_null()) {
    scope->allow_only({"categories", "flag_rules", "entry_points"});
    audit.scope.categories = string_list(scope->find("categories"));
    audit.scope.flag_rules = string_list(scope->find("flag_rules"));
    audit.scope.entry_points = string_list(scope->find("entry_points"));
  }
  if (const auto dual = body.find("dual_review"))
    audit.dual_review = dual->as_bool();
  const auto a = service::create_audit(ctx, req.principal(), audit);
  Response r = Response::json(*audit_json(a), 201);
  r.headers.emplace_back("Location", "/api/v1/audits/" + std::to_string(a.id));
  return r;
}

// `pathaudit sample`: {size, seed, strata, include_flagged}.
Response draw_sample(service::Context& ctx, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"size", "seed", "strata", "include_flagged"});
  service::SampleOptions options;
  options.audit_id = req.id_param("id");
  options.size = body.at("size").as_int();
  const service::JsonNode seed = body.at("seed");
  const std::int64_t seed_value = seed.as_int();
  if (seed_value < 0)
    seed.fail("expected a whole number from 0");
  options.seed = static_cast<std::uint64_t>(seed_value);
  if (const auto strata = body.find("strata"); strata && !strata->is_null())
    options.strata = strata->as_string();
  if (const auto k = body.find("include_flagged"))
    options.include_flagged = k->as_int();
  const auto s = service::draw_audit_sample(ctx, req.principal(), options);
  Object o;
  o.set("sample_id", s.sample_id);
  o.set("audit_id", options.audit_id);
  o.set("population_size", s.population_size);
  o.set("population_hash", s.population_hash);
  o.set("method", s.method);
  o.set("seed", s.seed);
  o.set("replaced_sample_id",
        s.replaced_sample_id ? Poco::Dynamic::Var(*s.replaced_sample_id) : Poco::Dynamic::Var());
  Array::Ptr cases = new Array;
  for (const auto& c : s.cases) {
    Object::Ptr row = new Object;
    row->set("child_key", c.child_key);
    row->set("stratum", c.stratum);
    row->set("flagged", c.flagged);
    cases->add(row);
  }
  o.set("cases", cases);
  return Response::json(o, 201);
}

// `pathaudit assign`: {qa_lead, auditors: {AGENCY: [usernames]}}.
Response assign(service::Context& ctx, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"qa_lead", "auditors"});
  service::AssignOptions options;
  options.audit_id = req.id_param("id");
  options.qa_lead = body.at("qa_lead").as_nonempty_string();
  if (const auto auditors = body.find("auditors"); auditors && !auditors->is_null()) {
    for (const auto& [agency, users] : auditors->members())
      options.auditors[agency] = string_list(users);
  }
  const auto r = service::assign_audit(ctx, req.principal(), options);
  Array::Ptr rows = new Array;
  for (const auto& row : r.rows) {
    Object::Ptr o = new Object;
    o->set("kind", row.kind);
    o->set("agency", row.agency);
    o->set("cases", row.cases);
    o->set("created", row.created);
    o->set("assigned", row.assigned);
    o->set("unassigned", row.unassigned);
    o->set("held_by_disabled", row.held_by_disabled);
    o->set("assignees", row.assignees);
    rows->add(o);
  }
  Object o;
  o.set("audit_id", options.audit_id);
  o.set("rows", rows);
  o.set("agencies_without_auditor", json_strings(r.agencies_without));
  return Response::json(o);
}

// ---- cases -------------------------------------------------------------------------------------

Response case_detail(service::Context& ctx, Request& req) {
  const auto d = service::show_case(ctx, req.principal(), req.id_param("id"));
  Object o;
  o.set("case_id", d.case_id);
  o.set("audit_id", d.audit_id);
  o.set("child_key", d.child_key);
  o.set("state", d.state);
  o.set("owner", d.owner);
  o.set("held_on", d.held_on);
  o.set("attendees", json_strings(d.attendees));
  Object::Ptr grades = new Object;
  for (const auto& [stage, grade] : d.agreed_grades)
    grades->set(stage, grade);
  o.set("agreed_grades", grades);
  o.set("learning", d.learning);
  o.set("learning_tags", json_strings(d.learning_tags));
  o.set("learning_board_safe", d.learning_board_safe);
  Array::Ptr returns = new Array;
  for (const auto& r : d.returns) {
    Object::Ptr row = new Object;
    row->set("review_id", r.review_id);
    row->set("agency", r.agency);
    row->set("slot", r.slot);
    row->set("state", r.state);
    returns->add(row);
  }
  o.set("returns", returns);
  return Response::json(o);
}

Response chronology(service::Context& ctx, Request& req) {
  return Response::json(*service::chronology_json(
      service::case_chronology(ctx, req.principal(), req.id_param("id"))));
}

// ---- flags summary and metrics -----------------------------------------------------------------

Object::Ptr flag_count_json(const store::FlagCount& c) {
  Object::Ptr o = new Object;
  o->set("rule", c.rule_id);
  o->set("severity", c.severity);
  o->set("status", c.status);
  o->set("count", c.count);
  return o;
}

// `pathaudit metrics`: ?from=&to= (YYYY-MM-DD) and ?quarters=financial|calendar.
Response metrics(service::Context& ctx, Request& req) {
  service::MetricsOptions options;
  if (req.query.count("from"))
    options.from = req.query_string("from");
  if (req.query.count("to"))
    options.to = req.query_string("to");
  if (req.query.count("quarters")) {
    options.quarters = core::parse_quarter_scheme(req.query_string("quarters"));
    if (!options.quarters)
      throw core::ValidationError("query parameter quarters: expected financial or calendar");
  }
  const auto report = service::compute_metrics(ctx, req.principal(), options);
  Object o;
  o.set("definitions_id", report.definitions_id);
  o.set("definitions_version", report.definitions_version);
  o.set("quarters", std::string(core::quarter_scheme_name(report.quarters)));
  o.set("first_event",
        report.first_event ? Poco::Dynamic::Var(report.first_event->iso()) : Poco::Dynamic::Var());
  o.set("last_event",
        report.last_event ? Poco::Dynamic::Var(report.last_event->iso()) : Poco::Dynamic::Var());
  Array::Ptr measures = new Array;
  for (const auto& m : report.measures) {
    Object::Ptr row = new Object;
    row->set("id", m.id);
    row->set("title", m.title);
    row->set("source", m.source);
    row->set("definition", m.definition);
    row->set("proportion", m.proportion);
    measures->add(row);
  }
  o.set("measures", measures);
  Array::Ptr rows = new Array;
  for (const auto& r : report.rows) {
    Object::Ptr row = new Object;
    row->set("measure", r.measure);
    row->set("quarter", r.quarter.label());
    row->set("numerator", r.numerator);
    row->set("denominator",
             r.denominator ? Poco::Dynamic::Var(*r.denominator) : Poco::Dynamic::Var());
    const auto value = r.value();
    row->set("value", value ? Poco::Dynamic::Var(*value) : Poco::Dynamic::Var());
    rows->add(row);
  }
  o.set("rows", rows);
  return Response::json(o);
}

}  // namespace

void add_audit_routes(Router& router, service::Context& ctx) {
  service::Context* c = &ctx;

  router.add("GET", "/api/v1/templates", Access::kSession, [c](Request& r) {
    return page(r, service::list_templates(*c, r.principal()), template_json);
  });
  router.add("POST", "/api/v1/templates", Access::kSession,
             [c](Request& r) { return import_template(*c, r); });
  router.add("GET", "/api/v1/audits", Access::kSession, [c](Request& r) {
    return page(r, service::list_audits(*c, r.principal()), audit_json);
  });
  router.add("POST", "/api/v1/audits", Access::kSession,
             [c](Request& r) { return create_audit(*c, r); });
  router.add("GET", "/api/v1/audits/{id}", Access::kSession,
             [c](Request& r) { return audit_detail(*c, r); });
  router.add("POST", "/api/v1/audits/{id}/sample", Access::kSession,
             [c](Request& r) { return draw_sample(*c, r); });
  router.add("POST", "/api/v1/audits/{id}/assign", Access::kSession,
             [c](Request& r) { return assign(*c, r); });
  router.add("GET", "/api/v1/cases/{id}", Access::kSession,
             [c](Request& r) { return case_detail(*c, r); });
  router.add("GET", "/api/v1/cases/{id}/chronology", Access::kSession,
             [c](Request& r) { return chronology(*c, r); });
  router.add("GET", "/api/v1/flags/summary", Access::kSession, [c](Request& r) {
    return page(r, service::flag_summary(*c, r.principal()), flag_count_json);
  });
  router.add("GET", "/api/v1/metrics", Access::kSession,
             [c](Request& r) { return metrics(*c, r); });
  add_import_routes(router, ctx);
}

}  // namespace pathaudit::http
