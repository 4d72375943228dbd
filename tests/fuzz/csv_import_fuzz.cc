// libFuzzer target for the import path's parsing and validation: ingest::CsvReader, then
// ingest::parse_header and ingest::parse_row as service/import.cc drives them (header first; a
// header with errors stops the file; blank lines skipped). Built and run by tests/fuzz/run under
// ASan and UBSan; see docs/reliability.md, "Fuzzing".
//
// Input layout: byte 0 holds flags, the rest is the CSV text.
//   bit 0  prepend the contract header line, so that the rows reach validation;
//   bit 1  parse_header(..., ignore_unknown_columns = true);
//   bits 2, 3 and 4 all set (with bit 0): also pad the contract header with trailing spaces (which
//          parse_header trims) so that the reader's 64 KiB block boundary falls byte 1 bytes into
//          the CSV text, which then starts at byte 2. Such inputs run some 30 times slower
//          (64 KiB through the instrumented reader), hence three bits rather than one.
//
// Only the documented exceptions are expected: ingest::CsvSyntaxError (structural) and
// core::ValidationError. Anything else escapes, and libFuzzer reports it as a crash. A broken
// invariant calls abort() after saying which on stderr:
//   - every RowError and CsvSyntaxError has line >= 1 (and on a line the input has) and
//     column >= 0 (and no further right than the record's last field);
//   - an accepted row holds what service/import.cc relies on (known agency codes, dates not after
//     today, dob not after the event, 10-digit NHS number, the child identified);
//   - privacy: no error message quotes a value of 8 bytes or more from an identifying column
//     (event_id, nhs_number, local_child_id, forename, surname, dob, notes). See leaks_value().
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/errors.h"
#include "ingest/csv_reader.h"
#include "ingest/event_row.h"

