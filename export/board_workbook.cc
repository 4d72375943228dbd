#include "export/board_workbook.h"

#include <algorithm>

namespace pathaudit::exports {
namespace {

// Writes a protected table from (row, col): a label column (and an optional title column), the
// cells, then the total; returns the next free row. Percentages of the row total follow for the
// first `percent_columns` columns when asked.
struct TableLayout {
  std::string row_heading;
  std::string title_heading;               // "" for no title column
  const std::vector<std::string>* titles;  // one per row when title_heading is set
  std::size_t percent_columns = 0;         // the first N columns get a "% of ..." column each
  std::string percent_of = "row total";
};

int write_table(Sheet& sheet, int row, const ProtectedTable& t, Profile p, const TableLayout& l,
                std::int64_t& written) {
  std::vector<std::string> header{l.row_heading};
  if (!l.title_heading.empty())
    header.push_back(l.title_heading);
  const int first_value = static_cast<int>(header.size());
  for (const std::string& c : t.columns)
    header.push_back(c);
  header.push_back("Total");
  for (std::size_t c = 0; c < l.percent_columns && c < t.columns.size(); ++c)
    header.push_back("% " + t.columns[c] + " (of " + l.percent_of + ")");
  sheet.header(row, header);
  ++row;
  const int total_col = first_value + static_cast<int>(t.columns.size());
  // Percentages are of the graded total (the first percent_columns columns), computed only where
  // every count involved is shown: otherwise the share would give the hidden count away.
  for (std::size_t r = 0; r < t.rows.size(); ++r, ++row) {
    sheet.text(row, 0, t.rows[r]);
    if (!l.title_heading.empty())
      sheet.wrapped_text(row, 1, (*l.titles)[r]);
    for (std::size_t c = 0; c < t.columns.size(); ++c)
      sheet.count(row, first_value + static_cast<int>(c), t.cells[r][c], p);
    sheet.count(row, total_col, t.row_totals[r], p);
    if (l.percent_columns > 0) {
      // The share of the graded returns: the row total less the columns after the graded ones
      // ("Not applicable"), when those are shown, whatever is hidden among the grades.
      Cell base = t.row_totals[r];
      for (std::size_t c = l.percent_columns; c < t.columns.size() && base.shown; ++c) {
        if (t.cells[r][c].suppressed())
          base.shown.reset();
        else
          *base.shown -= *t.cells[r][c].shown;
      }
      for (std::size_t c = 0; c < l.percent_columns && c < t.columns.size(); ++c)
        sheet.percent(row, total_col + 1 + static_cast<int>(c),
                      protected_percent(t.cells[r][c], base));
    }
    ++written;
  }
  sheet.text(row, 0, "Total", true);
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    sheet.count(row, first_value + static_cast<int>(c), t.column_totals[c], p);
  sheet.count(row, total_col, t.grand_total, p);
  ++written;
  return row + 1;
}

void cover_sheet(Workbook& wb, const BoardReport& r, std::int64_t& written) {
  Sheet& s = wb.add_sheet("Cover");
  s.text(0, 0, "Multi-agency audit of the response to child sexual abuse", true);
  s.text(1, 0,
         "For the partnership board. Every count has been through disclosure control so that "
         "no child should be identifiable; text appears only where a QA lead marked it "
         "board-safe.");
  s.header(3, {"Item", "Detail"});
  int row = 4;
  for (const auto& [field, value] : r.cover) {
    s.text(row, 0, field, true);
    s.wrapped_text(row, 1, value);
    ++row;
    ++written;
  }
  s.column_width(0, 0, 30);
  s.column_width(1, 1, 90);
}

void summary_sheet(Workbook& wb, const BoardReport& r, std::int64_t& written) {
  Sheet& s = wb.add_sheet("Summary");
  s.header(0, {"Headline", "Count"});
  int row = 1;
  for (const auto& h : r.headlines) {
    s.text(row, 0, h.label);
    s.count(row, 1, h.value, r.profile);
    ++row;
    ++written;
  }
  row += 1;
  s.text(row++, 0, "Grades given across every stage", true);
  const int table_row = row;
  TableLayout l{"Stages", "", nullptr, r.overall_grades.columns.size(), "graded returns"};
  row = write_table(s, row, r.overall_grades, r.profile, l, written);
  std::vector<int> cols;
  for (std::size_t c = 0; c < r.overall_grades.columns.size(); ++c)
    cols.push_back(1 + static_cast<int>(c));
  // One series per grade over the single "All stages" row.
  s.column_chart({"Grades given across every stage", table_row, table_row + 1, table_row + 1, 0,
                  cols, false, "Returns x stages", row + 1, 0});
  s.column_width(0, 0, 48);
  s.column_width(1, 12, 14);
  s.freeze(1, 0);
}

void stages_sheet(Workbook& wb, const BoardReport& r, std::int64_t& written) {
  Sheet& s = wb.add_sheet("Pathway stages");
  TableLayout l{"Stage", "Title", &r.stage_titles, r.graded_columns, "graded returns"};
  const int end = write_table(s, 0, r.stages, r.profile, l, written);
  std::vector<int> cols;
  for (std::size_t c = 0; c < r.graded_columns; ++c)
    cols.push_back(2 + static_cast<int>(c));
  if (!r.stages.rows.empty()) {
    s.column_chart({"Grades by stage", 0, 1, static_cast<int>(r.stages.rows.size()), 0, cols, true,
                    "Agency returns", end + 1, 0});
  }
  s.freeze(1, 2);
  s.autofilter(0, 0, static_cast<int>(r.stages.rows.size()), 1);
  s.column_width(0, 0, 10);
  s.column_width(1, 1, 50);
  s.column_width(2, 20, 14);
}

void agencies_sheet(Workbook& wb, const BoardReport& r, std::int64_t& written) {
  Sheet& s = wb.add_sheet("Agencies");
  TableLayout l{"Agency", "Name", &r.agency_names, r.graded_columns, "graded returns"};
  write_table(s, 0, r.agencies, r.profile, l, written);
  s.freeze(1, 2);
  s.column_width(0, 0, 12);
  s.column_width(1, 1, 44);
  s.column_width(2, 20, 14);
}

void flags_sheet(Workbook& wb, const BoardReport& r, std::int64_t& written) {
  Sheet& s = wb.add_sheet("Flags");
  TableLayout l{"Rule", "What it finds", &r.rule_titles, 0, ""};
  int row = write_table(s, 0, r.flags, r.profile, l, written);
  if (!r.previous_audit.empty()) {
    const int col = 2 + static_cast<int>(r.flags.columns.size()) + 1;
    s.text(0, col, "Previous audit total", true);
    s.text(0, col + 1, "Change", true);
    for (std::size_t i = 0; i < r.previous_totals.size(); ++i) {
      const Cell& now = r.flags.row_totals[i];
      const Cell& before = r.previous_totals[i];
      s.count(1 + static_cast<int>(i), col, before, r.profile);
      // A change is shown only between two exact, shown totals.
      if (!now.suppressed() && !before.suppressed() && now.exact && before.exact)
        s.integer(1 + static_cast<int>(i), col + 1, *now.shown - *before.shown);
    }
    s.text(row + 1, 0, "Previous audit: " + r.previous_audit);
    row += 2;
  }
  s.text(row + 1, 0,
         "Flags are counted for every child of the audit's population, by the agency whose record "
         "each flag is about.");
  s.freeze(1, 2);
  s.column_width(0, 0, 26);
  s.column_width(1, 1, 60);
  s.column_width(2, 30, 10);
}

void timeliness_sheet(Workbook& wb, const BoardReport& r, std::int64_t& written) {
  Sheet& s = wb.add_sheet("Timeliness");
  s.header(0, {"Rule", "Timescale", "On time", "Late", "Checks", "% on time", "Basis"});
  int row = 1;
  for (const auto& t : r.timeliness) {
    s.text(row, 0, t.rule);
    s.wrapped_text(row, 1, t.title);
    s.count(row, 2, t.on_time, r.profile);
    s.count(row, 3, t.late, r.profile);
    s.count(row, 4, t.checks, r.profile);
    s.percent(row, 5, t.percent_on_time);
    s.wrapped_text(row, 6, t.basis);
    ++row;
    ++written;
  }
  s.freeze(1, 1);
  s.column_width(0, 0, 24);
  s.column_width(1, 1, 60);
  s.column_width(2, 5, 11);
  s.column_width(6, 6, 80);
}

void baseline_sheet(Workbook& wb, const BoardReport& r, std::int64_t& written) {
  Sheet& s = wb.add_sheet("Baseline measures");
  s.header(0, {"Measure", "Title", "Quarter", "Count", "Of", "Percent", "Quarter complete"});
  int row = 1;
  for (const auto& m : r.baseline) {
    s.text(row, 0, m.id);
    s.text(row, 1, m.title);
    s.text(row, 2, m.quarter);
    s.count(row, 3, m.value, r.profile);
    if (m.proportion) {
      s.count(row, 4, m.denominator, r.profile);
      s.percent(row, 5, m.percent);
    }
    s.text(row, 6, m.complete ? "yes" : "no: the data ends before the quarter does");
    ++row;
    ++written;
  }
  s.freeze(1, 0);
  if (row > 1)
    s.autofilter(0, 0, row - 1, 6);
  s.column_width(0, 0, 32);
  s.column_width(1, 1, 48);
  s.column_width(2, 5, 12);
}

void actions_sheet(Workbook& wb, const BoardReport& r, std::int64_t& written) {
  Sheet& s = wb.add_sheet("Actions");
  TableLayout l{"Owner agency", "", nullptr, 0, ""};
  write_table(s, 0, r.actions, r.profile, l, written);
  const int overdue_col = 1 + static_cast<int>(r.actions.columns.size()) + 1;
  s.text(0, overdue_col, "Overdue", true);
  for (std::size_t i = 0; i < r.overdue.size(); ++i)
    s.count(1 + static_cast<int>(i), overdue_col, r.overdue[i], r.profile);
  s.freeze(1, 1);
  s.column_width(0, 0, 16);
  s.column_width(1, 10, 13);
}

void learning_sheet(Workbook& wb, const BoardReport& r, std::int64_t& written) {
  Sheet& s = wb.add_sheet("Learning");
  s.header(0, {"Learning", "Themes"});
  int row = 1;
  for (const auto& l : r.learning) {
    s.wrapped_text(row, 0, l.text);
    s.text(row, 1, l.themes);
    ++row;
    ++written;
  }
  if (r.learning.empty())
    s.text(1, 0, "No learning from this audit has been marked board-safe yet.");
  s.column_width(0, 0, 100);
  s.column_width(1, 1, 30);
  s.freeze(1, 0);
}

void notes_sheet(Workbook& wb, const BoardReport& r, std::int64_t& written) {
  Sheet& s = wb.add_sheet("Notes and definitions");
  s.header(0, {"Term", "Definition"});
  int row = 1;
  for (const auto& [term, definition] : r.notes) {
    s.text(row, 0, term, true);
    s.wrapped_text(row, 1, definition);
    ++row;
    ++written;
  }
  s.column_width(0, 0, 34);
  s.column_width(1, 1, 110);
  s.freeze(1, 0);
}

}  // namespace

std::int64_t write_board_workbook(const BoardReport& report, const std::string& path) {
  Workbook wb(path, /*constant_memory=*/false);
  wb.set_properties(report.properties);
  std::int64_t written = 0;
  cover_sheet(wb, report, written);
  summary_sheet(wb, report, written);
  stages_sheet(wb, report, written);
  agencies_sheet(wb, report, written);
  flags_sheet(wb, report, written);
  timeliness_sheet(wb, report, written);
  baseline_sheet(wb, report, written);
  actions_sheet(wb, report, written);
  learning_sheet(wb, report, written);
  notes_sheet(wb, report, written);
  wb.close();
  return written;
}

}  // namespace pathaudit::exports
