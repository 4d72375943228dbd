// Reading and validating review templates (docs/templates.md): JSON into core::Template, with
// errors that name the source and JSON path. No store or crypto here, so the parser can be fuzzed
// on its own (tests/fuzz/json_input_fuzz.cc); importing and listing are in templates.cc.
#include <climits>
#include <optional>

#include "service/json_file.h"
#include "service/templates.h"

namespace pathaudit::service {
namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += (out.empty() ? "" : "\n") + l;
  return out;
}

std::string optional_text(const JsonNode& obj, std::string_view key) {
  auto n = obj.find(key);
  return n ? n->as_string() : std::string();
}

std::optional<std::string> optional_nonempty(const JsonNode& obj, std::string_view key) {
  auto n = obj.find(key);
  if (!n)
    return std::nullopt;
  return n->as_nonempty_string();
}

core::AppliesTo parse_applies_to(const JsonNode& n) {
  static const char* kExpected = "expected \"all\" or a list of agency kinds";
  std::vector<JsonNode> items;
  try {
    items = n.elements();
  } catch (const core::ValidationError&) {
    std::string s;
    try {
      s = n.as_string();
    } catch (const core::ValidationError&) {
      n.fail(kExpected);
    }
    if (s != "all")
      n.fail(kExpected);
    return {};
  }
  core::AppliesTo a;
  a.all = false;
  for (const JsonNode& k : items)
    a.kinds.push_back(k.as_string());
  return a;
}

core::Question parse_question(const JsonNode& n) {
  n.allow_only({"id", "stage", "type", "required", "role", "text", "help", "resource", "applies_to",
                "options", "scale"});
  core::Question q;
  q.id = n.at("id").as_nonempty_string();
  q.stage = n.at("stage").as_nonempty_string();
  const JsonNode type = n.at("type");
  auto t = core::parse_question_type(type.as_string());
  if (!t) {
    std::string list;
    for (const auto& name : core::question_type_names())
      list += (list.empty() ? "" : ", ") + name;
    type.fail("expected one of " + list);
  }
  q.type = *t;
  q.required = n.at("required").as_bool();
  if (auto role = n.find("role")) {
    auto r = core::parse_question_role(role->as_string());
    if (!r) {
      std::string list;
      for (const auto& name : core::question_role_names())
        list += (list.empty() ? "" : ", ") + name;
      role->fail("expected one of " + list);
    }
    q.role = *r;
  }
  q.text = n.at("text").as_nonempty_string();
  q.help = n.at("help").as_nonempty_string();
  q.resource = optional_nonempty(n, "resource");
  q.applies_to = parse_applies_to(n.at("applies_to"));
  if (auto options = n.find("options")) {
    for (const JsonNode& o : options->elements()) {
      o.allow_only({"code", "label"});
      q.options.push_back({o.at("code").as_nonempty_string(), o.at("label").as_nonempty_string()});
    }
  }
  q.scale = optional_nonempty(n, "scale");
  return q;
}

core::Template parse_model(const JsonNode& root) {
  root.allow_only({"$schema", "key", "version", "title", "description", "pathway", "parts",
                   "stages", "resources", "scales", "default_scale", "sections"});
  if (auto schema = root.find("$schema"))
    schema->as_string();
  core::Template t;
  t.key = root.at("key").as_nonempty_string();
  const JsonNode version = root.at("version");
  const std::int64_t v = version.as_int();
  if (v < 1 || v > INT_MAX)
    version.fail("expected a version of 1 or more");
  t.version = static_cast<int>(v);
  t.title = root.at("title").as_nonempty_string();
  t.description = optional_text(root, "description");

  const JsonNode pathway = root.at("pathway");
  pathway.allow_only({"name", "stage_list", "source", "note"});
  t.pathway.name = pathway.at("name").as_nonempty_string();
  t.pathway.stage_list = pathway.at("stage_list").as_nonempty_string();
  t.pathway.source = optional_text(pathway, "source");
  t.pathway.note = optional_text(pathway, "note");

  for (const JsonNode& p : root.at("parts").elements()) {
    p.allow_only({"id", "title"});
    t.parts.push_back({p.at("id").as_nonempty_string(), p.at("title").as_nonempty_string()});
  }
  for (const JsonNode& s : root.at("stages").elements()) {
    s.allow_only({"id", "part", "title", "description"});
    t.stages.push_back({s.at("id").as_nonempty_string(), s.at("part").as_nonempty_string(),
                        s.at("title").as_nonempty_string(), optional_text(s, "description")});
  }
  if (auto resources = root.find("resources")) {
    for (const JsonNode& r : resources->elements()) {
      r.allow_only({"id", "title"});
      t.resources.push_back({r.at("id").as_nonempty_string(), r.at("title").as_nonempty_string()});
    }
  }
  for (const JsonNode& s : root.at("scales").elements()) {
    s.allow_only({"id", "title", "values"});
    core::Scale scale;
    scale.id = s.at("id").as_nonempty_string();
    scale.title = s.at("title").as_nonempty_string();
    for (const JsonNode& value : s.at("values").elements()) {
      value.allow_only({"code", "label", "description"});
      scale.values.push_back({value.at("code").as_nonempty_string(),
                              value.at("label").as_nonempty_string(),
                              optional_text(value, "description")});
    }
    t.scales.push_back(std::move(scale));
  }
  t.default_scale = root.at("default_scale").as_nonempty_string();
  for (const JsonNode& s : root.at("sections").elements()) {
    s.allow_only({"id", "stage", "title", "description", "applies_when", "questions"});
    core::Section section;
    section.id = s.at("id").as_nonempty_string();
    section.stage = s.at("stage").as_nonempty_string();
    section.title = s.at("title").as_nonempty_string();
    section.description = optional_text(s, "description");
    section.applies_when = optional_nonempty(s, "applies_when");
    for (const JsonNode& q : s.at("questions").elements())
      section.questions.push_back(parse_question(q));
    t.sections.push_back(std::move(section));
  }
  return t;
}

}  // namespace

TemplateRejected::TemplateRejected(std::vector<std::string> lines)
    : core::ValidationError(join_lines(lines)), lines_(std::move(lines)) {}

core::Template parse_template(const std::string& json, const std::string& source_name) {
  core::Template t;
  try {
    t = parse_model(JsonNode::parse_text(json, source_name));
  } catch (const core::ValidationError& e) {
    throw TemplateRejected({e.what()});
  }
  std::vector<std::string> lines;
  for (const auto& p : core::validate_template(t))
    lines.push_back(source_name + ": " + p.path + ": " + p.message);
  if (!lines.empty())
    throw TemplateRejected(std::move(lines));
  return t;
}

core::Template load_template_file(const std::string& file) {
  return parse_template(read_input_file(file), file);
}

}  // namespace pathaudit::service
