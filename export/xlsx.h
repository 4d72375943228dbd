// Writing .xlsx workbooks with libxlsxwriter 1.1.4: the few things exports need (text, numbers,
// counts under disclosure control, percentages, headers, frozen panes, autofilters, column widths,
// column charts, document properties), so no other code touches the C library. Text is always
// written as text, never as a formula, whatever it starts with.
//
// A Workbook owns its libxlsxwriter workbook and its sheets. constant_memory keeps memory flat for
// very large sheets: rows must then be written in order and charts are not available. close()
// must be called and reports libxlsxwriter's error; a Workbook destroyed unclosed discards the
// file. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "export/disclosure.h"

namespace pathaudit::exports {

struct WorkbookProperties {
  std::string title, subject, author, company, comments, keywords;
};

class Sheet {
 public:
  virtual ~Sheet() = default;
  // Bold header cells with a bottom border, one per title, from column 0 of `row`.
  virtual void header(int row, const std::vector<std::string>& titles) = 0;
  virtual void text(int row, int col, std::string_view value, bool bold = false) = 0;
  virtual void wrapped_text(int row, int col, std::string_view value) = 0;
  // A whole number shown with thousands separators.
  virtual void integer(int row, int col, std::int64_t value) = 0;
  // A count under disclosure control: the number, or the profile's symbol, right-aligned.
  virtual void count(int row, int col, const Cell& cell, Profile profile) = 0;
  // A percentage (0 to 100) shown with one decimal place; blank when nullopt.
  virtual void percent(int row, int col, std::optional<double> value) = 0;
  virtual void freeze(int rows, int cols) = 0;
  virtual void autofilter(int first_row, int first_col, int last_row, int last_col) = 0;
  virtual void column_width(int first_col, int last_col, double width) = 0;
  // A column chart of the numeric cells in [first_row, last_row] of each value column, one series
  // per column named by the cell in `header_row`, categories from `category_col`; placed with its
  // top-left corner at (anchor_row, anchor_col). Cells holding a suppression symbol plot as gaps.
  // Not available in constant_memory mode (core::Error).
  struct Chart {
    std::string title;
    int header_row = 0;
    int first_row = 0, last_row = 0;
    int category_col = 0;
    std::vector<int> value_cols;
    bool stacked = false;
    std::string y_axis_title;
    int anchor_row = 0, anchor_col = 0;
  };
  virtual void column_chart(const Chart& chart) = 0;
};

class Workbook {
 public:
  // Throws core::Error when the file cannot be created.
  Workbook(const std::string& path, bool constant_memory);
  ~Workbook();
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  void set_properties(const WorkbookProperties& p);
  // Sheet names: at most 31 characters, none of []:*?/\ (core::ValidationError otherwise). The
  // workbook owns the sheet; the reference lives until close().
  Sheet& add_sheet(const std::string& name);
  // Writes the file. Throws core::Error with libxlsxwriter's reason when it cannot.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pathaudit::exports
