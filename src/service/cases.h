// A case's chronology (docs/api.md, "Cases"): the sampled child's events across every agency in
// date order, as an auditor reads them before answering, with the case's flags and, on each event,
// the flags that cite it as evidence. Opening event references and notes reads case content, so
// every call is recorded in the audit log ("case.chronology", with the number of fields opened),
// as show_review records "review.read". Stateless; results are values owned by the caller;
// thread-safe as far as the Context is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "service/context.h"
#include "service/flags.h"
#include "service/principal.h"

namespace pathaudit::service {

struct ChronologyEvent {
  std::int64_t event_id = 0;  // store row id, stable across re-imports of the same event
  std::string agency;         // code
  std::string date;           // YYYY-MM-DD
  std::string type;           // event_type vocabulary
  std::string sex;
  std::optional<int> age_years;
  std::string entry_point, to_agency, to_service, outcome;  // codes as imported; "" for none
  std::vector<std::string> participants, category;
  std::string event_ref;               // the agency's own reference, opened
  std::string notes;                   // opened; "" when the extract had none
  std::vector<std::int64_t> flag_ids;  // flags of the case citing this event, ascending
};

struct Chronology {
  std::int64_t case_id = 0;
  std::int64_t audit_id = 0;
  std::string child_key;
  std::vector<ChronologyEvent> events;  // by date, then agency code, then event id
  std::vector<FlagReportRow> flags;     // the child's flags, as flag_report gives them
};

// QA leads any case; an auditor only a case they hold a return of (any other is NotFoundError, so
// a case's existence is not revealed); admins and board members ForbiddenError.
Chronology case_chronology(Context& ctx, const Principal& who, std::int64_t case_id);

}  // namespace pathaudit::service
