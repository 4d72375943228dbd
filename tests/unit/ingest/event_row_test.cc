#include "ingest/event_row.h"

#include <catch2/catch.hpp>

using namespace pathaudit;
using ingest::Column;

namespace {

const char* kHeader =
    "agency,event_id,event_type,event_date,nhs_number,local_child_id,forename,surname,dob,sex,"
    "entry_point,to_agency,to_service,participants,outcome,category,relates_to,notes";

ingest::CsvRecord split(const std::string& line, std::int64_t number) {
  ingest::CsvRecord r;
  r.line = number;
  std::string field;
  for (char c : line) {
    if (c == ',') {
      r.fields.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  r.fields.push_back(field);
  return r;
}

const ingest::AgencyDirectory kAgencies{
    {"CSC", {1, "csc"}}, {"POLICE", {2, "police"}}, {"GP", {3, "health"}}};
const core::Date kToday = *core::Date::parse_iso("2026-11-22");

struct Parsed {
  bool ok;
  ingest::EventRow row;
  std::vector<ingest::RowError> errors;
};

Parsed parse(const std::string& line) {
  std::vector<ingest::RowError> header_errors;
  auto header = ingest::parse_header(split(kHeader, 1), false, header_errors);
  REQUIRE(header_errors.empty());
  Parsed p;
  p.ok = ingest::parse_row(header, split(line, 7), kAgencies, kToday, p.row, p.errors);
  return p;
}

// The one error a row has, as "column: message".
std::string only_error(const std::string& line) {
  auto p = parse(line);
  REQUIRE_FALSE(p.ok);
  REQUIRE(p.errors.size() == 1);
  REQUIRE(p.errors[0].line == 7);
  return std::to_string(p.errors[0].column) + " " + p.errors[0].message;
}

}  // namespace

TEST_CASE("a valid row is normalised", "[import]") {
  auto p = parse(
      "CSC,R1,referral,2025-03-03,943 476 5919,L1, Zoë ,O'Brien,2015-04-02,F,school,"
      "POLICE,camhs,CSC;POLICE;GP,s47,SAB;19B,R0,some notes");
  REQUIRE(p.ok);
  REQUIRE(*p.row.nhs_number == "9434765919");
  REQUIRE(p.row.forename == "zoe");
  REQUIRE(p.row.surname == "obrien");
  REQUIRE(p.row.participants == "CSC;POLICE;GP");
  REQUIRE(p.row.category == "SAB;19B");
}

TEST_CASE("each column is validated with its position and what was expected", "[import]") {
  const std::string tail = ",,,,,,,,,,,,";
  REQUIRE_THAT(only_error("XYZ,R1,referral,2025-03-03,,L1" + tail), Catch::StartsWith("1 agency:"));
  REQUIRE_THAT(only_error("CSC,,referral,2025-03-03,,L1" + tail), Catch::StartsWith("2 event_id:"));
  REQUIRE_THAT(only_error("CSC,R1,refer,2025-03-03,,L1" + tail),
               Catch::StartsWith("3 event_type:") && Catch::Contains("expected one of"));
  REQUIRE_THAT(only_error("CSC,R1,referal,2025-03-03,,L1" + tail),
               Catch::Contains("(did you mean referral?)"));
  REQUIRE_THAT(only_error("CSC,R1,referral,03/03/2025,,L1" + tail),
               Catch::StartsWith("4 event_date:") && Catch::Contains("YYYY-MM-DD"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2099-03-03,,L1" + tail), Catch::Contains("future"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,9434765918,L1" + tail),
               Catch::StartsWith("5 nhs_number:") && Catch::Contains("check digit"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,12345,L1" + tail),
               Catch::StartsWith("5 nhs_number:"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,,L1,,,2025-03-04,,,,,,,,,"),
               Catch::StartsWith("9 dob:") && Catch::Contains("after the event date"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,,L1,,,,Q,,,,,,,,"),
               Catch::StartsWith("10 sex:"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,,L1,,,,,playground,,,,,,,"),
               Catch::StartsWith("11 entry_point:"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,,L1,,,,,,NOPE,,,,,,"),
               Catch::StartsWith("12 to_agency:"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,,L1,,,,,,,CAMHS!,,,,,"),
               Catch::StartsWith("13 to_service:"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,,L1,,,,,,,,CSC;;GP,,,,"),
               Catch::StartsWith("14 participants:"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,,L1,,,,,,,,CSC;EDU,,,,"),
               Catch::StartsWith("14 participants:"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,,L1,,,,,,,,,NFA,,,"),
               Catch::StartsWith("15 outcome:"));
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,,L1,,,,,,,,,,sab,,"),
               Catch::StartsWith("16 category:"));
}

TEST_CASE("a row must identify the child", "[import]") {
  REQUIRE_THAT(only_error("CSC,R1,referral,2025-03-03,,,Ann,,,,,,,,,,,"),
               Catch::Contains("does not identify the child"));
  REQUIRE(parse("CSC,R1,referral,2025-03-03,,,,Smith,2015-01-01,,,,,,,,,").ok);
  REQUIRE(parse("CSC,R1,referral,2025-03-03,,LOCAL9,,,,,,,,,,,,").ok);
  REQUIRE(parse("CSC,R1,referral,2025-03-03,9434765919,,,,,,,,,,,,,").ok);
}

TEST_CASE("a row with the wrong number of fields is one clear error", "[import]") {
  REQUIRE_THAT(only_error("CSC,R1,referral"), Catch::Contains("has 3 fields; expected 18"));
}

TEST_CASE("errors never quote an identifying value", "[import]") {
  auto p = parse("CSC,R1,referral,2025-03-03,9434765918,L1,\xff\xfe,Smith,2015-13-01,,,,,,,,,");
  REQUIRE_FALSE(p.ok);
  for (const auto& e : p.errors) {
    REQUIRE(e.message.find("9434765918") == std::string::npos);
    REQUIRE(e.message.find("Smith") == std::string::npos);
    REQUIRE(e.message.find("2015-13-01") == std::string::npos);
  }
  REQUIRE(p.errors.size() == 3);
}

TEST_CASE("the header: required, duplicate and unknown columns", "[import]") {
  std::vector<ingest::RowError> errors;
  ingest::parse_header(split("agency,event_id,event_type,colour", 1), false, errors);
  REQUIRE(errors.size() == 2);  // colour unknown; event_date missing
  errors.clear();
  ingest::parse_header(split("agency,event_id,event_type,event_date,colour", 1), true, errors);
  REQUIRE(errors.empty());
  ingest::parse_header(split("agency,event_id,event_type,event_date,agency", 1), false, errors);
  REQUIRE(errors.size() == 1);
  REQUIRE(errors[0].column == 5);
}

TEST_CASE("header errors never repeat what the first line holds", "[import]") {
  std::vector<ingest::RowError> errors;
  // An extract without a header: its first line is a child's row.
  ingest::parse_header(split("GP,E1,referral,2025-03-03,9434765919,,Zanzibar,Canary,2014-01-01", 1),
                       false, errors);
  REQUIRE(errors.size() == 1);
  REQUIRE_THAT(errors[0].message, Catch::Contains("not a header"));
  errors.clear();
  ingest::parse_header(split("agency,event_id,event_type,event_date,Zanzibar,evnt_type", 1), false,
                       errors);
  REQUIRE(errors.size() == 2);
  REQUIRE(errors[0].column == 5);
  REQUIRE(errors[0].message.find("Zanzibar") == std::string::npos);
  REQUIRE_THAT(errors[1].message, Catch::Contains("did you mean \"event_type\""));
}

TEST_CASE("errors in coded columns do not repeat the value either", "[import]") {
  // A shifted column puts a name where a code belongs.
  auto p = parse("Zanzibar,R1,Canaryname,2025-03-03,,L1,,,,,Smithers,Jonesy,,Ahmedov;CSC,,,,");
  REQUIRE_FALSE(p.ok);
  REQUIRE(p.errors.size() == 5);
  for (const auto& e : p.errors) {
    for (const char* v : {"Zanzibar", "Canaryname", "Smithers", "Jonesy", "Ahmedov"}) {
      INFO(e.message);
      REQUIRE(e.message.find(v) == std::string::npos);
    }
  }
  REQUIRE_THAT(p.errors[0].message, Catch::Contains("expected one of CSC, GP, POLICE"));
}
