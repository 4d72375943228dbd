#include "core/review.h"

#include <algorithm>
#include <map>

#include "core/date.h"
#include "core/errors.h"

namespace pathaudit::core {
namespace {

const std::vector<std::string>& state_names() {
  static const std::vector<std::string> names{"assigned",    "in_progress", "submitted", "returned",
                                              "resubmitted", "accepted",    "locked"};
  return names;
}

const std::vector<std::string>& case_names() {
  static const std::vector<std::string> names{"open", "discussed", "moderated", "locked"};
  return names;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size())
        return false;
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values beyond Unicode are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return false;
    i += n + 1;
  }
  return true;
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

std::string allowed_codes(const std::vector<std::string>& codes) {
  std::string out;
  for (std::size_t i = 0; i < codes.size(); ++i)
    out += (i == 0 ? "" : i + 1 == codes.size() ? " or " : ", ") + codes[i];
  return out;
}

}  // namespace

const std::vector<std::string>& return_state_names() {
  return state_names();
}

std::string_view return_state_name(ReturnState s) {
  return state_names()[static_cast<std::size_t>(s)];
}

std::optional<ReturnState> parse_return_state(std::string_view name) {
  const auto& names = state_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name)
      return static_cast<ReturnState>(i);
  }
  return std::nullopt;
}

std::string_view return_action_name(ReturnAction a) {
  switch (a) {
    case ReturnAction::save:
      return "save";
    case ReturnAction::submit:
      return "submit";
    case ReturnAction::send_back:
      return "return";
    case ReturnAction::accept:
      return "accept";
    case ReturnAction::lock:
      return "lock";
  }
  return "?";
}

std::optional<ReturnState> next_return_state(ReturnState from, ReturnAction action) {
  using S = ReturnState;
  using A = ReturnAction;
  switch (action) {
    case A::save:
      if (from == S::assigned || from == S::in_progress)
        return S::in_progress;
      if (from == S::returned)
        return S::returned;
      return std::nullopt;
    case A::submit:
      if (from == S::in_progress)
        return S::submitted;
      if (from == S::returned)
        return S::resubmitted;
      return std::nullopt;
    case A::send_back:
      if (from == S::submitted || from == S::resubmitted)
        return S::returned;
      return std::nullopt;
    case A::accept:
      if (from == S::submitted || from == S::resubmitted)
        return S::accepted;
      return std::nullopt;
    case A::lock:
      if (from == S::accepted)
        return S::locked;
      return std::nullopt;
  }
  return std::nullopt;
}

std::vector<ReturnAction> allowed_return_actions(ReturnState from) {
  std::vector<ReturnAction> out;
  for (ReturnAction a : {ReturnAction::save, ReturnAction::submit, ReturnAction::send_back,
                         ReturnAction::accept, ReturnAction::lock}) {
    if (next_return_state(from, a))
      out.push_back(a);
  }
  return out;
}

ReturnState apply_return_action(ReturnState from, ReturnAction action) {
  if (auto to = next_return_state(from, action))
    return *to;
  std::string allowed;
  for (ReturnAction a : allowed_return_actions(from))
    allowed += (allowed.empty() ? "" : ", ") + std::string(return_action_name(a));
  std::string message = "cannot " + std::string(return_action_name(action)) + " a review that is " +
                        std::string(return_state_name(from));
  if (action == ReturnAction::submit && from == ReturnState::assigned)
    message += " with no answers saved";
  message += allowed.empty()
                 ? "; nothing more can be done to it"
                 : "; from " + std::string(return_state_name(from)) + " it can only " + allowed;
  throw ConflictError(message);
}

std::string_view case_state_name(CaseState s) {
  return case_names()[static_cast<std::size_t>(s)];
}

std::optional<CaseState> parse_case_state(std::string_view name) {
  const auto& names = case_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name)
      return static_cast<CaseState>(i);
  }
  return std::nullopt;
}

