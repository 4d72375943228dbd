#include "cli/output.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>

#include "core/csv.h"
#include "service/json_text.h"

namespace pathaudit::cli {

void Table::print(std::ostream& out, const std::string& format) const {
  if (format == "csv") {
    out << core::csv_line(columns_);
    for (const auto& r : rows_)
      out << core::csv_line(r);
    return;
  }
  if (format == "json") {
    Poco::JSON::Array array;
    for (const auto& r : rows_) {
      Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
      for (std::size_t i = 0; i < columns_.size() && i < r.size(); ++i)
        obj.set(columns_[i], r[i]);
      array.add(obj);
    }
    std::string text;
    service::append_json(text, array);
    out << text << "\n";
    return;
  }
  std::vector<std::size_t> width(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i)
    width[i] = columns_[i].size();
  for (const auto& r : rows_) {
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], r[i].size());
    }
  }
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const std::string& cell = i < r.size() ? r[i] : std::string();
      out << cell;
      if (i + 1 < columns_.size())
        out << std::string(width[i] - cell.size() + 2, ' ');
    }
    out << "\n";
  };
  line(columns_);
  for (const auto& r : rows_)
    line(r);
}

}  // namespace pathaudit::cli
