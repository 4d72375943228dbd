#include "export/xlsx.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "export/disclosure.h"
#include "test_support.h"

using namespace pathaudit::exports;
using pathaudit::core::Error;
using pathaudit::core::ValidationError;
namespace t = pathaudit::testing;

namespace {

const std::string kReader = std::string(PATHAUDIT_SOURCE_DIR) + "/tests/unit/export/read_xlsx.py";

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

// What read_xlsx.py says about a workbook: its lines, tab-separated, by first field.
struct Facts {
  std::vector<std::vector<std::string>> lines;

  std::vector<std::vector<std::string>> all(const std::string& kind) const {
    std::vector<std::vector<std::string>> out;
    for (const auto& l : lines)
      if (l[0] == kind)
        out.push_back(l);
    return out;
  }
  // The line of `kind` whose second field is `key`, without those two fields.
  std::vector<std::string> get(const std::string& kind, const std::string& key) const {
    for (const auto& l : lines)
      if (l[0] == kind && l.size() > 1 && l[1] == key)
        return {l.begin() + 2, l.end()};
    FAIL("no " << kind << " " << key << " in the workbook");
    return {};
  }
};

Facts read_back(const std::string& mode, const std::string& path) {
  const auto r = t::run({PYTHON3, kReader, mode, path});
  INFO(r.err);
  REQUIRE(r.status == 0);
  Facts f;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    f.lines.push_back(split(line, '\t'));
  return f;
}

struct CellFact {
  std::string type, value, format, bold, align, wrap, bottom;
};

CellFact cell(const Facts& f, const std::string& ref) {
  const auto v = f.get("cell", ref);
  REQUIRE(v.size() == 7);
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
}

}  // namespace