std::string_view case_action_name(CaseAction a) {
  switch (a) {
    case CaseAction::discuss:
      return "discuss";
    case CaseAction::moderate:
      return "moderate";
    case CaseAction::lock:
      return "lock";
  }
  return "?";
}

std::optional<CaseState> next_case_state(CaseState from, CaseAction action) {
  using S = CaseState;
  switch (action) {
    case CaseAction::discuss:
      if (from == S::open || from == S::discussed)
        return S::discussed;
      return std::nullopt;
    case CaseAction::moderate:
      if (from == S::discussed || from == S::moderated)
        return S::moderated;
      return std::nullopt;
    case CaseAction::lock:
      if (from == S::moderated)
        return S::locked;
      return std::nullopt;
  }
  return std::nullopt;
}

CaseState apply_case_action(CaseState from, CaseAction action) {
  if (auto to = next_case_state(from, action))
    return *to;
  std::string message = "cannot " + std::string(case_action_name(action)) + " a case that is " +
                        std::string(case_state_name(from));
  switch (from) {
    case CaseState::open:
      message += "; record its multi-agency discussion first";
      break;
    case CaseState::discussed:
      message += "; moderate it first";
      break;
    case CaseState::moderated:
      message += "; its discussion can no longer change (it is moderated)";
      break;
    case CaseState::locked:
      message += "; nothing about a locked case changes";
      break;
  }
  throw ConflictError(message);
}

std::optional<std::string> text_problem(std::string_view text) {
  if (!valid_utf8(text))
    return std::string("text is not valid UTF-8");
  if (blank(text))
    return std::string("text is blank");
  if (text.size() > kMaxTextAnswer)
    return "text is longer than " + std::to_string(kMaxTextAnswer) + " bytes";
  return std::nullopt;
}

std::vector<const Question*> questions_for(const Template& t, std::string_view agency_kind) {
  std::vector<const Question*> out;
  for (const Section& s : t.sections) {
    for (const Question& q : s.questions) {
      if (q.applies_to.includes(agency_kind))
        out.push_back(&q);
    }
  }
  return out;
}

std::vector<AnswerProblem> validate_not_applicable(const Template& t, const std::string& path,
                                                   const std::vector<std::string>& sections) {
  std::vector<AnswerProblem> problems;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    if (!t.find_section(sections[i]))
      problems.push_back({at, "not a section of template " + t.key + "@" +
                                  std::to_string(t.version) +
                                  " (the section column of `pathaudit review form`)"});
    else if (!seen.insert(sections[i]).second)
      problems.push_back({at, "section given twice"});
  }
  return problems;
}

