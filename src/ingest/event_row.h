// Validating one row of an agency extract against the import contract (DESIGN.md section 3) and
// turning it into normalised values. Errors carry the line and the 1-based column and say what was
// expected; they never quote a value that could identify anyone. Free functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "ingest/csv_reader.h"

namespace pathaudit::ingest {

enum class Column : int {
  agency,
  event_id,
  event_type,
  event_date,
  nhs_number,
  local_child_id,
  forename,
  surname,
  dob,
  sex,
  entry_point,
  to_agency,
  to_service,
  participants,
  outcome,
  category,
  relates_to,
  notes,
};
inline constexpr int kColumnCount = 18;
std::string_view column_name(Column c);

struct RowError {
  std::int64_t line = 0;
  int column = 0;  // 1-based position in the file; 0 when the error is about the whole row
  std::string message;
};

// Where each contract column sits in the file (-1 when absent).
struct Header {
  std::array<int, kColumnCount> position{};
  std::size_t width = 0;
  int at(Column c) const { return position[static_cast<int>(c)]; }
};

// Appends an error for a missing required column, a duplicate column, or (unless ignored) an
// unknown column.
Header parse_header(const CsvRecord& record, bool ignore_unknown_columns,
                    std::vector<RowError>& errors);

struct AgencyInfo {
  int id = 0;
  std::string kind;
};
using AgencyDirectory = std::map<std::string, AgencyInfo, std::less<>>;

// A valid row, normalised: identifiers per ingest/normalise.h, codes as given.
struct EventRow {
  std::int64_t line = 0;
  std::string agency;
  std::string event_id;
  std::string event_type;
  core::Date event_date;
  std::optional<std::string> nhs_number;  // 10 digits
  std::string local_child_id;
  std::string forename, surname;  // normalised; may be empty
  std::optional<core::Date> dob;
  std::string sex, entry_point, to_agency, to_service, participants, outcome, category, relates_to;
  std::string notes;
};

// Fills `row` and returns true, or appends every error in the row and returns false. `today`
// bounds dates: an event or birth after today is refused.
bool parse_row(const Header& header, const CsvRecord& record, const AgencyDirectory& agencies,
               core::Date today, EventRow& row, std::vector<RowError>& errors);

}  // namespace pathaudit::ingest
