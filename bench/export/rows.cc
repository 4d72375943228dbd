// bench_export_rows: writes ROWS rows (default 1,000,000) laid out as the QA detail workbook's
// Flags sheet (flag, rule, severity, status, agency, child_key, detail; every cell text, as the
// detail exports write them) through exports::Workbook in constant_memory mode, or through
// exports::CsvWriter, so the export library's time and memory at that size are measured on their
// own (bench/export/run runs it under bench/measure.py). Synthetic values only; prints nothing but
// errors.
// Usage: bench_export_rows xlsx|csv FILE [ROWS]
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "export/csv_writer.h"
#include "export/xlsx.h"

namespace {

const std::vector<std::string> kHeader{"flag",   "rule",      "severity", "status",
                                       "agency", "child_key", "detail"};
const char* const kRules[] = {"duplicate_referral",     "repeated_account", "abe_not_shared",
                              "outcome_not_shared",     "assessment_late",  "icpc_late",
                              "referral_decision_late", "nfa_wording"};
const char* const kAgencies[] = {"CSC", "POLICE", "GP", "ED", "HV", "SCHOOL", "SARC", "CAMHS"};
const char* const kStatuses[] = {"open", "open", "open", "confirmed", "dismissed"};

// A small deterministic generator: the same rows on every run.
struct Rng {
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

std::vector<std::string> make_row(std::int64_t i, Rng& rng) {
  static const char kKey[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string key = "C-";
  std::uint64_t bits = rng.next();
  for (int k = 0; k < 10; ++k, bits >>= 5)
    key += kKey[bits & 31];
  const std::uint64_t r = rng.next();
  const char* agency = kAgencies[r % 8];
  char detail[160];
  std::snprintf(detail, sizeof detail,
                "assessment_start by %s on 2025-%02d-%02d, %d working days after the referral "
                "by CSC; the limit is 45 working days.",
                agency, static_cast<int>(1 + (r >> 8) % 12), static_cast<int>(1 + (r >> 16) % 28),
                static_cast<int>(46 + (r >> 24) % 40));
  return {std::to_string(i + 1),
          kRules[(r >> 32) % 8],
          (r >> 40) % 3 ? "medium" : "high",
          kStatuses[(r >> 44) % 5],
          agency,
          key,
          detail};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4 || (std::string(argv[1]) != "xlsx" && std::string(argv[1]) != "csv")) {
    std::fprintf(stderr, "usage: bench_export_rows xlsx|csv FILE [ROWS]\n");
    return 64;
  }
  const std::string mode = argv[1], path = argv[2];
  const std::int64_t rows = argc == 4 ? std::stoll(argv[3]) : 1000000;
  Rng rng;
  try {
    if (mode == "xlsx") {
      pathaudit::exports::Workbook wb(path, /*constant_memory=*/true);
      pathaudit::exports::Sheet& sheet = wb.add_sheet("Flags");
      sheet.header(0, kHeader);
      for (std::int64_t i = 0; i < rows; ++i) {
        const auto row = make_row(i, rng);
        for (std::size_t c = 0; c < row.size(); ++c)
          sheet.text(static_cast<int>(i + 1), static_cast<int>(c), row[c]);
      }
      sheet.freeze(1, 0);
      sheet.autofilter(0, 0, static_cast<int>(rows), static_cast<int>(kHeader.size()) - 1);
      wb.close();
    } else {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      pathaudit::exports::CsvWriter csv(out);
      csv.row(kHeader);
      for (std::int64_t i = 0; i < rows; ++i)
        csv.row(make_row(i, rng));
      out.flush();
      if (!out)
        throw std::runtime_error("writing " + path + " failed");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_export_rows: %s\n", e.what());
    return 1;
  }
  return 0;
}
