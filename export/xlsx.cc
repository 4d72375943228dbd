#include "export/xlsx.h"

#include <xlsxwriter.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>

#include "core/errors.h"

namespace pathaudit::exports {

namespace {

// Excel's own limits (libxlsxwriter checks writes against them too, but not every call).
constexpr int kMaxRows = LXW_ROW_MAX;
constexpr int kMaxCols = LXW_COL_MAX;
constexpr std::size_t kMaxSheetName = 31;  // characters, not bytes
constexpr int kMaxChartPoints = 32000;     // per series, in Excel

void check(lxw_error e, const char* what) {
  if (e != LXW_NO_ERROR)
    throw core::Error(std::string("xlsx: ") + what + ": " + lxw_strerror(e));
}

void check_cell(int row, int col) {
  if (row < 0 || row >= kMaxRows || col < 0 || col >= kMaxCols)
    throw core::ValidationError("xlsx: cell (" + std::to_string(row) + ", " + std::to_string(col) +
                                ") is outside a worksheet");
}

void check_range(int first_row, int first_col, int last_row, int last_col) {
  check_cell(first_row, first_col);
  check_cell(last_row, last_col);
  if (last_row < first_row || last_col < first_col)
    throw core::ValidationError("xlsx: a range ends before it starts");
}

// Whether `s` is UTF-8 that XML can hold: no overlong forms, surrogates, U+FFFE or U+FFFF, or
// anything past U+10FFFF. libxlsxwriter copies bytes as they are, and a workbook with one bad
// byte is refused whole by Excel and by openpyxl. (It escapes control characters itself.)
bool xml_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size())
      return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    const std::uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
      return false;
    i += len;
  }
  return true;
}

// libxlsxwriter takes C strings: an embedded NUL would silently cut the text short.
std::string c_string(std::string_view v, const char* what) {
  if (v.find('\0') != std::string_view::npos)
    throw core::ValidationError(std::string("xlsx: ") + what + " holds a NUL character");
  if (!xml_utf8(v))
    throw core::ValidationError(std::string("xlsx: ") + what + " is not valid UTF-8");
  return std::string(v);
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char ch : s)
    n += (ch & 0xC0) != 0x80;
  return n;
}

