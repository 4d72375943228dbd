// Agencies of a partnership and the rules their codes and kinds follow (DESIGN.md section 3,
// DOMAIN.md section 4). Value types and pure validation; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pathaudit::core {

// The kinds of agency, in the words the partnership file uses.
const std::vector<std::string>& agency_kinds();
bool is_agency_kind(std::string_view kind);

// Upper-case letters, digits, '-' and '_', 1 to 32 characters.
bool is_agency_code(std::string_view code);

struct Agency {
  std::string code;
  std::string name;
  std::string kind;
};

struct Partnership {
  std::string name;
  std::vector<Agency> agencies;
};

}  // namespace pathaudit::core
