// Disclosure control for figures a partnership board sees (DOMAIN.md section 7, docs/exports.md):
// counts of children, returns, flags or events small enough that someone could recognise a child
// are suppressed, and a suppressed count is never exactly recoverable from the figures published
// with it.
//
// Profiles:
// - dfe (the default): counts 1 to 5, totals included, are shown as "c" (primary suppression);
//   true zeros are always shown, so a reader knows every "c" is at least 1. Secondary suppression
//   then works on the (rows+1) x (columns+1) grid of the table with its totals, read as a graph
//   whose nodes are its lines (each data row and the totals row; each data column and the totals
//   column) and whose edges are its suppressed entries (entry (i, j) joins row line i and column
//   line j; the grand total joins the totals row and the totals column). These rules run together
//   until none of them suppresses anything more:
//   1. line rule: no line has exactly one suppressed entry (its total and the rest would give it);
//   2. lower-bound rule: no line whose total is shown has suppressed entries that must sum to the
//      least they can (k of them summing to k would each be 1). A suppressed total counts as at
//      least its own line's shown cells plus 1 for each "c" in it, so a totals row or column of
//      suppressed totals is held to the same test;
//   3. bridge rule: no suppressed entry is a bridge of the graph (on no cycle of suppressed
//      entries), since lines combined then fix it exactly;
//   4. bounds rule, the complete test of which 2 and 3 are the common cases: no suppressed entry
//      has only one value consistent with the published figures and every "c" being at least 1
//      (rules 2 and 3 alone leave such entries, e.g. two c's that lines combined show sum to 2).
//   A rule that finds a fault suppresses one more entry, the smallest shown non-zero one that
//   mends it: in the line for rules 1 and 2; for 3 and 4 one that closes a cycle through the entry,
//   else one that grows its part of the graph. A data cell goes before a total, the first on a
//   tie; a true zero never goes, a line with nothing else left gives up its total instead. A table
//   with no count from 1 to 5 (zeros aside) is published unchanged. What is not promised is a wide
//   range: a reader may still learn that a "c" is, say, 1 or 2.
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

// Tables that break the same counts down different ways (returns by stage and by agency) share
// their column totals: published side by side, one must not show a total the other hides. Each
// is protected with every total that any of them hides hidden too, until they agree. Throws
// core::ValidationError unless the tables have the same columns and the same column totals.
std::vector<ProtectedTable> protect_together(const std::vector<CountTable>& tables,
                                             Profile profile);

// A count shown on its own, with no total beside it (a headline figure).
Cell protect_count(std::int64_t count, Profile profile);

// 100 * numerator / denominator when both may be shown and the denominator is not zero.
std::optional<double> protected_percent(const Cell& numerator, const Cell& denominator);

}  // namespace pathaudit::exports
