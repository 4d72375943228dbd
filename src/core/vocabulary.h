// The coded vocabularies of the import contract (DESIGN.md section 3). Contract: extended, never
// narrowed. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pathaudit::core {

const std::vector<std::string>& event_types();
const std::vector<std::string>& entry_points();
const std::vector<std::string>& sex_codes();

bool in_vocabulary(const std::vector<std::string>& vocabulary, std::string_view value);
// "a, b, c" for error messages.
std::string vocabulary_list(const std::vector<std::string>& vocabulary);

// A lower-case code token: letters, digits and '_' (outcomes, specialist services).
bool is_code_token(std::string_view value);

// A category code of the import contract's `category` column (docs/import-format.md): CP
// categories such as SAB and assessment factors such as 19B. 1 to 16 of upper-case letters, digits
// and '_'. The one rule for imports, audit scopes and metrics definitions.
bool is_category_code(std::string_view value);

}  // namespace pathaudit::core