namespace {

using pathaudit::core::Date;
using pathaudit::ingest::Column;
using pathaudit::ingest::CsvRecord;
using pathaudit::ingest::Header;
using pathaudit::ingest::RowError;

constexpr std::string_view kContractHeader =
    "agency,event_id,event_type,event_date,nhs_number,local_child_id,forename,surname,dob,sex,"
    "entry_point,to_agency,to_service,participants,outcome,category,relates_to,notes";

constexpr Column kIdentifying[] = {Column::event_id, Column::nhs_number, Column::local_child_id,
                                   Column::forename, Column::surname,    Column::dob,
                                   Column::notes};

constexpr std::size_t kLeakBytes = 8;    // the shortest value the privacy check looks for
constexpr std::size_t kBlock = 1 << 16;  // CsvReader's read size (csv_reader.h)

const pathaudit::ingest::AgencyDirectory& agencies() {
  static const pathaudit::ingest::AgencyDirectory kAgencies{{"CSC", {1, "csc"}},
                                                            {"POLICE", {2, "police"}},
                                                            {"GP", {3, "health"}},
                                                            {"SCHOOL", {4, "education"}}};
  return kAgencies;
}

const Date kToday = Date::from_ymd(2026, 11, 22);

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\ncsv_import_fuzz: invariant broken: %s\n  %s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

void check(bool ok, const char* what, const std::string& detail = {}) {
  if (!ok)
    fail(what, detail);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string describe(const RowError& e) {
  return "line " + std::to_string(e.line) + ", column " + std::to_string(e.column) + ": " +
         e.message;
}

void check_errors(const std::vector<RowError>& errors, std::size_t from, const CsvRecord& record) {
  for (std::size_t i = from; i < errors.size(); ++i) {
    const RowError& e = errors[i];
    check(e.line >= 1, "RowError.line >= 1", describe(e));
    check(e.line == record.line, "RowError.line is the record's line", describe(e));
    check(e.column >= 0, "RowError.column >= 0", describe(e));
    check(static_cast<std::size_t>(e.column) <= record.fields.size(),
          "RowError.column is a field of the record", describe(e));
    check(!e.message.empty(), "RowError.message is not empty", describe(e));
  }
}

// Whether parse_row's errors for `record` quote the identifying field at `pos`.
//
// A plain substring test would be wrong both ways round: fixed message text ("is not a valid NHS
// number") or a value the messages quote on purpose (event_type, agency codes) can contain the
// same 8 bytes as a forename by chance, and the fuzzer finds such coincidences at once. So when a
// message contains the first kLeakBytes bytes of the value, the row is parsed again with one of
// those bytes changed (an ASCII letter's case flipped or a digit stepped, which keeps the field
// the same length and valid UTF-8). A message that quotes the value follows the change; one that
// contains it by coincidence does not. When the errors change shape (another digit makes an NHS
// number valid, say) this input proves nothing and the check passes; the fuzzer tries others.
bool leaks_value(const Header& header, const CsvRecord& record, std::size_t pos,
                 const std::vector<RowError>& errors, std::string& detail) {
  const std::string& raw = record.fields[pos];
  const std::string_view value = trim(raw);
  if (value.size() < kLeakBytes)
    return false;
  const std::string needle(value.substr(0, kLeakBytes));
  bool found = false;
  for (const RowError& e : errors)
    found = found || e.message.find(needle) != std::string::npos;
  if (!found)
    return false;

  std::size_t flip = kLeakBytes;
  for (std::size_t i = 0; i < kLeakBytes && flip == kLeakBytes; ++i) {
    const char c = needle[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      flip = i;
  }
  if (flip == kLeakBytes)
    return false;  // nothing safe to change: undecided
  std::string changed_needle = needle;
  char& c = changed_needle[flip];
  c = (c >= '0' && c <= '9') ? static_cast<char>(c == '9' ? '0' : c + 1)
                             : static_cast<char>(c ^ 0x20);

  CsvRecord changed = record;
  const std::size_t offset = static_cast<std::size_t>(value.data() - raw.data());
  changed.fields[pos].replace(offset, kLeakBytes, changed_needle);
  std::vector<RowError> again;
  pathaudit::ingest::EventRow row;
  pathaudit::ingest::parse_row(header, changed, agencies(), kToday, row, again);

  if (again.size() != errors.size())
    return false;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (errors[i].line != again[i].line || errors[i].column != again[i].column)
      return false;
  }
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (errors[i].message.find(needle) != std::string::npos &&
        errors[i].message != again[i].message &&
        again[i].message.find(changed_needle) != std::string::npos) {
      detail = describe(errors[i]);
      return true;
    }
  }
  return false;
}

void check_privacy(const Header& header, const CsvRecord& record,
                   const std::vector<RowError>& errors) {
  if (errors.empty() || record.fields.size() != header.width)
    return;
  for (Column c : kIdentifying) {
    const int pos = header.at(c);
    if (pos < 0 || static_cast<std::size_t>(pos) >= record.fields.size())
      continue;
    std::string detail;
    if (leaks_value(header, record, static_cast<std::size_t>(pos), errors, detail)) {
      fail("no error message quotes an identifying value",
           std::string(pathaudit::ingest::column_name(c)) + " is quoted in: " + detail);
    }
  }
}

bool known_agency(std::string_view code) {
  return agencies().find(code) != agencies().end();
}

// What service/import.cc relies on once parse_row has accepted a row.
void check_accepted(const pathaudit::ingest::EventRow& row, const CsvRecord& record) {
  const std::string where = "line " + std::to_string(record.line);
  check(row.line == record.line, "EventRow.line is the record's line", where);
  check(known_agency(row.agency), "an accepted row's agency is in the directory", where);
  check(row.to_agency.empty() || known_agency(row.to_agency),
        "an accepted row's to_agency is empty or in the directory", where);
  std::string_view participants = row.participants;
  while (!participants.empty()) {
    const auto semi = participants.find(';');
    check(known_agency(participants.substr(0, semi)),
          "an accepted row's participants are in the directory", where);
    participants.remove_prefix(semi == std::string_view::npos ? participants.size() : semi + 1);
  }
  check(!row.event_id.empty() && row.event_id.size() <= 128,
        "an accepted row has an event_id of 1 to 128 bytes", where);
  check(row.event_date <= kToday, "an accepted row's event_date is not after today", where);
  check(!row.dob || *row.dob <= row.event_date, "an accepted row's dob is not after the event",
        where);
  if (row.nhs_number) {
    check(row.nhs_number->size() == 10 &&
              row.nhs_number->find_first_not_of("0123456789") == std::string::npos,
          "an accepted NHS number is 10 digits", where);
  }
  check(row.nhs_number || !row.local_child_id.empty() || (!row.surname.empty() && row.dob),
        "an accepted row identifies the child", where);
}

void run(std::string_view csv, bool ignore_unknown) {
  std::istringstream in{std::string(csv)};
  pathaudit::ingest::CsvReader reader(in);
  CsvRecord record;
  std::int64_t last_line = 0;
  try {
    if (!reader.next(record))
      return;
    std::vector<RowError> errors;
    const Header header = pathaudit::ingest::parse_header(record, ignore_unknown, errors);
    check(record.line == 1, "the header starts on line 1", std::to_string(record.line));
    check_errors(errors, 0, record);
    if (!errors.empty())
      return;  // as service/import.cc: rows cannot be read without a valid header
    last_line = record.line;
    pathaudit::ingest::EventRow row;
    while (reader.next(record)) {
      check(record.line > last_line, "records start on increasing lines",
            std::to_string(last_line) + " then " + std::to_string(record.line));
      last_line = record.line;
      if (record.fields.size() == 1 && record.fields[0].empty())
        continue;  // blank line
      errors.clear();
      const bool ok = pathaudit::ingest::parse_row(header, record, agencies(), kToday, row, errors);
      check(ok == errors.empty(), "parse_row returns true exactly when it adds no error",
            "line " + std::to_string(record.line));
      check_errors(errors, 0, record);
      if (ok)
        check_accepted(row, record);
      else
        check_privacy(header, record, errors);
    }
    check(reader.bytes_read() <= csv.size(), "bytes_read() is at most the input's size");
  } catch (const pathaudit::ingest::CsvSyntaxError& e) {
    const std::string detail = "line " + std::to_string(e.line()) + ", column " +
                               std::to_string(e.column()) + ": " + e.what();
    check(e.line() >= 1, "CsvSyntaxError.line >= 1", detail);
    check(e.line() >= last_line, "CsvSyntaxError.line is not before the last record", detail);
    const auto lines = 1 + std::count(csv.begin(), csv.end(), '\n');
    check(e.line() <= lines, "CsvSyntaxError.line is a line of the input", detail);
    check(e.column() >= 0, "CsvSyntaxError.column >= 0", detail);
  } catch (const pathaudit::core::ValidationError&) {
    // documented: aborts the file
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::uint8_t flags = data[0];
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const bool with_header = (flags & 1) != 0;
  const bool ignore_unknown = (flags & 2) != 0;
  const bool straddle = with_header && (flags & 0x1c) == 0x1c && !body.empty();
  if (!with_header) {
    run(body, ignore_unknown);
    return 0;
  }
  std::string csv(kContractHeader);
  if (straddle) {
    const std::size_t at = static_cast<unsigned char>(body.front());
    body.remove_prefix(1);
    // Header + spaces + "\n" ends `at` bytes before the end of the first block.
    csv.append(kBlock - at - 1 - csv.size(), ' ');
  }
  csv += '\n';
  csv += body;
  run(csv, ignore_unknown);
  return 0;
}
