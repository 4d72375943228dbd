#include "core/csv.h"

namespace pathaudit::core {

std::string csv_field(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos)
    return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i)
      line += ',';
    line += csv_field(fields[i]);
  }
  line += '\n';
  return line;
}

}  // namespace pathaudit::core
