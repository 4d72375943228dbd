#include "export/csv_writer.h"

#include "core/errors.h"

namespace pathaudit::exports {

namespace {

// First characters that make a spreadsheet read a cell as a formula, or that hide one after
// leading whitespace (OWASP "CSV injection").
bool starts_like_formula(std::string_view v) {
  if (v.empty())
    return false;
  switch (v.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return true;
    default:
      return false;
  }
}

bool needs_quotes(std::string_view v) {
  return v.find_first_of(",\"\r\n") != std::string_view::npos;
}

}  // namespace

std::string CsvWriter::field(std::string_view value) {
  std::string v;
  v.reserve(value.size() + 3);
  if (starts_like_formula(value))
    v += '\'';
  v += value;
  if (!needs_quotes(v))
    return v;
  std::string quoted;
  quoted.reserve(v.size() + 2);
  quoted += '"';
  for (char ch : v) {
    if (ch == '"')
      quoted += '"';
    quoted += ch;
  }
  quoted += '"';
  return quoted;
}

void CsvWriter::row(const std::vector<std::string>& fields) {
  std::string line;
  if (fields.size() == 1 && fields.front().empty()) {
    line = "\"\"";  // a row of one empty field, not an empty line (which readers skip)
  } else {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i)
        line += ',';
      line += field(fields[i]);
    }
  }
  line += "\r\n";
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  if (!out_)
    throw core::Error("writing CSV failed");
  ++rows_;
}

}  // namespace pathaudit::exports
