#include "ingest/csv_reader.h"

#include <catch2/catch.hpp>
#include <sstream>

using pathaudit::ingest::CsvReader;
using pathaudit::ingest::CsvRecord;
using pathaudit::ingest::CsvSyntaxError;

namespace {

std::vector<CsvRecord> read_all(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  std::vector<CsvRecord> out;
  CsvRecord r;
  while (reader.next(r))
    out.push_back(r);
  return out;
}

}  // namespace

TEST_CASE("plain records with LF and CRLF line ends", "[csv]") {
  for (const char* text : {"a,b,c\n1,2,3\n", "a,b,c\r\n1,2,3\r\n", "a,b,c\n1,2,3"}) {
    auto rows = read_all(text);
    REQUIRE(rows.size() == 2);
    REQUIRE(rows[1].fields == std::vector<std::string>{"1", "2", "3"});
    REQUIRE(rows[1].line == 2);
  }
}

TEST_CASE("quoted fields: commas, doubled quotes, embedded newlines", "[csv]") {
  auto rows = read_all("h1,h2\n\"a, b\",\"say \"\"hi\"\"\"\n\"line1\nline2\r\nline3\",x\nlast,y\n");
  REQUIRE(rows.size() == 4);
  REQUIRE(rows[1].fields[0] == "a, b");
  REQUIRE(rows[1].fields[1] == "say \"hi\"");
  REQUIRE(rows[2].fields[0] == "line1\nline2\r\nline3");
  REQUIRE(rows[2].line == 3);
  REQUIRE(rows[3].line == 6);  // line numbers count the embedded newlines
}

TEST_CASE("empty fields and an empty quoted field", "[csv]") {
  auto rows = read_all("a,,\"\",d\n");
  REQUIRE(rows[0].fields == std::vector<std::string>{"a", "", "", "d"});
}

TEST_CASE("a UTF-8 byte-order mark is skipped", "[csv]") {
  auto rows = read_all(
      "\xEF\xBB\xBF"
      "agency,event_id\nCSC,1\n");
  REQUIRE(rows[0].fields[0] == "agency");
}

TEST_CASE("a field larger than the read buffer is read whole", "[csv]") {
  const std::string big(200000, 'x');
  auto rows = read_all("a,\"" + big + "\",c\n");
  REQUIRE(rows[0].fields[1] == big);
}

TEST_CASE("structural errors name the line and field", "[csv]") {
  REQUIRE_THROWS_MATCHES(read_all("a,b\n1,\"open\n2,3\n"), CsvSyntaxError,
                         Catch::Predicate<CsvSyntaxError>([](const CsvSyntaxError& e) {
                           return e.line() == 2 && e.column() == 2;
                         }));
  REQUIRE_THROWS_MATCHES(read_all("a,b\n1,x\"y\n"), CsvSyntaxError,
                         Catch::Predicate<CsvSyntaxError>([](const CsvSyntaxError& e) {
                           return e.line() == 2 && e.column() == 2;
                         }));
  REQUIRE_THROWS_AS(read_all("a,b\n\"1\"x,2\n"), CsvSyntaxError);
}

TEST_CASE("error messages never contain field content", "[csv]") {
  try {
    read_all("a,b\nSECRET-NAME,\"unterminated SECRET\n");
    FAIL("expected an error");
  } catch (const CsvSyntaxError& e) {
    REQUIRE(std::string(e.what()).find("SECRET") == std::string::npos);
  }
}
