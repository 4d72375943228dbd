#include "service/rule_set_file.h"

#include <set>

#include "core/agency.h"
#include "core/vocabulary.h"
#include "service/json_file.h"

namespace pathaudit::service {
namespace {

core::EventType event_type_at(const JsonNode& node) {
  const auto t = core::parse_event_type(node.as_string());
  if (!t)
    node.fail("expected an event type, one of " + core::vocabulary_list(core::event_types()));
  return *t;
}

std::vector<core::EventType> event_types_at(const JsonNode& node) {
  std::vector<core::EventType> out;
  for (const JsonNode& e : node.elements())
    out.push_back(event_type_at(e));
  if (out.empty())
    node.fail("expected at least one event type");
  return out;
}

std::string agency_kind_at(const JsonNode& node) {
  std::string kind = node.as_string();
  if (!core::is_agency_kind(kind))
    node.fail("expected an agency kind, one of " + core::vocabulary_list(core::agency_kinds()));
  return kind;
}

std::vector<std::string> agency_kinds_at(const JsonNode& node) {
  std::vector<std::string> out;
  for (const JsonNode& e : node.elements())
    out.push_back(agency_kind_at(e));
  if (out.empty())
    node.fail("expected at least one agency kind");
  return out;
}

std::vector<std::string> codes_at(const JsonNode& node) {
  std::vector<std::string> out;
  for (const JsonNode& e : node.elements())
    out.push_back(e.as_nonempty_string());
  if (out.empty())
    node.fail("expected at least one code");
  return out;
}

int count_at(const JsonNode& node, int min, int max) {
  const std::int64_t v = node.as_int();
  if (v < min || v > max)
    node.fail("expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return static_cast<int>(v);
}

core::Period period_at(const JsonNode& node) {
  node.allow_only({"days", "working_days", "months"});
  core::Period p;
  int set = 0;
  if (auto d = node.find("days")) {
    p = {core::Period::Unit::days, count_at(*d, 0, 3660)};
    ++set;
  }
  if (auto d = node.find("working_days")) {
    p = {core::Period::Unit::working_days, count_at(*d, 0, 2600)};
    ++set;
  }
  if (auto d = node.find("months")) {
    p = {core::Period::Unit::months, count_at(*d, 0, 120)};
    ++set;
  }
  if (set != 1)
    node.fail("expected exactly one of days, working_days or months");
  return p;
}

core::EventSelector selector_at(const JsonNode& node) {
  node.allow_only({"event_type", "agency_kind", "outcome"});
  core::EventSelector s;
  s.type = event_type_at(node.at("event_type"));
  if (auto k = node.find("agency_kind"))
    s.agency_kind = agency_kind_at(*k);
  if (auto o = node.find("outcome")) {
    s.outcome = o->as_string();
    if (!core::is_code_token(s.outcome))
      o->fail("expected a lower-case outcome code");
  }
  return s;
}

core::RuleParameters parameters_at(const JsonNode& rule, const std::string& evaluator) {
  if (evaluator == "duplicate_referral") {
    rule.allow_only({"id", "evaluator", "severity", "title", "basis", "event_type", "window_days"});
    return core::DuplicateReferralRule{event_type_at(rule.at("event_type")),
                                       count_at(rule.at("window_days"), 0, 3660)};
  }
  if (evaluator == "repeated_account") {
    rule.allow_only({"id", "evaluator", "severity", "title", "basis", "account_types", "min_events",
                     "min_agencies", "window_days"});
    return core::RepeatedAccountRule{
        event_types_at(rule.at("account_types")), count_at(rule.at("min_events"), 2, 100),
        count_at(rule.at("min_agencies"), 1, 100), count_at(rule.at("window_days"), 0, 3660)};
  }
  if (evaluator == "attendance") {
    rule.allow_only(
        {"id", "evaluator", "severity", "title", "basis", "event_type", "required_kinds"});
    return core::AttendanceRule{event_type_at(rule.at("event_type")),
                                agency_kinds_at(rule.at("required_kinds"))};
  }
  if (evaluator == "shared_after") {
    rule.allow_only(
        {"id", "evaluator", "severity", "title", "basis", "event_types", "to_kinds", "within"});
    return core::SharedAfterRule{event_types_at(rule.at("event_types")),
                                 agency_kinds_at(rule.at("to_kinds")),
                                 period_at(rule.at("within"))};
  }
  if (evaluator == "outcome_shared") {
    rule.allow_only({"id", "evaluator", "severity", "title", "basis", "event_types",
                     "involvement_days", "within"});
    return core::OutcomeSharedRule{event_types_at(rule.at("event_types")),
                                   count_at(rule.at("involvement_days"), 0, 3660),
                                   period_at(rule.at("within"))};
  }
  if (evaluator == "timescale") {
    rule.allow_only(
        {"id", "evaluator", "severity", "title", "basis", "start", "end", "limit", "anchor"});
    core::TimescaleRule t;
    t.start = selector_at(rule.at("start"));
    t.end = selector_at(rule.at("end"));
    t.limit = period_at(rule.at("limit"));
    const JsonNode anchor = rule.at("anchor");
    const std::string a = anchor.as_string();
    if (a == "start")
      t.anchor = core::TimescaleRule::Anchor::start;
    else if (a == "end")
      t.anchor = core::TimescaleRule::Anchor::end;
    else
      anchor.fail("expected start or end");
    return t;
  }
  if (evaluator == "review_schedule") {
    rule.allow_only({"id", "evaluator", "severity", "title", "basis", "start", "review",
                     "plan_start", "plan_end", "first", "later"});
    return core::ReviewScheduleRule{
        event_type_at(rule.at("start")),      event_type_at(rule.at("review")),
        event_type_at(rule.at("plan_start")), event_type_at(rule.at("plan_end")),
        period_at(rule.at("first")),          period_at(rule.at("later"))};
  }
  if (evaluator == "follow_up") {
    rule.allow_only({"id", "evaluator", "severity", "title", "basis", "trigger", "child_codes",
                     "follow_up_types", "within"});
    return core::FollowUpRule{event_type_at(rule.at("trigger")), codes_at(rule.at("child_codes")),
                              event_types_at(rule.at("follow_up_types")),
                              period_at(rule.at("within"))};
  }
  // outcome_wording (the caller checked the name).
  rule.allow_only(
      {"id", "evaluator", "severity", "title", "basis", "event_type", "discouraged", "preferred"});
  core::OutcomeWordingRule w;
  w.type = event_type_at(rule.at("event_type"));
  w.discouraged = codes_at(rule.at("discouraged"));
  if (auto p = rule.find("preferred"))
    w.preferred = p->as_string();
  return w;
}

}  // namespace

core::RuleSet load_rule_set(const std::string& file) {
  return parse_rule_set(read_input_file(file), file);
}

core::RuleSet parse_rule_set(const std::string& json, const std::string& source_name) {
  const JsonNode root = JsonNode::parse_text(json, source_name);
  root.allow_only({"key", "version", "title", "calendar", "rules"});
  core::RuleSet set;
  const JsonNode key = root.at("key");
  set.key = key.as_string();
  if (!core::is_code_token(set.key))
    key.fail("expected a lower-case key of letters, digits and '_'");
  set.version = count_at(root.at("version"), 1, 1000000);
  set.title = root.at("title").as_nonempty_string();
  set.calendar = root.at("calendar").as_nonempty_string();
  std::set<std::string> ids;
  const auto rules = root.at("rules").elements();
  if (rules.empty())
    root.at("rules").fail("expected at least one rule");
  for (const JsonNode& r : rules) {
    core::Rule rule;
    const JsonNode id = r.at("id");
    rule.id = id.as_string();
    if (!core::is_code_token(rule.id))
      id.fail("expected a rule id of lower-case letters, digits and '_'");
    if (!ids.insert(rule.id).second)
      id.fail("rule id " + rule.id + " appears twice");
    const JsonNode evaluator = r.at("evaluator");
    const std::string name = evaluator.as_string();
    if (!core::in_vocabulary(core::evaluator_names(), name))
      evaluator.fail("expected one of " + core::vocabulary_list(core::evaluator_names()));
    const JsonNode severity = r.at("severity");
    const auto sev = core::parse_severity(severity.as_string());
    if (!sev)
      severity.fail("expected low, medium or high");
    rule.severity = *sev;
    rule.title = r.at("title").as_nonempty_string();
    rule.basis = r.at("basis").as_nonempty_string();
    rule.parameters = parameters_at(r, name);
    set.rules.push_back(std::move(rule));
  }
  return set;
}

std::string rule_set_path(const Settings& settings) {
  if (auto configured = settings.get("rules"))
    return *configured;
  return settings.templates_dir() + "/rules/default/1.json";
}

std::string calendar_path(const Settings& settings, const std::string& calendar_id) {
  return settings.templates_dir() + "/calendars/" + calendar_id + ".json";
}

}  // namespace pathaudit::service