std::string lower_ascii(std::string s) {
  for (char& ch : s)
    if (ch >= 'A' && ch <= 'Z')
      ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

// A chart keeps a cache of the values it plots (<c:numCache>), which viewers that do not
// recalculate draw from. libxlsxwriter fills it in workbook_close() from the sheet's cells, and
// puts a text cell in as 0: a suppressed count would be drawn, and read, as a true zero. So the
// caches are filled here first, the same way except that anything but a number is left out of
// the cache (a gap), and marked so that libxlsxwriter keeps them. The points are allocated with
// calloc because libxlsxwriter frees them with free().
void fill_chart_cache(lxw_series_range* range, lxw_worksheet* sheet, int first_row, int last_row,
                      int col) {
  if (!range || !range->data_cache || !STAILQ_EMPTY(range->data_cache))
    return;
  std::uint16_t points = 0;
  for (int r = first_row; r <= last_row; ++r) {
    auto* point =
        static_cast<lxw_series_data_point*>(std::calloc(1, sizeof(lxw_series_data_point)));
    if (!point)
      throw core::Error("xlsx: out of memory for a chart cache");
    lxw_row* row = lxw_worksheet_find_row(sheet, static_cast<lxw_row_t>(r));
    lxw_cell* cell =
        row ? lxw_worksheet_find_cell_in_row(row, static_cast<lxw_col_t>(col)) : nullptr;
    if (cell && cell->type == NUMBER_CELL)
      point->number = cell->u.number;
    else
      point->no_data = LXW_TRUE;
    STAILQ_INSERT_TAIL(range->data_cache, point, list_pointers);
    ++points;
  }
  range->num_data_points = points;
  range->ignore_cache = LXW_TRUE;  // libxlsxwriter: keep this cache, do not read the cells again
}

// libxlsxwriter reads a chart title or axis name that starts with '=' as a cell reference; a
// leading space keeps it literal text.
std::string literal_chart_text(const std::string& s) {
  return !s.empty() && s.front() == '=' ? " " + s : s;
}

class SheetImpl;

// Everything a Workbook holds; Workbook::Impl is this (its name is private to Workbook, and the
// sheets need to see it).
struct BookState {
  std::string path;
  bool constant_memory = false;
  lxw_workbook* book = nullptr;
  bool closed = false;
  std::set<std::string> sheet_names;  // lower-cased: Excel's names are case-insensitive
  std::vector<std::unique_ptr<SheetImpl>> sheets;
  std::vector<lxw_worksheet*> worksheets;  // owned by `book`

  // The values range of each chart series, for its cache (see fill_chart_cache).
  struct SeriesValues {
    lxw_series_range* range;
    lxw_worksheet* sheet;
    int first_row, last_row, col;
  };
  std::vector<SeriesValues> chart_values;

  lxw_format* header = nullptr;
  lxw_format* bold = nullptr;
  lxw_format* wrapped = nullptr;
  lxw_format* integer = nullptr;
  lxw_format* count = nullptr;
  lxw_format* symbol = nullptr;
  lxw_format* percent = nullptr;

  void require_open() const {
    if (closed || !book)
      throw core::Error("xlsx: the workbook is already closed");
  }

  lxw_format* format() {
    lxw_format* f = workbook_add_format(book);
    if (!f)
      throw core::Error("xlsx: out of memory for a cell format");
    return f;
  }

  // Frees libxlsxwriter's workbook without writing anything and removes whatever is at the path,
  // so no half-made or stale file passes for this workbook.
  void discard() noexcept {
    if (book) {
      // lxw_workbook_free() does not close the temporary file each constant_memory sheet writes
      // its rows to (workbook_close() does): close them here, or every discarded workbook leaks
      // a descriptor per sheet.
      for (lxw_worksheet* ws : worksheets) {
        if (ws->optimize_tmpfile) {
          std::fclose(ws->optimize_tmpfile);
          if (ws->file == ws->optimize_tmpfile)
            ws->file = nullptr;
          ws->optimize_tmpfile = nullptr;
        }
      }
      lxw_workbook_free(book);
      book = nullptr;
    }
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

class SheetImpl final : public Sheet {
 public:
  SheetImpl(BookState& book, lxw_worksheet* sheet, std::string name)
      : book_(book), sheet_(sheet), name_(std::move(name)) {}

  void header(int row, const std::vector<std::string>& titles) override {
    for (std::size_t i = 0; i < titles.size(); ++i)
      write_text(row, static_cast<int>(i), titles[i], book_.header);
  }

  void text(int row, int col, std::string_view value, bool bold) override {
    write_text(row, col, value, bold ? book_.bold : nullptr);
  }

  void wrapped_text(int row, int col, std::string_view value) override {
    write_text(row, col, value, book_.wrapped);
  }

  void integer(int row, int col, std::int64_t value) override {
    write_number(row, col, static_cast<double>(value), book_.integer);
  }

  void count(int row, int col, const Cell& cell, Profile profile) override {
    if (cell.suppressed())
      write_text(row, col, suppression_symbol(profile), book_.symbol);
    else
      write_number(row, col, static_cast<double>(*cell.shown), book_.count);
  }

  void percent(int row, int col, std::optional<double> value) override {
    if (!value) {
      begin(row, col);
      check(worksheet_write_blank(sheet_, row, col, book_.percent), "writing a blank percentage");
      return;
    }
    if (!std::isfinite(*value))
      throw core::Error("xlsx: a percentage is not a finite number");
    write_number(row, col, *value, book_.percent);
  }

  void freeze(int rows, int cols) override {
    book_.require_open();
    check_cell(rows, cols);
    worksheet_freeze_panes(sheet_, rows, cols);
  }

  void autofilter(int first_row, int first_col, int last_row, int last_col) override {
    book_.require_open();
    check_range(first_row, first_col, last_row, last_col);
    check(worksheet_autofilter(sheet_, first_row, first_col, last_row, last_col),
          "setting an autofilter");
  }

  void column_width(int first_col, int last_col, double width) override {
    book_.require_open();
    check_range(0, first_col, 0, last_col);
    if (!std::isfinite(width) || width < 0 || width > 255)
      throw core::ValidationError("xlsx: a column width is from 0 to 255 characters");
    check(worksheet_set_column(sheet_, first_col, last_col, width, nullptr),
          "setting a column width");
  }

  void column_chart(const Chart& c) override {
    book_.require_open();
    if (book_.constant_memory)
      throw core::Error("xlsx: charts are not available in a constant_memory workbook");
    check_range(c.first_row, c.category_col, c.last_row, c.category_col);
    check_cell(c.header_row, c.category_col);
    check_cell(c.anchor_row, c.anchor_col);
    if (c.value_cols.empty())
      throw core::ValidationError("xlsx: a chart needs at least one value column");
    for (int col : c.value_cols)
      check_range(c.first_row, col, c.last_row, col);
    if (c.last_row - c.first_row + 1 > kMaxChartPoints)
      throw core::ValidationError("xlsx: a chart series has at most 32,000 points");

    lxw_chart* chart =
        workbook_add_chart(book_.book, c.stacked ? LXW_CHART_COLUMN_STACKED : LXW_CHART_COLUMN);
    if (!chart)
      throw core::Error("xlsx: out of memory for a chart");
    const char* sheet = name_.c_str();
    for (int col : c.value_cols) {
      lxw_chart_series* series = chart_add_series(chart, nullptr, nullptr);
      if (!series)
        throw core::Error("xlsx: out of memory for a chart series");
      // Ranges given by row and column: libxlsxwriter quotes the sheet name itself.
      chart_series_set_categories(series, sheet, c.first_row, c.category_col, c.last_row,
                                  c.category_col);
      chart_series_set_values(series, sheet, c.first_row, col, c.last_row, col);
      book_.chart_values.push_back({series->values, sheet_, c.first_row, c.last_row, col});
      chart_series_set_name_range(series, sheet, c.header_row, col);
    }
    // Suppressed cells hold text. The cache leaves them out (fill_chart_cache); Excel, which
    // draws from the cells, gives text no height either. Gaps, never joined across.
    chart_show_blanks_as(chart, LXW_CHART_BLANKS_AS_GAP);
    if (!c.title.empty())
      chart_title_set_name(chart, literal_chart_text(c_string(c.title, "a chart title")).c_str());
    if (!c.y_axis_title.empty())
      chart_axis_set_name(chart->y_axis,
                          literal_chart_text(c_string(c.y_axis_title, "an axis title")).c_str());
    check(worksheet_insert_chart(sheet_, c.anchor_row, c.anchor_col, chart), "inserting a chart");
  }

 private:
  void begin(int row, int col) {
    book_.require_open();
    check_cell(row, col);
  }

  void write_text(int row, int col, std::string_view value, lxw_format* f) {
    begin(row, col);
    const std::string s = c_string(value, "a cell's text");
    // Always a string cell, never a formula, whatever the text starts with.
    check(worksheet_write_string(sheet_, row, col, s.c_str(), f), "writing text");
  }

  void write_number(int row, int col, double v, lxw_format* f) {
    begin(row, col);
    check(worksheet_write_number(sheet_, row, col, v, f), "writing a number");
  }

  BookState& book_;
  lxw_worksheet* sheet_;
  std::string name_;
};

}  // namespace

struct Workbook::Impl : BookState {};

Workbook::Workbook(const std::string& path, bool constant_memory)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->constant_memory = constant_memory;

  // libxlsxwriter opens the file only in workbook_close(): find out now whether it can be made,
  // without leaving anything behind (an existing file is opened for appending, not truncated).
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  if (std::FILE* probe = std::fopen(path.c_str(), "ab")) {
    std::fclose(probe);
    if (!existed)
      std::filesystem::remove(path, ec);
  } else {
    throw core::Error("xlsx: cannot create " + path + ": " + std::strerror(errno));
  }

  lxw_workbook_options options{};
  options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
  options.use_zip64 = LXW_FALSE;
  impl_->book = workbook_new_opt(path.c_str(), &options);
  if (!impl_->book)
    throw core::Error("xlsx: cannot start a workbook for " + path);

  try {
    BookState& b = *impl_;
    b.header = b.format();
    format_set_bold(b.header);
    format_set_bottom(b.header, LXW_BORDER_THIN);
    b.bold = b.format();
    format_set_bold(b.bold);
    b.wrapped = b.format();
    format_set_text_wrap(b.wrapped);
    format_set_align(b.wrapped, LXW_ALIGN_VERTICAL_TOP);
    b.integer = b.format();
    format_set_num_format(b.integer, "#,##0");
    b.count = b.format();
    format_set_num_format(b.count, "#,##0");
    format_set_align(b.count, LXW_ALIGN_RIGHT);
    b.symbol = b.format();
    format_set_align(b.symbol, LXW_ALIGN_RIGHT);
    b.percent = b.format();
    format_set_num_format(b.percent, "0.0");
  } catch (...) {
    impl_->discard();
    throw;
  }
}

Workbook::~Workbook() {
  if (impl_ && !impl_->closed)
    impl_->discard();
}

void Workbook::set_properties(const WorkbookProperties& p) {
  impl_->require_open();
  // libxlsxwriter copies every string it is given.
  const std::string title = c_string(p.title, "the title"),
                    subject = c_string(p.subject, "the subject"),
                    author = c_string(p.author, "the author"),
                    company = c_string(p.company, "the company"),
                    comments = c_string(p.comments, "the comments"),
                    keywords = c_string(p.keywords, "the keywords");
  const auto field = [](const std::string& s) {
    return s.empty() ? nullptr : const_cast<char*>(s.c_str());
  };
  lxw_doc_properties props{};
  props.title = field(title);
  props.subject = field(subject);
  props.author = field(author);
  props.company = field(company);
  props.comments = field(comments);
  props.keywords = field(keywords);
  check(workbook_set_properties(impl_->book, &props), "setting document properties");
}

Sheet& Workbook::add_sheet(const std::string& name) {
  impl_->require_open();
  if (name.empty())
    throw core::ValidationError("xlsx: a sheet needs a name");
  c_string(name, "a sheet name");
  if (utf8_length(name) > kMaxSheetName)
    throw core::ValidationError("xlsx: sheet name '" + name + "' is longer than 31 characters");
  if (name.find_first_of("[]:*?/\\") != std::string::npos)
    throw core::ValidationError("xlsx: sheet name '" + name +
                                "' holds one of the characters [ ] : * ? / \\");
  if (name.front() == '\'' || name.back() == '\'')
    throw core::ValidationError("xlsx: sheet name '" + name + "' starts or ends with '");
  if (!impl_->sheet_names.insert(lower_ascii(name)).second)
    throw core::ValidationError("xlsx: the workbook already has a sheet named '" + name + "'");
  const lxw_error valid = workbook_validate_sheet_name(impl_->book, name.c_str());
  if (valid != LXW_NO_ERROR) {
    impl_->sheet_names.erase(lower_ascii(name));
    throw core::ValidationError("xlsx: sheet name '" + name + "': " + lxw_strerror(valid));
  }
  lxw_worksheet* ws = workbook_add_worksheet(impl_->book, name.c_str());
  if (!ws) {
    impl_->sheet_names.erase(lower_ascii(name));
    throw core::Error("xlsx: cannot add sheet '" + name + "'");
  }
  impl_->worksheets.push_back(ws);
  impl_->sheets.push_back(std::make_unique<SheetImpl>(*impl_, ws, name));
  return *impl_->sheets.back();
}

void Workbook::close() {
  impl_->require_open();
  for (const auto& v : impl_->chart_values)
    fill_chart_cache(v.range, v.sheet, v.first_row, v.last_row, v.col);
  lxw_workbook* book = impl_->book;
  impl_->book = nullptr;
  impl_->closed = true;
  // workbook_close() frees the workbook whatever happens.
  const lxw_error e = workbook_close(book);
  if (e != LXW_NO_ERROR) {
    std::error_code ec;
    std::filesystem::remove(impl_->path, ec);  // never leave a partial file behind
    throw core::Error("xlsx: writing " + impl_->path + " failed: " + lxw_strerror(e));
  }
}

}  // namespace pathaudit::exports
