// The board workbook (docs/board-guide.md): what a partnership board receives for an audit, laid
// out sheet by sheet. The caller (service/exports) fills a BoardReport with figures that have
// already been through disclosure control and with text that may go to a board; this writes it.
// Nothing here reads the database or sees an identifier. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "export/disclosure.h"
#include "export/xlsx.h"

namespace pathaudit::exports {

struct BoardReport {
  Profile profile = Profile::dfe;
  WorkbookProperties properties;

  // Cover: (field, value) rows, in order.
  std::vector<std::pair<std::string, std::string>> cover;

  // Summary: headline counts, then the grade distribution over every stage.
  struct Headline {
    std::string label;
    Cell value;
  };
  std::vector<Headline> headlines;
  ProtectedTable overall_grades;  // one row ("All stages") x grades

  // Pathway stages: stage x grade (columns: the scale's grades, then "Not applicable").
  std::vector<std::string> stage_titles;  // one per row of `stages`
  ProtectedTable stages;
  std::size_t graded_columns = 0;  // the first columns that are grades (percentages use these)

  // Agencies: agency x grade, every stage together.
  std::vector<std::string> agency_names;  // one per row of `agencies`
  ProtectedTable agencies;

  // Flags: rule x agency, for the children of the audit's population; and the same rule's total
  // in the previous audit on the same template, when there is one.
  std::vector<std::string> rule_titles;  // one per row of `flags`
  ProtectedTable flags;
  std::string previous_audit;         // "" when none
  std::vector<Cell> previous_totals;  // one per row of `flags` when previous_audit is set

  // Timeliness: per timescale rule, the checks whose outcome is known, on time and late. `late` is
  // the rule's row total on the Flags sheet, so the two sheets show or hide it alike. No total
  // row: it would need its own protection across rules.
  struct Timeliness {
    std::string rule, title, basis;
    Cell on_time, late, checks;
    std::optional<double> percent_on_time;
  };
  std::vector<Timeliness> timeliness;

  // Baseline measures by quarter.
  struct Measure {
    std::string id, title, quarter;
    bool proportion = false;
    bool complete = true;  // false when the data ends before the quarter does
    Cell value;                     // the count (proportion: the numerator)
    Cell denominator;               // proportions only
    std::optional<double> percent;  // proportions only
  };
  std::vector<Measure> baseline;

  // Actions: owner agency x status, overdue apart (a subset, not a status). Not listed one by one:
  // a list would give away the counts the table hides.
  ProtectedTable actions;
  std::vector<Cell> overdue;  // one per row of `actions`

  // Learning a QA lead marked board-safe, word for word, with its themes.
  struct Learning {
    std::string text;
    std::string themes;
  };
  std::vector<Learning> learning;

  // Notes and definitions: (term, definition) rows.
  std::vector<std::pair<std::string, std::string>> notes;
};

// Writes the workbook; returns the number of data rows written over all sheets. Throws core::Error
// when the file cannot be written.
std::int64_t write_board_workbook(const BoardReport& report, const std::string& path);

}  // namespace pathaudit::exports
