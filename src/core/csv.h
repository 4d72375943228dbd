// Writing RFC 4180 CSV fields. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pathaudit::core {

// Quotes a field when it holds a comma, quote, CR or LF, doubling inner quotes.
std::string csv_field(std::string_view value);

// One CSV record with CRLF-free "\n" line ending, as the CLI prints them.
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace pathaudit::core