TEST_CASE("a workbook written with every sheet method reads back in openpyxl", "[xlsx]") {
  t::TempDir dir;
  const std::string path = dir / "board.xlsx";
  // Pathway counts with small numbers in them, protected the dfe way.
  CountTable counts;
  counts.rows = {"Referral", "Strategy discussion", "S47 enquiry", "ICPC"};
  counts.columns = {"CSC", "Police", "Health"};
  counts.counts = {{12, 3, 9}, {10, 8, 11}, {7, 2, 14}, {20, 15, 0}};
  const ProtectedTable p = protect(counts, Profile::dfe);
  {
    Workbook wb(path, false);
    wb.set_properties({.title = "Pathway audit 2026",
                       .subject = "Board report",
                       .author = "pathaudit",
                       .company = "Anytown Safeguarding Partnership",
                       .comments = "Counts from 1 to 5 are shown as c.",
                       .keywords = "audit, csa"});
    Sheet& cover = wb.add_sheet("Cover");
    cover.text(0, 0, "Pathway audit", true);
    cover.wrapped_text(1, 0, "A long paragraph that wraps.");
    cover.text(2, 0, "=1+1");
    cover.text(3, 0, "@SUM(A1)");
    cover.integer(4, 0, 1234567);
    cover.percent(5, 0, 12.345);
    cover.percent(6, 0, std::nullopt);
    cover.column_width(0, 0, 60);

    Sheet& s = wb.add_sheet("Pathway stages");
    s.header(0, {"Stage", "CSC", "Police", "Health", "Total", "% CSC"});
    for (std::size_t r = 0; r < p.rows.size(); ++r) {
      const int row = static_cast<int>(r) + 1;
      s.text(row, 0, p.rows[r]);
      for (std::size_t c = 0; c < p.columns.size(); ++c)
        s.count(row, static_cast<int>(c) + 1, p.cells[r][c], Profile::dfe);
      s.count(row, 4, p.row_totals[r], Profile::dfe);
      s.percent(row, 5, protected_percent(p.cells[r][0], p.row_totals[r]));
    }
    s.freeze(1, 1);
    s.autofilter(0, 0, 4, 5);
    s.column_width(0, 0, 24);
    s.column_width(1, 4, 10.5);
    s.column_chart({.title = "Children by stage and agency",
                    .header_row = 0,
                    .first_row = 1,
                    .last_row = 4,
                    .category_col = 0,
                    .value_cols = {1, 2, 3},
                    .stacked = true,
                    .y_axis_title = "Children",
                    .anchor_row = 7,
                    .anchor_col = 0});
    wb.close();
  }
  REQUIRE(std::filesystem::exists(path));
  const Facts f = read_back("dump", path);

  REQUIRE(f.get("sheets", "[\"Cover\", \"Pathway stages\"]").empty());

  // Text stays text, whatever it starts with; formats are as asked.
  CHECK(cell(f, "Cover!A1").bold == "true");
  CHECK(cell(f, "Cover!A2").wrap == "true");
  const CellFact formula = cell(f, "Cover!A3");
  CHECK(formula.type == "s");
  CHECK(formula.value == "\"=1+1\"");
  CHECK(cell(f, "Cover!A4").value == "\"@SUM(A1)\"");
  const CellFact integer = cell(f, "Cover!A5");
  CHECK(integer.type == "n");
  CHECK(integer.value == "1234567");
  CHECK(integer.format == "\"#,##0\"");
  const CellFact percent = cell(f, "Cover!A6");
  CHECK(percent.type == "n");
  CHECK(percent.value == "12.345");
  CHECK(percent.format == "\"0.0\"");
  CHECK(f.all("cell").size() > 0);
  for (const auto& l : f.all("cell"))
    CHECK(l[1] != "Cover!A7");  // a missing percentage is blank

  // Headers: bold with a bottom border.
  const CellFact head = cell(f, "Pathway stages!B1");
  CHECK(head.value == "\"CSC\"");
  CHECK(head.bold == "true");
  CHECK(head.bottom == "\"thin\"");
  CHECK(cell(f, "Pathway stages!F1").value == "\"% CSC\"");

  // Counts: numbers, or the symbol as text, right-aligned.
  const std::string cols = "BCD";
  for (std::size_t r = 0; r < p.rows.size(); ++r)
    for (std::size_t c = 0; c < p.columns.size(); ++c) {
      const std::string ref = "Pathway stages!" + std::string(1, cols[c]) + std::to_string(r + 2);
      INFO(ref);
      const CellFact got = cell(f, ref);
      CHECK(got.align == "\"right\"");
      if (p.cells[r][c].suppressed()) {
        CHECK(got.type == "s");
        CHECK(got.value == "\"c\"");
      } else {
        CHECK(got.type == "n");
        CHECK(got.value == std::to_string(*p.cells[r][c].shown));
        CHECK(got.format == "\"#,##0\"");
      }
    }
  REQUIRE(p.cells[0][1].suppressed());  // the table does have suppressed cells to chart

  CHECK(f.get("freeze", "Cover") == std::vector<std::string>{"\"\""});
  CHECK(f.get("freeze", "Pathway stages") == std::vector<std::string>{"\"B2\""});
  CHECK(f.get("autofilter", "Pathway stages") == std::vector<std::string>{"\"A1:F5\""});
  CHECK(f.get("autofilter", "Cover") == std::vector<std::string>{"\"\""});

  // Widths: libxlsxwriter adds Excel's padding, so a width reads back a little wider.
  bool saw_a = false, saw_b = false;
  for (const auto& w : f.all("width")) {
    const double width = std::stod(w[5]);
    if (w[1] == "Pathway stages" && w[2] == "A") {
      saw_a = true;
      CHECK(width == Approx(24).margin(1));
    }
    if (w[1] == "Pathway stages" && w[3] == "2") {
      saw_b = true;
      CHECK(w[4] == "5");  // B to E
      CHECK(width == Approx(10.5).margin(1));
    }
  }
  CHECK(saw_a);
  CHECK(saw_b);

  CHECK(f.get("property", "title")[0] == "\"Pathway audit 2026\"");
  CHECK(f.get("property", "subject")[0] == "\"Board report\"");
  CHECK(f.get("property", "creator")[0] == "\"pathaudit\"");
  CHECK(f.get("property", "keywords")[0] == "\"audit, csa\"");
  CHECK(f.get("property", "description")[0] == "\"Counts from 1 to 5 are shown as c.\"");
  CHECK(f.get("property", "company")[0] == "\"Anytown Safeguarding Partnership\"");

  // The chart: on the stages sheet, its ranges quoting the sheet name, and its cache holding the
  // shown counts only, suppressed cells as gaps rather than as numbers.
  REQUIRE(f.all("chart").size() == 1);
  REQUIRE(f.all("drawing").size() == 1);
  CHECK(f.all("drawing")[0][1] == "\"Pathway stages\"");
  bool saw_values = false;
  for (const auto& ref : f.all("chartref")) {
    CHECK(ref[3].rfind("\"'Pathway stages'!$", 0) == 0);
    saw_values = saw_values || ref[3] == "\"'Pathway stages'!$C$2:$C$5\"";
  }
  CHECK(saw_values);
  REQUIRE(f.all("nocache").empty());
  std::map<std::pair<int, int>, std::string> cached;  // (series, point) -> value
  for (const auto& n : f.all("numcache")) {
    const double v = std::stod(n[4].substr(1, n[4].size() - 2));
    INFO("series " << n[2] << " point " << n[3] << " = " << v);
    CHECK_FALSE((v >= 1 && v <= 5));
    cached[{std::stoi(n[2]), std::stoi(n[3])}] = n[4];
  }
  REQUIRE(f.all("ptcount").size() == p.columns.size());
  for (const auto& n : f.all("ptcount"))
    CHECK(n[3] == std::to_string(p.rows.size()));
  for (std::size_t c = 0; c < p.columns.size(); ++c) {
    for (std::size_t r = 0; r < p.rows.size(); ++r) {
      const auto it = cached.find({static_cast<int>(c), static_cast<int>(r)});
      INFO("series " << c << " point " << r);
      if (p.cells[r][c].suppressed())
        CHECK(it == cached.end());
      else
        CHECK((it != cached.end() &&
               it->second == "\"" + std::to_string(*p.cells[r][c].shown) + "\""));
    }
  }
}

