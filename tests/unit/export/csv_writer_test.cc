#include "export/csv_writer.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "test_support.h"

using pathaudit::exports::CsvWriter;
namespace t = pathaudit::testing;

namespace {

std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string h;
  for (unsigned char ch : s) {
    h += digits[ch >> 4];
    h += digits[ch & 15];
  }
  return h;
}

}  // namespace

TEST_CASE("fields a spreadsheet would read as formulas are prefixed with a quote", "[csv]") {
  REQUIRE(CsvWriter::field("=1+1") == "'=1+1");
  REQUIRE(CsvWriter::field("+44 20 7946 0000") == "'+44 20 7946 0000");
  REQUIRE(CsvWriter::field("-2") == "'-2");
  REQUIRE(CsvWriter::field("@SUM(A1:A2)") == "'@SUM(A1:A2)");
  REQUIRE(CsvWriter::field("\t=1") == "'\t=1");
  REQUIRE(CsvWriter::field("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
  // A leading CR is neutralised and, being a CR, quoted too.
  REQUIRE(CsvWriter::field("\r=1") == "\"'\r=1\"");
  // Only the first character counts.
  REQUIRE(CsvWriter::field("a=1") == "a=1");
  REQUIRE(CsvWriter::field("1-2") == "1-2");
  REQUIRE(CsvWriter::field("") == "");
  REQUIRE(CsvWriter::field("'already") == "'already");
}

TEST_CASE("fields holding a comma, quote, CR or LF are quoted, quotes doubled", "[csv]") {
  REQUIRE(CsvWriter::field("plain text") == "plain text");
  REQUIRE(CsvWriter::field("a,b") == "\"a,b\"");
  REQUIRE(CsvWriter::field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  REQUIRE(CsvWriter::field("two\nlines") == "\"two\nlines\"");
  REQUIRE(CsvWriter::field("two\r\nlines") == "\"two\r\nlines\"");
  REQUIRE(CsvWriter::field("\"") == "\"\"\"\"");
  REQUIRE(CsvWriter::field("caf\xc3\xa9") == "caf\xc3\xa9");
}

TEST_CASE("rows end in CRLF and are counted", "[csv]") {
  std::ostringstream s;
  CsvWriter w(s);
  REQUIRE(w.rows() == 0);
  w.row({"agency", "count"});
  w.row({"CSC", "12"});
  w.row({"=cmd", "a,b"});
  w.row({""});
  w.row({"", ""});
  REQUIRE(w.rows() == 5);
  REQUIRE(s.str() == "agency,count\r\nCSC,12\r\n'=cmd,\"a,b\"\r\n\"\"\r\n,\r\n");
}

TEST_CASE("a failed stream is reported, not ignored", "[csv]") {
  std::ostringstream s;
  s.setstate(std::ios::badbit);
  CsvWriter w(s);
  REQUIRE_THROWS_AS(w.row({"x"}), pathaudit::core::Error);
  REQUIRE(w.rows() == 0);
}

TEST_CASE("Python's csv module reads back what was written", "[csv]") {
  const std::vector<std::vector<std::string>> rows{
      {"agency", "detail", "count"},
      {"CSC", "plain", "12"},
      {"=1+1", "+cmd", "-3"},
      {"@x", "\tindented", "\rcarriage"},
      {"comma, inside", "quote \" inside", "\"quoted\""},
      {"two\nlines", "crlf\r\ninside", ""},
      {"caf\xc3\xa9", "", "trailing space "},
      {""},
  };
  t::TempDir dir;
  const std::string path = dir / "out.csv";
  {
    std::ostringstream s;
    CsvWriter w(s);
    for (const auto& r : rows)
      w.row(r);
    t::write_file(path, s.str());
  }
  const std::string script = dir / "read.py";
  t::write_file(script,
                "import csv, sys\n"
                "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
                "    for row in csv.reader(f, strict=True):\n"
                "        print(' '.join(field.encode('utf-8').hex() or '-' for field in row))\n");
  const auto r = t::run({PYTHON3, script, path});
  INFO(r.err);
  REQUIRE(r.status == 0);

  std::string want;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string v = row[i];
      if (!v.empty() && std::string("=+-@\t\r").find(v[0]) != std::string::npos)
        v = "'" + v;
      line += (i ? " " : "") + (v.empty() ? std::string("-") : hex(v));
    }
    want += line + "\n";
  }
  REQUIRE(r.out == want);
}
