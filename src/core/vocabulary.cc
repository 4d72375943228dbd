#include "core/vocabulary.h"

#include <algorithm>

namespace pathaudit::core {

const std::vector<std::string>& event_types() {
  static const std::vector<std::string> v{"concern_identified",
                                          "contact",
                                          "referral",
                                          "referral_decision",
                                          "early_help_assessment",
                                          "strategy_discussion",
                                          "s47_start",
                                          "s47_outcome",
                                          "assessment_start",
                                          "assessment_complete",
                                          "abe_interview",
                                          "medical_assessment",
                                          "icpc",
                                          "cp_plan_start",
                                          "core_group",
                                          "review_conference",
                                          "cp_plan_end",
                                          "cin_plan_start",
                                          "police_report",
                                          "crime_recorded",
                                          "police_outcome",
                                          "specialist_referral",
                                          "specialist_assessment",
                                          "therapeutic_support_start",
                                          "information_shared",
                                          "case_closed"};
  return v;
}

const std::vector<std::string>& entry_points() {
  static const std::vector<std::string> v{"school",     "gp",     "ed",    "health_visitor",
                                          "police",     "sarc",   "camhs", "vcs",
                                          "early_help", "family", "self",  "other"};
  return v;
}

const std::vector<std::string>& sex_codes() {
  static const std::vector<std::string> v{"F", "M", "X", "U"};
  return v;
}

bool in_vocabulary(const std::vector<std::string>& vocabulary, std::string_view value) {
  return std::find(vocabulary.begin(), vocabulary.end(), value) != vocabulary.end();
}

std::string vocabulary_list(const std::vector<std::string>& vocabulary) {
  std::string out;
  for (const auto& v : vocabulary)
    out += (out.empty() ? "" : ", ") + v;
  return out;
}

bool is_code_token(std::string_view value) {
  if (value.empty() || value.size() > 64)
    return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool is_category_code(std::string_view value) {
  if (value.empty() || value.size() > 16)
    return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace pathaudit::core