TEST_CASE("constant_memory writes 200,000 rows that openpyxl reads back", "[xlsx]") {
  t::TempDir dir;
  const std::string path = dir / "detail.xlsx";
  const int rows = 200000;
  {
    Workbook wb(path, true);
    Sheet& s = wb.add_sheet("Events");
    s.header(0, {"Event", "Agency", "Count"});
    s.freeze(1, 0);
    s.column_width(0, 2, 14);
    for (int r = 1; r < rows; ++r) {
      s.text(r, 0, "event " + std::to_string(r));
      s.integer(r, 1, r);
      s.count(r, 2, protect_count(r % 9, Profile::dfe), Profile::dfe);
    }
    Sheet::Chart chart;
    chart.first_row = 1;
    chart.last_row = 10;
    chart.value_cols = {1};
    REQUIRE_THROWS_AS(s.column_chart(chart), Error);
    // Rows go in order: going back is refused, never silently dropped.
    REQUIRE_THROWS_AS(s.text(5, 0, "late"), Error);
    wb.close();
  }
  const Facts f = read_back("rows", path);
  CHECK(f.get("rows", "Events") == std::vector<std::string>{std::to_string(rows)});
  CHECK(f.get("last", "Events") == std::vector<std::string>{"[\"event 199999\", 199999, \"c\"]"});
}

TEST_CASE("sheet names follow Excel's rules", "[xlsx]") {
  t::TempDir dir;
  Workbook wb(dir / "names.xlsx", false);
  REQUIRE_NOTHROW(wb.add_sheet(std::string(31, 'a')));
  REQUIRE_THROWS_AS(wb.add_sheet(std::string(32, 'b')), ValidationError);
  // 31 characters in 62 bytes are still 31 characters.
  std::string accented;
  for (int i = 0; i < 31; ++i)
    accented += "\xc3\xa9";
  REQUIRE_NOTHROW(wb.add_sheet(accented));
  for (const char* bad : {"a[b", "a]b", "a:b", "a*b", "a?b", "a/b", "a\\b"})
    REQUIRE_THROWS_AS(wb.add_sheet(bad), ValidationError);
  REQUIRE_THROWS_AS(wb.add_sheet(""), ValidationError);
  REQUIRE_THROWS_AS(wb.add_sheet("'quoted'"), ValidationError);
  wb.add_sheet("Notes");
  REQUIRE_THROWS_AS(wb.add_sheet("NOTES"), ValidationError);
  REQUIRE_NOTHROW(wb.add_sheet("Children's services"));
  wb.close();
}

