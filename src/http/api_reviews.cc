// Routes: /api/v1/reviews (list, show, form, answers, submit, return, accept, concerns) and
// /api/v1/flags.
#include "core/errors.h"
#include "http/api_support.h"
#include "service/flags.h"
#include "service/reviews.h"

namespace pathaudit::http {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// ---- reviews -----------------------------------------------------------------------------------

Response review_list(service::Context& ctx, Request& req) {
  service::ReviewQuery q;
  q.audit_id = req.query_int("audit", 0, 1, INT64_MAX / 2);
  q.case_id = req.query_int("case", 0, 1, INT64_MAX / 2);
  q.state = req.query_string("state");
  q.assignee = req.query_string("assignee");
  return page(req, service::list_reviews(ctx, req.principal(), q), service::review_summary_json);
}

Response review_detail(service::Context& ctx, Request& req) {
  return Response::json(
      *service::review_detail_json(service::show_review(ctx, req.principal(), req.id_param("id"))));
}

Poco::Dynamic::Var value_json(const std::optional<core::AnswerValue>& v) {
  if (!v)
    return Poco::Dynamic::Var();
  if (v->is_list)
    return json_strings(v->codes);
  return v->text;
}

// What a browser needs to draw the return's form: the questions as its agency is asked them.
Response review_form(service::Context& ctx, Request& req) {
  Array::Ptr questions = new Array;
  for (const auto& q : service::review_form(ctx, req.principal(), req.id_param("id"))) {
    Object::Ptr o = new Object;
    o->set("id", q.id);
    o->set("section", q.section);
    o->set("stage", q.stage);
    o->set("type", q.type);
    o->set("required", q.required);
    o->set("choices", json_strings(q.choices));
    o->set("text", q.text);
    o->set("help", q.help);
    o->set("resource", q.resource);
    o->set("value", value_json(q.value));
    o->set("section_title", q.section_title);
    o->set("section_description", q.section_description);
    o->set("stage_title", q.stage_title);
    o->set("choice_labels", json_strings(q.choice_labels));
    questions->add(o);
  }
  Object o;
  o.set("review", req.id_param("id"));
  o.set("questions", questions);
  return Response::json(o);
}

Response raise_concern(service::Context& ctx, Request& req) {
  const service::JsonNode body = req.json();
  body.allow_only({"description"});
  const auto r = service::raise_concern(ctx, req.principal(), req.id_param("id"),
                                        body.at("description").as_string());
  Object o;
  o.set("id", r.id);
  o.set("qa_leads_notified", r.qa_leads_notified);
  return Response::json(o, 201);
}

Response save_answers(service::Context& ctx, Request& req) {
  req.json();  // Content-Type and syntax, before the service reads the same text
  const auto set = service::parse_answer_set(req.body, "request body");
  const auto r = service::save_answers(ctx, req.principal(), req.id_param("id"), set);
  Object o;
  o.set("saved", static_cast<std::int64_t>(r.saved));
  o.set("cleared", static_cast<std::int64_t>(r.cleared));
  o.set("state", r.state);
  o.set("missing_required", json_strings(r.missing_required));
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

Response flag_list(service::Context& ctx, Request& req) {
  store::FlagFilter filter;
  filter.rule_id = req.query_string("rule");
  filter.status = req.query_string("status");
  if (!filter.status.empty() && filter.status != "open" && filter.status != "confirmed" &&
      filter.status != "dismissed")
    throw core::ValidationError("query parameter status: expected open, confirmed or dismissed");
  return page(req, service::flag_report(ctx, req.principal(), filter),
              [](const service::FlagReportRow& f) { return service::flag_json(f, true); });
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

void add_review_routes(Router& router, service::Context& ctx) {
  service::Context* c = &ctx;

  router.add("GET", "/api/v1/reviews", Access::kSession,
             [c](Request& r) { return review_list(*c, r); });
  router.add("GET", "/api/v1/reviews/{id}", Access::kSession,
             [c](Request& r) { return review_detail(*c, r); });
  router.add("GET", "/api/v1/reviews/{id}/form", Access::kSession,
             [c](Request& r) { return review_form(*c, r); });
  router.add("POST", "/api/v1/reviews/{id}/concerns", Access::kSession,
             [c](Request& r) { return raise_concern(*c, r); });
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
