// Writing CSV (RFC 4180: comma separated, CRLF line ends, fields quoted when they hold a comma,
// quote, CR or LF) that is safe to open in a spreadsheet: a field starting with '=', '+', '-', '@',
// a tab or a carriage return is prefixed with a single quote, so no spreadsheet reads it as a
// formula (OWASP "CSV injection"). The one way exports write CSV. Owns no stream; not thread-safe.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pathaudit::exports {

class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void row(const std::vector<std::string>& fields);
  std::int64_t rows() const { return rows_; }

  // The field as it will be written: neutralised, then quoted where RFC 4180 needs it.
  static std::string field(std::string_view value);

 private:
  std::ostream& out_;
  std::int64_t rows_ = 0;
};

}  // namespace pathaudit::exports
