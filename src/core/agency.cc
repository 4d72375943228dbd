#include "core/agency.h"

#include <algorithm>

namespace pathaudit::core {

const std::vector<std::string>& agency_kinds() {
  static const std::vector<std::string> kinds{
      "csc", "police", "health", "sarc", "camhs", "education", "vcs", "early_help", "probation"};
  return kinds;
}

bool is_agency_kind(std::string_view kind) {
  const auto& k = agency_kinds();
  return std::find(k.begin(), k.end(), kind) != k.end();
}

bool is_agency_code(std::string_view code) {
  if (code.empty() || code.size() > 32)
    return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

}  // namespace pathaudit::core
