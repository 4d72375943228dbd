// Disclosure control for figures a partnership board sees (DOMAIN.md section 7, docs/exports.md):
// counts of children, returns, flags or events small enough that someone could recognise a child
// are suppressed, and a suppressed count is never recoverable from the totals beside it.
//
// Profiles:
// - dfe (the default): counts 1 to 5 are shown as "c"; true zeros are shown; then secondary
//   suppression, until no row or column of a table (its total included) has exactly one suppressed
//   entry, so no suppressed entry follows from its line's total and the others. Secondary cells
//   are the smallest shown non-zero counts of the line; a line with none left suppresses its total.
// - nhs: counts 1 to 7 are shown as "*"; every other count, totals included, is rounded to the
//   nearest 5 (halves up), so no exact count can be recovered by differencing.
// A percentage is shown only when both its numerator and its denominator are shown exactly (dfe)
// or shown at all (nhs), and the denominator is not zero.
//
// Pure functions over value types; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pathaudit::exports {

enum class Profile { dfe, nhs };

std::optional<Profile> parse_profile(std::string_view name);  // "dfe", "nhs"
std::string_view profile_name(Profile p);
// The symbol a suppressed count is shown as: "c" (dfe) or "*" (nhs).
std::string_view suppression_symbol(Profile p);
// One sentence for the Cover and Notes sheets, e.g. "Counts from 1 to 5 are shown as c; ...".
std::string profile_rule(Profile p);

// A count as a board sees it: a number (exact, or rounded under nhs), or suppressed.
struct Cell {
  std::optional<std::int64_t> shown;  // nullopt when suppressed
  bool suppressed() const { return !shown.has_value(); }
  bool exact = true;  // false when rounded (nhs), and when suppressed
};

// A two-way table of true counts: rows x columns. Totals are computed, never supplied, so they
// always agree with the cells.
struct CountTable {
  std::vector<std::string> rows;
  std::vector<std::string> columns;
  std::vector<std::vector<std::int64_t>> counts;  // [row][column]; every count >= 0
};

struct ProtectedTable {
  std::vector<std::string> rows;
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> cells;  // [row][column]
  std::vector<Cell> row_totals;          // one per row
  std::vector<Cell> column_totals;       // one per column
  Cell grand_total;
  std::size_t primary = 0;    // entries suppressed for being small (totals included)
  std::size_t secondary = 0;  // entries suppressed to protect them
};

// Throws core::ValidationError when the counts are not rows x columns or a count is negative.
ProtectedTable protect(const CountTable& table, Profile profile);

// A count shown on its own, with no total beside it (a headline figure).
Cell protect_count(std::int64_t count, Profile profile);

// 100 * numerator / denominator when both may be shown and the denominator is not zero.
std::optional<double> protected_percent(const Cell& numerator, const Cell& denominator);

}  // namespace pathaudit::exports
