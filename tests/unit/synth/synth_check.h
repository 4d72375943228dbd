// Test-side readers and checkers for `pathaudit synth` output: a strict RFC 4180 parser, a loader
// for the agency files and truth files, and an evaluator of the twelve gap rules written from
// docs/synth.md ("Gap semantics"), independently of the generator. Not thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/calendar.h"
#include "core/date.h"

namespace pathaudit::synthcheck {

// Strict RFC 4180 with "\n" record ends: quoted fields may hold commas, quotes (doubled) and line
// breaks; a quote inside an unquoted field, text after a closing quote, an unterminated quote or
// any CR is an error (std::runtime_error naming the line).
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

extern const char* const kColumns[18];

struct Row {
  std::string agency, event_id, event_type, event_date, nhs_number, local_child_id, forename,
      surname, dob, sex, entry_point, to_agency, to_service, participants, outcome, category,
      relates_to, notes;
  core::Date date;
  int child = 0;  // from truth/events.csv
};

struct Output {
  std::vector<std::string> agencies;                               // partnership order
  std::map<std::string, std::string> kinds;                        // code -> kind
  std::map<std::string, std::vector<Row>> rows;                    // per agency, file order
  std::map<std::pair<std::string, std::string>, int> truth_child;  // (agency, event_id) -> child
  std::multiset<std::tuple<std::string, int, std::string>> truth_gaps;  // rule, child, refs
  std::string summary_json;
};

// Reads DIR; fails a Catch2 REQUIRE on structural problems (missing files, bad headers).
Output load(const std::string& dir);

// All problems with the output against the import contract (DESIGN.md section 3) and the synth
// promises (sorted rows, unique ids, relates_to same agency, truth covering every row), one
// message per problem; empty when the output is valid.
std::vector<std::string> contract_problems(const Output& out, core::Date start, core::Date end);

// Alternative readings of the rules' windows that the generator promises give the same flags.
struct Reading {
  bool involvement_excludes_outcome_day = false;   // "previous 90 days" as [d-90, d-1]
  bool involvement_counts_named_agencies = false;  // to_agency and participants are involved too
  bool involvement_ignores_sharing = false;        // information_shared does not make involvement
  bool day_windows_exclusive = false;              // "within N days" as < N
  bool medical_before_counts = false;              // medical in [s47-30, s47+30]
  bool specialist_kinds_are_health = false;        // sarc and camhs count as health
  bool working_days_counted = false;               // breach when working_days_between > N
};

// The flags the documented rules raise over the output, grouped by true child.
std::multiset<std::tuple<std::string, int, std::string>> evaluate(
    const Output& out, const core::WorkingDayCalendar& calendar, const Reading& reading = {});

// A number in truth/summary.json by a path of keys ("gaps", "icpc_late", "eligible").
long long summary_number(const std::string& json, const std::vector<std::string>& path);

}  // namespace pathaudit::synthcheck
