// The JSON a reviewer or QA lead sends (answers, comments, a discussion, a moderation), read into
// the request types of service/reviews.h: shape only, every error naming the JSON path. What
// the content must satisfy against the template and the stored review is checked by the use
// cases in reviews.cc. Kept apart from them, with no store or crypto, so the parsers can be
// fuzzed on their own (tests/fuzz/json_input_fuzz.cc), and so the HTTP layer and the CLI read
// request bodies the same way.
#include <map>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/errors.h"
#include "core/review.h"
#include "core/template.h"
#include "service/json_file.h"
#include "service/reviews.h"

namespace pathaudit::service {
namespace {

std::vector<std::string> string_list(const JsonNode& node) {
  std::vector<std::string> out;
  for (const JsonNode& e : node.elements())
    out.push_back(e.as_string());
  return out;
}

}  // namespace

AnswerSet parse_answer_set(const std::string& json, const std::string& source_name) {
  const JsonNode root = JsonNode::parse_text(json, source_name);
  root.allow_only({"answers", "not_applicable"});
  AnswerSet set;
  set.source = source_name;
  if (auto na = root.find("not_applicable"))
    set.not_applicable = string_list(*na);
  if (auto answers = root.find("answers")) {
    for (const auto& [id, node] : answers->members()) {
      core::AnswerInput in;
      in.path = node.path();
      in.question_id = id;
      JsonNode value = node;
      bool has_value = true;
      if (!node.is_null() && !node.is_array() && !node.is_string() && !node.is_object())
        node.fail("expected a string, a list of codes, null, or {\"value\": ..., \"tags\": [...]}");
      if (node.is_object()) {
        node.allow_only({"value", "tags"});
        if (auto tags = node.find("tags"))
          in.tags = string_list(*tags);
        const auto v = node.find("value");
        has_value = v.has_value();
        if (v)
          value = *v;
      }
      if (has_value && !value.is_null()) {
        core::AnswerValue v;
        if (value.is_array()) {
          v.is_list = true;
          v.codes = string_list(value);
        } else if (value.is_string()) {
          v.text = value.as_string();
        } else {
          value.fail("expected a string, a list of codes, or null");
        }
        in.value = std::move(v);
      } else if (!has_value) {
        value.fail("required member \"value\" is missing (give null to clear the answer)");
      }
      set.answers.push_back(std::move(in));
    }
  }
  if (set.answers.empty() && !set.not_applicable)
    root.fail("nothing to save: give \"answers\" or \"not_applicable\"");
  return set;
}

std::map<std::string, std::string> parse_comments(const std::string& json,
                                                  const std::string& source_name) {
  const JsonNode root = JsonNode::parse_text(json, source_name);
  root.allow_only({"comments"});
  std::map<std::string, std::string> out;
  for (const auto& [id, node] : root.at("comments").members()) {
    const std::string text = node.as_string();
    if (auto why = core::text_problem(text))
      node.fail(*why);
    out[id] = text;
  }
  if (out.empty())
    root.at("comments").fail("give a comment on at least one question");
  return out;
}

DiscussionInput parse_discussion(const std::string& json, const std::string& source_name) {
  const JsonNode root = JsonNode::parse_text(json, source_name);
  root.allow_only({"held_on", "attendees", "grades", "learning", "learning_tags",
                   "learning_board_safe", "actions"});
  DiscussionInput in;
  in.source = source_name;
  const JsonNode held = root.at("held_on");
  in.held_on = held.as_string();
  if (!core::Date::parse_iso(in.held_on))
    held.fail("expected a date YYYY-MM-DD");
  in.attendees = string_list(root.at("attendees"));
  if (in.attendees.empty())
    root.at("attendees").fail("expected the agency codes of those who attended");
  for (const auto& [stage, node] : root.at("grades").members())
    in.grades[stage] = node.as_string();
  const JsonNode learning = root.at("learning");
  in.learning = learning.as_string();
  if (auto why = core::text_problem(in.learning))
    learning.fail(*why);
  if (auto tags = root.find("learning_tags")) {
    in.learning_tags = string_list(*tags);
    for (const std::string& t : in.learning_tags) {
      if (!core::is_template_id(t))
        tags->fail("a tag is lower-case letters, digits, '_' and '.', at most 64 characters");
    }
  }
  if (auto safe = root.find("learning_board_safe"))
    in.learning_board_safe = safe->as_bool();
  if (auto actions = root.find("actions")) {
    for (const JsonNode& a : actions->elements()) {
      a.allow_only({"description", "owner", "due"});
      NewAction na;
      na.path = a.path();
      na.description = a.at("description").as_string();
      na.owner = a.at("owner").as_string();
      if (auto due = a.find("due"))
        na.due = due->as_string();
      in.actions.push_back(std::move(na));
    }
  }
  return in;
}

std::vector<ModerationEntry> parse_moderation(const std::string& json,
                                              const std::string& source_name) {
  const JsonNode root = JsonNode::parse_text(json, source_name);
  root.allow_only({"grades"});
  std::vector<ModerationEntry> out;
  for (const JsonNode& e : root.at("grades").elements()) {
    e.allow_only({"review", "question", "grade", "rationale"});
    ModerationEntry m;
    m.path = source_name + ": " + e.path();
    m.review_id = e.at("review").as_int();
    m.question_id = e.at("question").as_string();
    m.grade = e.at("grade").as_string();
    if (auto r = e.find("rationale"))
      m.rationale = r->as_string();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace pathaudit::service
