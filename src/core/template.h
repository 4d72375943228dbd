// Review instruments (audit templates) as data: the typed model of audit-templates/<key>/<N>.json
// and the semantic rules a template must follow (docs/templates.md, docs/template-schema.json).
// src/service/templates.h builds the model from JSON; validate_template() then checks what the
// JSON shape alone cannot (unique ids, known scales, stages, resources and agency kinds, choice
// questions with options, the four parts every section asks for). The answer validator of a
// review return reads the same model.
//
// Value types and pure functions; a Template is immutable once validated and safe to share const
// between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pathaudit::core {

// The question types, in the words the template uses, in the order of question_type_names().
enum class QuestionType : std::uint8_t { grade, yes_no_na, choice, multi_choice, text, date };

const std::vector<std::string>& question_type_names();
std::optional<QuestionType> parse_question_type(std::string_view name);
std::string_view question_type_name(QuestionType type);

// What a question contributes to collation. Every section asks for good practice, areas for
// development and recommendations (text) and a grade (DOMAIN.md section 5); evidence is optional.
// Questions without a role are the section's own reflective questions.
enum class QuestionRole : std::uint8_t {
  none,
  good_practice,
  areas_for_development,
  recommendations,
  evidence,
  grade,
};

// The role names the template uses ("none" is never written: the member is left out).
const std::vector<std::string>& question_role_names();
std::optional<QuestionRole> parse_question_role(std::string_view name);
std::string_view question_role_name(QuestionRole role);

// One point of a grading scale. A scale lists its values best first.
struct ScaleValue {
  std::string code;         // stored in answers: "requires_improvement"
  std::string label;        // shown to people: "Requires improvement to be good"
  std::string description;  // optional
};

struct Scale {
  std::string id;  // "ofsted"
  std::string title;
  std::vector<ScaleValue> values;

  const ScaleValue* find(std::string_view code) const;
};

struct Option {
  std::string code;
  std::string label;
};

// The agency kinds (core/agency.h) a question is asked of: every kind, or a list.
struct AppliesTo {
  bool all = true;
  std::vector<std::string> kinds;  // empty when all

  bool includes(std::string_view kind) const;
};

struct Question {
  std::string id;     // stable, unique in the template: answers refer to it
  std::string stage;  // a Stage id
  QuestionType type = QuestionType::text;
  bool required = false;
  std::string text;
  std::string help;
  std::optional<std::string> resource;  // a Resource id
  AppliesTo applies_to;
  std::vector<Option> options;       // choice and multi_choice only
  std::optional<std::string> scale;  // grade only; absent: the template's default scale
  QuestionRole role = QuestionRole::none;
};

struct Section {
  std::string id;
  std::string stage;  // a Stage id
  std::string title;
  std::string description;                  // optional guidance for auditors
  std::optional<std::string> applies_when;  // optional: when the section applies to a case
  std::vector<Question> questions;
};

// A part of the pathway map ("Part 1: Initial responses") or the cross-cutting themes.
struct Part {
  std::string id;
  std::string title;
};

// A stage of the pathway ("1.2 Talking with the child") or a cross-cutting theme.
struct Stage {
  std::string id;
  std::string part;  // a Part id
  std::string title;
  std::string description;  // optional
};

// A supporting resource of the pathway a question draws on.
struct Resource {
  std::string id;
  std::string title;
};

// Where the stage list comes from. stage_list is "reconstructed" while the published map's box
// names are not available (DOMAIN.md section 2), "published" once they are.
struct PathwayInfo {
  std::string name;
  std::string stage_list;
  std::string source;  // optional
  std::string note;    // optional
};

struct Template {
  std::string key;  // "csa-response-pathway"
  int version = 0;
  std::string title;
  std::string description;  // optional
  PathwayInfo pathway;
  std::vector<Part> parts;
  std::vector<Stage> stages;
  std::vector<Resource> resources;
  std::vector<Scale> scales;
  std::string default_scale;  // a Scale id
  std::vector<Section> sections;

  const Question* find_question(std::string_view id) const;
  const Section* find_section(std::string_view id) const;
  const Stage* find_stage(std::string_view id) const;
  const Scale* find_scale(std::string_view id) const;
  // The scale a grade question is answered on: its own, else the default. Null for other types or
  // an unknown scale (never after validation).
  const Scale* scale_for(const Question& q) const;
  std::size_t question_count() const;
};

// One thing wrong with a template: the JSON path of the offending value ("$.sections[3].
// questions[2].scale") and what is wrong with it.
struct TemplateProblem {
  std::string path;
  std::string message;
};

// Every semantic problem, in document order; empty when the template is valid. Paths use the
// positions the model keeps from the file (sections, questions, ... in file order).
std::vector<TemplateProblem> validate_template(const Template& t);

// Identifier rules, shared with the JSON Schema: a template key is lower-case letters, digits and
// '-' (1 to 64); other ids are lower-case letters, digits, '_' and '.', starting with a letter or
// digit (1 to 64).
bool is_template_key(std::string_view key);
bool is_template_id(std::string_view id);

}  // namespace pathaudit::core