TEST_CASE("a workbook that cannot be written says why", "[xlsx]") {
  t::TempDir dir;
  // No directory, no workbook.
  REQUIRE_THROWS_AS(Workbook(dir / "missing/board.xlsx", false), Error);

  // The directory goes between opening and closing: close() reports libxlsxwriter's reason.
  const std::string sub = dir / "gone";
  std::filesystem::create_directory(sub);
  Workbook wb(sub + "/board.xlsx", false);
  wb.add_sheet("Cover").text(0, 0, "x");
  std::filesystem::remove_all(sub);
  try {
    wb.close();
    FAIL("close() did not throw");
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("board.xlsx") && Catch::Contains("creating"));
  }
  REQUIRE_FALSE(std::filesystem::exists(sub + "/board.xlsx"));
  REQUIRE_THROWS_AS(wb.close(), Error);  // once closed, closed
}

TEST_CASE("a workbook destroyed unclosed leaves no file", "[xlsx]") {
  t::TempDir dir;
  for (bool constant_memory : {false, true}) {
    const std::string path = dir / (constant_memory ? "cm.xlsx" : "normal.xlsx");
    {
      Workbook wb(path, constant_memory);
      Sheet& s = wb.add_sheet("Data");
      for (int r = 0; r < 100; ++r)
        s.integer(r, 0, r);
    }
    INFO(path);
    REQUIRE_FALSE(std::filesystem::exists(path));
  }
  // Nor an older file under the same name that could pass for this one.
  const std::string stale = dir / "stale.xlsx";
  t::write_file(stale, "an export from last month");
  { Workbook wb(stale, false); }
  REQUIRE_FALSE(std::filesystem::exists(stale));
}

TEST_CASE("charts refuse ranges that are not there", "[xlsx]") {
  t::TempDir dir;
  Workbook wb(dir / "chart.xlsx", false);
  Sheet& s = wb.add_sheet("Data");
  Sheet::Chart c;
  c.first_row = 1;
  c.last_row = 3;
  REQUIRE_THROWS_AS(s.column_chart(c), ValidationError);  // no value columns
  c.value_cols = {1};
  c.last_row = 0;
  REQUIRE_THROWS_AS(s.column_chart(c), ValidationError);  // ends before it starts
  c.last_row = 3;
  c.value_cols = {-1};
  REQUIRE_THROWS_AS(s.column_chart(c), ValidationError);
  REQUIRE_THROWS_AS(s.text(-1, 0, "x"), ValidationError);
  REQUIRE_THROWS_AS(s.percent(0, 0, std::numeric_limits<double>::quiet_NaN()), Error);
  wb.close();
}

TEST_CASE("text that would corrupt the workbook is refused, control characters escaped", "[xlsx]") {
  t::TempDir dir;
  const std::string path = dir / "text.xlsx";
  {
    Workbook wb(path, false);
    Sheet& s = wb.add_sheet("Text");
    REQUIRE_THROWS_AS(s.text(0, 0, "\xff\xfe not UTF-8"), ValidationError);
    REQUIRE_THROWS_AS(s.text(0, 0, "overlong \xc0\xaf"), ValidationError);
    REQUIRE_THROWS_AS(s.text(0, 0, "surrogate \xed\xa0\x80"), ValidationError);
    REQUIRE_THROWS_AS(s.text(0, 0, std::string("nul\0inside", 10)), ValidationError);
    REQUIRE_THROWS_AS(wb.add_sheet("bad \xff"), ValidationError);
    REQUIRE_THROWS_AS(wb.set_properties({.title = "\xc3"}), ValidationError);
    s.text(0, 0, "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x91\x8d");
    s.text(1, 0, "bell\x01here");
    wb.close();
  }
  const Facts f = read_back("dump", path);  // the file is well-formed XML throughout
  CHECK(cell(f, "Text!A1").value == "\"caf\\u00e9 \\u2014 \\ud83d\\udc4d\"");
  CHECK(cell(f, "Text!A2").type == "s");
}
