#include "core/template.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/agency.h"

namespace pathaudit::core {
namespace {

template <class E>
std::optional<E> parse_name(const std::vector<std::string>& names, std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name)
      return static_cast<E>(i);
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

bool is_text_role(QuestionRole r) {
  return r == QuestionRole::good_practice || r == QuestionRole::areas_for_development ||
         r == QuestionRole::recommendations || r == QuestionRole::evidence;
}

// Collects problems with their paths.
class Checker {
 public:
  explicit Checker(const Template& t) : t_(t) {}

  std::vector<TemplateProblem> run() {
    if (!is_template_key(t_.key))
      add("$.key", "expected a key of lower-case letters, digits and '-' (1 to 64 characters)");
    if (t_.version < 1)
      add("$.version", "expected a version of 1 or more");
    if (t_.pathway.stage_list != "reconstructed" && t_.pathway.stage_list != "published")
      add("$.pathway.stage_list", "expected one of reconstructed, published");
    check_parts();
    check_stages();
    check_resources();
    check_scales();
    check_sections();
    return std::move(problems_);
  }

 private:
  void add(std::string path, std::string message) {
    problems_.push_back({std::move(path), std::move(message)});
  }

  // An id that must follow is_template_id and be unique among `seen`.
  void check_id(const std::string& path, const std::string& id, std::set<std::string>& seen,
                const char* what) {
    if (!is_template_id(id)) {
      add(path,
          std::string("expected ") + what +
              " of lower-case letters, digits, '_' and '.', starting with a letter or digit (1 to "
              "64 characters)");
    } else if (!seen.insert(id).second) {
      add(path, std::string(what) + " " + quoted(id) + " appears more than once");
    }
  }

  void check_parts() {
    if (t_.parts.empty())
      add("$.parts", "expected at least one part");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < t_.parts.size(); ++i)
      check_id("$.parts[" + std::to_string(i) + "].id", t_.parts[i].id, seen, "a part id");
  }

  void check_stages() {
    if (t_.stages.empty())
      add("$.stages", "expected at least one stage");
    std::vector<std::string> parts;
    for (const auto& p : t_.parts)
      parts.push_back(p.id);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < t_.stages.size(); ++i) {
      const Stage& s = t_.stages[i];
      const std::string path = "$.stages[" + std::to_string(i) + "]";
      check_id(path + ".id", s.id, seen, "a stage id");
      if (std::find(parts.begin(), parts.end(), s.part) == parts.end())
        add(path + ".part", "unknown part " + quoted(s.part) + "; expected one of " + join(parts));
    }
  }

  void check_resources() {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < t_.resources.size(); ++i) {
      check_id("$.resources[" + std::to_string(i) + "].id", t_.resources[i].id, seen,
               "a resource id");
    }
  }

  void check_scales() {
    if (t_.scales.empty())
      add("$.scales", "expected at least one grading scale");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < t_.scales.size(); ++i) {
      const Scale& sc = t_.scales[i];
      const std::string path = "$.scales[" + std::to_string(i) + "]";
      check_id(path + ".id", sc.id, seen, "a scale id");
      if (sc.values.size() < 2)
        add(path + ".values", "expected at least two values, best first");
      std::set<std::string> codes;
      for (std::size_t v = 0; v < sc.values.size(); ++v) {
        check_id(path + ".values[" + std::to_string(v) + "].code", sc.values[v].code, codes,
                 "a scale value code");
      }
    }
    if (!t_.find_scale(t_.default_scale))
      add("$.default_scale", unknown_scale(t_.default_scale));
  }

  std::string unknown_scale(const std::string& id) const {
    std::vector<std::string> ids;
    for (const auto& s : t_.scales)
      ids.push_back(s.id);
    return "unknown scale " + quoted(id) + "; expected one of " + join(ids);
  }

  void check_sections() {
    if (t_.sections.empty())
      add("$.sections", "expected at least one section");
    std::set<std::string> section_ids, question_ids;
    for (std::size_t i = 0; i < t_.sections.size(); ++i) {
      const Section& sec = t_.sections[i];
      const std::string path = "$.sections[" + std::to_string(i) + "]";
      check_id(path + ".id", sec.id, section_ids, "a section id");
      check_stage(path + ".stage", sec.stage);
      if (sec.questions.empty())
        add(path + ".questions", "expected at least one question");
      std::map<QuestionRole, int> roles;
      for (std::size_t j = 0; j < sec.questions.size(); ++j) {
        const Question& q = sec.questions[j];
        const std::string qpath = path + ".questions[" + std::to_string(j) + "]";
        check_id(qpath + ".id", q.id, question_ids, "a question id");
        check_question(qpath, q);
        if (q.role != QuestionRole::none && ++roles[q.role] == 2) {
          add(qpath + ".role", "role " + quoted(question_role_name(q.role)) +
                                   " appears more than once in this section");
        }
      }
      for (QuestionRole r : {QuestionRole::good_practice, QuestionRole::areas_for_development,
                             QuestionRole::recommendations, QuestionRole::grade}) {
        if (roles[r] == 0) {
          add(path + ".questions",
              "the section needs a question with role " + quoted(question_role_name(r)) +
                  (r == QuestionRole::grade ? " (type grade)" : " (type text)"));
        }
      }
    }
  }

  void check_stage(const std::string& path, const std::string& stage) {
    if (t_.find_stage(stage))
      return;
    std::vector<std::string> ids;
    for (const auto& s : t_.stages)
      ids.push_back(s.id);
    add(path, "unknown stage " + quoted(stage) + "; expected one of " + join(ids));
  }

  void check_question(const std::string& path, const Question& q) {
    check_stage(path + ".stage", q.stage);
    if (q.resource) {
      const bool known = std::any_of(t_.resources.begin(), t_.resources.end(),
                                     [&](const Resource& r) { return r.id == *q.resource; });
      if (!known) {
        std::vector<std::string> ids;
        for (const auto& r : t_.resources)
          ids.push_back(r.id);
        add(path + ".resource",
            "unknown resource " + quoted(*q.resource) + "; expected one of " + join(ids));
      }
    }
    check_applies_to(path + ".applies_to", q.applies_to);

    const bool choice = q.type == QuestionType::choice || q.type == QuestionType::multi_choice;
    if (choice) {
      if (q.options.size() < 2) {
        add(path + ".options", "a " + std::string(question_type_name(q.type)) +
                                   " question needs at least two options");
      }
      std::set<std::string> codes;
      for (std::size_t k = 0; k < q.options.size(); ++k) {
        check_id(path + ".options[" + std::to_string(k) + "].code", q.options[k].code, codes,
                 "an option code");
      }
    } else if (!q.options.empty()) {
      add(path + ".options", "only choice and multi_choice questions have options");
    }

    if (q.scale) {
      if (q.type != QuestionType::grade)
        add(path + ".scale", "only grade questions name a scale");
      else if (!t_.find_scale(*q.scale))
        add(path + ".scale", unknown_scale(*q.scale));
    }

    if (q.role == QuestionRole::grade && q.type != QuestionType::grade) {
      add(path + ".type", "a question with role \"grade\" must have type grade");
    } else if (is_text_role(q.role) && q.type != QuestionType::text) {
      add(path + ".type",
          "a question with role " + quoted(question_role_name(q.role)) + " must have type text");
    }
  }

  void check_applies_to(const std::string& path, const AppliesTo& a) {
    if (a.all)
      return;
    if (a.kinds.empty())
      add(path, "expected \"all\" or at least one agency kind");
    std::set<std::string> seen;
    for (std::size_t k = 0; k < a.kinds.size(); ++k) {
      const std::string kpath = path + "[" + std::to_string(k) + "]";
      if (!is_agency_kind(a.kinds[k]))
        add(kpath, "unknown agency kind " + quoted(a.kinds[k]) + "; expected one of " +
                       join(agency_kinds()));
      else if (!seen.insert(a.kinds[k]).second)
        add(kpath, "agency kind " + quoted(a.kinds[k]) + " appears more than once");
    }
  }

  const Template& t_;
  std::vector<TemplateProblem> problems_;
};

}  // namespace

