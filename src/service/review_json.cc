#include "service/review_json.h"

namespace pathaudit::service {

using Poco::JSON::Array;
using Poco::JSON::Object;

Array::Ptr json_strings(const std::vector<std::string>& values) {
  Array::Ptr a = new Array;
  for (const auto& s : values)
    a->add(s);
  return a;
}

Object::Ptr review_summary_json(const ReviewSummary& r) {
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

Object::Ptr flag_json(const FlagReportRow& f, bool with_child) {
  Object::Ptr x = new Object;
  x->set("id", f.id);
  x->set("rule", f.rule);
  x->set("severity", f.severity);
  x->set("status", f.status);
  x->set("agency", f.agency);
  x->set("event_refs", json_strings(f.event_refs));
  if (with_child)
    x->set("child_key", f.child_key);
  x->set("detail", f.detail);
  return x;
}

Object::Ptr review_detail_json(const ReviewDetail& d) {
  Object::Ptr o = review_summary_json(d.summary);
  o->set("template", d.template_ref);
  o->set("not_applicable", json_strings(d.not_applicable));
  o->set("missing_required", json_strings(d.missing_required));
  o->set("allowed_actions", json_strings(d.allowed_actions));
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
      x->set("value", json_strings(a.value->codes));
    else
      x->set("value", a.value->text);
    x->set("tags", json_strings(a.tags));
    x->set("comment", a.comment);
    x->set("moderated_grade", a.moderated_grade);
    x->set("moderation_rationale", a.moderation_rationale);
    answers->add(x);
  }
  o->set("answers", answers);
  Array::Ptr flags = new Array;
  for (const auto& f : d.flags)
    flags->add(flag_json(f, false));
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
  return o;
}

}  // namespace pathaudit::service