std::vector<AnswerProblem> validate_answers(const Template& t, std::string_view agency_kind,
                                            const std::set<std::string>& not_applicable,
                                            const std::vector<AnswerInput>& answers) {
  std::vector<AnswerProblem> problems;
  std::map<std::string, std::string> section_of;
  for (const Section& s : t.sections) {
    for (const Question& q : s.questions)
      section_of[q.id] = s.id;
  }
  std::set<std::string> seen;
  for (const AnswerInput& a : answers) {
    auto problem = [&](std::string message) { problems.push_back({a.path, std::move(message)}); };
    const Question* q = t.find_question(a.question_id);
    if (!q) {
      problem("not a question of template " + t.key + "@" + std::to_string(t.version));
      continue;
    }
    if (!seen.insert(a.question_id).second) {
      problem("question answered twice");
      continue;
    }
    if (!q->applies_to.includes(agency_kind)) {
      problem("this question is not asked of " + std::string(agency_kind) + " agencies");
      continue;
    }
    if (not_applicable.count(section_of[q->id]) && a.value) {
      problem("section " + section_of[q->id] +
              " is marked not applicable; remove it from not_applicable to answer it");
      continue;
    }
    if (a.tags.size() > kMaxTags)
      problem("at most " + std::to_string(kMaxTags) + " tags");
    for (const std::string& tag : a.tags) {
      if (!is_template_id(tag)) {
        problem("a tag is lower-case letters, digits, '_' and '.', at most 64 characters");
        break;
      }
    }
    if (!a.value)
      continue;
    const AnswerValue& v = *a.value;
    if (q->type == QuestionType::multi_choice) {
      if (!v.is_list) {
        problem("expected a list of option codes");
        continue;
      }
      std::vector<std::string> codes;
      for (const Option& o : q->options)
        codes.push_back(o.code);
      std::set<std::string> given;
      for (const std::string& c : v.codes) {
        if (std::find(codes.begin(), codes.end(), c) == codes.end()) {
          problem("expected option codes from " + allowed_codes(codes));
          break;
        }
        if (!given.insert(c).second) {
          problem("an option is given twice");
          break;
        }
      }
      if (v.codes.empty())
        problem("expected at least one option code (to clear the answer, give null)");
      continue;
    }
    if (v.is_list) {
      problem("expected a single value, not a list");
      continue;
    }
    switch (q->type) {
      case QuestionType::grade: {
        const Scale* scale = t.scale_for(*q);
        std::vector<std::string> codes;
        if (scale) {
          for (const ScaleValue& sv : scale->values)
            codes.push_back(sv.code);
        }
        if (!scale || !scale->find(v.text))
          problem("expected a grade on the " + (scale ? scale->id : std::string("?")) +
                  " scale: " + allowed_codes(codes));
        break;
      }
      case QuestionType::yes_no_na:
        if (v.text != "yes" && v.text != "no" && v.text != "na")
          problem("expected yes, no or na");
        break;
      case QuestionType::choice: {
        std::vector<std::string> codes;
        for (const Option& o : q->options)
          codes.push_back(o.code);
        if (std::find(codes.begin(), codes.end(), v.text) == codes.end())
          problem("expected one of " + allowed_codes(codes));
        break;
      }
      case QuestionType::date:
        if (!Date::parse_iso(v.text))
          problem("expected a date YYYY-MM-DD");
        break;
      case QuestionType::text:
        if (auto why = text_problem(v.text))
          problem(*why + (blank(v.text) ? " (to clear the answer, give null)" : ""));
        break;
      case QuestionType::multi_choice:
        break;
    }
  }
  return problems;
}

std::vector<const Question*> missing_required(const Template& t, std::string_view agency_kind,
                                              const std::set<std::string>& not_applicable,
                                              const std::set<std::string>& answered) {
  std::vector<const Question*> out;
  for (const Section& s : t.sections) {
    if (not_applicable.count(s.id))
      continue;
    for (const Question& q : s.questions) {
      if (q.required && q.applies_to.includes(agency_kind) && !answered.count(q.id))
        out.push_back(&q);
    }
  }
  return out;
}

std::optional<std::string> moderation_problem(std::string_view auditor_grade,
                                              std::string_view moderated_grade,
                                              std::string_view rationale) {
  if (moderated_grade != auditor_grade && blank(rationale))
    return std::string("the moderated grade differs from the auditor's: give a rationale");
  return std::nullopt;
}

Agreement agreement(const std::vector<RatingPair>& pairs) {
  Agreement a;
  a.pairs = pairs.size();
  if (pairs.empty())
    return a;
  std::map<std::string, std::pair<std::size_t, std::size_t>> marginals;  // code -> (first, second)
  for (const RatingPair& p : pairs) {
    if (p.first == p.second)
      ++a.agreed;
    ++marginals[p.first].first;
    ++marginals[p.second].second;
  }
  const double n = static_cast<double>(pairs.size());
  const double po = static_cast<double>(a.agreed) / n;
  double pe = 0;
  for (const auto& [code, m] : marginals)
    pe += (static_cast<double>(m.first) / n) * (static_cast<double>(m.second) / n);
  a.percent = 100.0 * po;
  // pe is 1 only when both reviewers used a single, identical code for every pair.
  if (marginals.size() > 1)
    a.kappa = (po - pe) / (1.0 - pe);
  return a;
}

}  // namespace pathaudit::core