const std::vector<std::string>& question_type_names() {
  static const std::vector<std::string> names{"grade",        "yes_no_na", "choice",
                                              "multi_choice", "text",      "date"};
  return names;
}

std::optional<QuestionType> parse_question_type(std::string_view name) {
  return parse_name<QuestionType>(question_type_names(), name);
}

std::string_view question_type_name(QuestionType type) {
  return question_type_names()[static_cast<std::size_t>(type)];
}

const std::vector<std::string>& question_role_names() {
  static const std::vector<std::string> names{"good_practice", "areas_for_development",
                                              "recommendations", "evidence", "grade"};
  return names;
}

std::optional<QuestionRole> parse_question_role(std::string_view name) {
  auto r = parse_name<std::uint8_t>(question_role_names(), name);
  if (!r)
    return std::nullopt;
  return static_cast<QuestionRole>(*r + 1);  // after none
}

std::string_view question_role_name(QuestionRole role) {
  if (role == QuestionRole::none)
    return "none";
  return question_role_names()[static_cast<std::size_t>(role) - 1];
}

const ScaleValue* Scale::find(std::string_view code) const {
  for (const auto& v : values) {
    if (v.code == code)
      return &v;
  }
  return nullptr;
}

bool AppliesTo::includes(std::string_view kind) const {
  return all || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

const Question* Template::find_question(std::string_view id) const {
  for (const auto& s : sections) {
    for (const auto& q : s.questions) {
      if (q.id == id)
        return &q;
    }
  }
  return nullptr;
}

const Section* Template::find_section(std::string_view id) const {
  for (const auto& s : sections) {
    if (s.id == id)
      return &s;
  }
  return nullptr;
}

const Stage* Template::find_stage(std::string_view id) const {
  for (const auto& s : stages) {
    if (s.id == id)
      return &s;
  }
  return nullptr;
}

const Scale* Template::find_scale(std::string_view id) const {
  for (const auto& s : scales) {
    if (s.id == id)
      return &s;
  }
  return nullptr;
}

const Scale* Template::scale_for(const Question& q) const {
  if (q.type != QuestionType::grade)
    return nullptr;
  return find_scale(q.scale ? *q.scale : default_scale);
}

std::size_t Template::question_count() const {
  std::size_t n = 0;
  for (const auto& s : sections)
    n += s.questions.size();
  return n;
}

std::vector<TemplateProblem> validate_template(const Template& t) {
  return Checker(t).run();
}

bool is_template_key(std::string_view key) {
  if (key.empty() || key.size() > 64 || key.front() == '-')
    return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool is_template_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == '_' || id.front() == '.')
    return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

}  // namespace pathaudit::core
