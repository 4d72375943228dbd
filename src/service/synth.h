// `pathaudit synth`: a synthetic partnership for demos, tests and benchmarks. Writes a partnership
// file, one import CSV per agency (DESIGN.md section 3), and truth files (which child each event
// belongs to; every injected gap with its evidence, in the rule ids of DESIGN.md section 5), so
// that linkage and the rules engine can be measured for precision and recall. Everything is
// invented: names from built-in lists, NHS numbers in the 999 test range. docs/synth.md describes
// the output, the pathway each child follows, the noise and the exact gap semantics.
//
// Same options, same bytes: all randomness comes from the seed through the generator's own PRNG and
// integer helpers (never std:: distributions), nothing is iterated in hash order and no clock is
// read. Memory stays flat in the number of children: one family is held at a time and rows are
// spilled to temporary files by event date under DIR/.synth-tmp, then sorted one file at a time.
//
// Stateless; safe to call from several threads on different output directories.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/date.h"

namespace pathaudit::service {

// Probability of injecting each gap, per child eligible for it (docs/synth.md, "Gaps", says what
// makes a child eligible). Each in [0, 1].
struct SynthGapRates {
  double duplicate_referral = 0.06;        // children with at least one specialist_referral
  double repeated_account = 0.08;          // children with a sexual-abuse concern, decision not nfa
  double strategy_without_partner = 0.10;  // strategy discussions
  double abe_not_shared = 0.12;            // ABE interviews
  double outcome_not_shared = 0.15;        // children with an outcome that has a clear partner
  double referral_decision_late = 0.08;    // CSC contacts (every child)
  double assessment_late = 0.12;           // CSC assessments
  double icpc_late = 0.15;                 // ICPCs
  double core_group_late = 0.10;           // ICPCs (every ICPC starts a plan)
  double review_late = 0.12;               // CP plans (one review of the plan is late)
  double no_medical_considered = 0.15;     // s47 enquiries for children with a sexual-abuse factor
  double nfa_wording = 0.20;               // police outcomes
};

// Identifier noise. "View" rates apply once per (child, agency): the agency's record of the child,
// used on all of that agency's rows for the child. "Row" rates apply to each row.
struct SynthNoiseRates {
  double nickname = 0.10;           // view, forenames with variants; doubled for POLICE and SCHOOL
  double forename_typo = 0.03;      // view: one letter substituted or two transposed
  double surname_typo = 0.03;       // view
  double hyphen_part = 0.35;        // view, double-barrelled surnames: only one part recorded
  double hyphen_added = 0.01;       // view, other surnames: a second surname added
  double accent_dropped = 0.40;     // view, names with accents: accents dropped
  double upper_case = 0.04;         // view: names in capitals (POLICE: police_upper_case)
  double police_upper_case = 0.50;  // view
  double lower_case = 0.01;         // view: names in lower case
  double dob_swapped = 0.03;        // view, day <= 12 and day != month: day and month swapped
  double nhs_spaced = 0.20;         // view, when the NHS number is recorded: as "999 123 4567"
  double extra_spaces = 0.02;       // row: a leading, trailing or doubled space in a name
  double forename_missing = 0.01;   // row
  double dob_missing = 0.01;        // row, only when the row has an NHS number or local id
  double sex_unknown = 0.015;       // row: sex recorded as U
};

struct SynthOptions {
  std::uint64_t seed = 0;
  int children = 0;  // 1 to kSynthMaxChildren
  std::string out_dir;
  // Every event date lies in [start, end]; end - start must be at least kSynthMinRangeDays and both
  // must lie inside the working-day calendar.
  core::Date start = core::Date::from_ymd(2023, 1, 1);
  core::Date end = core::Date::from_ymd(2025, 12, 31);
  // Empty: <PATHAUDIT_TEMPLATES_DIR>/calendars/england-and-wales.json.
  std::string calendar_file;
  SynthGapRates gap_rates;
  SynthNoiseRates noise_rates;
};

// NHS numbers come from the 999 test range, which holds about 909,000 valid numbers.
constexpr int kSynthMaxChildren = 900000;
// The longest synthetic pathway (a child protection plan with three reviews, one late) spans about
// 20 months; two years leaves room to place it.
constexpr int kSynthMinRangeDays = 730;

struct SynthSummary {
  struct Gap {
    std::string rule;
    double rate = 0;
    std::int64_t eligible = 0;
    std::int64_t injected = 0;
  };
  std::string out_dir;
  int children = 0;
  int families = 0;
  std::int64_t events = 0;
  std::vector<std::pair<std::string, std::int64_t>> events_per_agency;   // partnership order
  std::vector<std::pair<std::string, std::int64_t>> referral_decisions;  // s47, assessment, ...
  std::vector<Gap> gaps;                                    // DESIGN.md section 5 order
  std::vector<std::pair<std::string, std::int64_t>> noise;  // rows showing each noise kind

  std::int64_t injected_gaps() const;
};

// The rule ids synth injects, in DESIGN.md section 5 order.
const std::vector<std::string>& synth_gap_rules();

// Writes the synthetic partnership into options.out_dir (created if missing). Throws
// core::ValidationError for bad options, or when out_dir holds anything synth did not write (a
// previous synth's output is replaced); core::Error when a file cannot be written.
SynthSummary generate_synthetic_partnership(const SynthOptions& options);

}  // namespace pathaudit::service
