// Printing a result table as an aligned text table, CSV (RFC 4180, header row) or JSON (an array of
// objects keyed by column). The one way subcommands write tabular output. Not thread-safe.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace pathaudit::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // format: "table", "csv" or "json".
  void print(std::ostream& out, const std::string& format) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace pathaudit::cli
