// Flags (DESIGN.md section 5): computing them over every linked child with the data directory's
// rule set, listing them with their evidence, and recording an auditor's confirmation or dismissal.
// The CLI and the HTTP API both call these. Not for concurrent use on one Context.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/rules.h"
#include "service/context.h"
#include "service/principal.h"
#include "store/flags.h"

namespace pathaudit::service {

struct FlagComputation {
  std::string rule_set;  // "default@1"
  core::EvaluationStats stats;
  std::map<std::string, std::int64_t> by_rule;  // every rule of the set, 0 included
  store::FlagSync sync;
  std::optional<core::Date> horizon;  // the latest event date; nullopt with no events
};

// Recomputes every flag inside an open write transaction (the import calls this in its own, so
// events, links and flags commit together) and records it in the audit log as the Context's actor.
FlagComputation recompute_flags(Context& ctx, store::Session& s, const Principal& who);
// The same in a transaction of its own, after a change of rule set, recorded in the name of `who`.
// ForbiddenError unless `who` is a QA lead (or the operator).
FlagComputation recompute_flags(Context& ctx, const Principal& who);

struct FlagReportRow {
  std::int64_t id = 0;
  std::string rule, severity, agency;
  std::vector<std::string> event_refs;  // "AGENCY:event_id", opened from their sealed form
  std::string child_key, detail, status;
};

// Flags with their evidence references. Opening references reads case content: recorded in the
// audit log with the number opened. QA leads see every flag, auditors those of the cases assigned
// to them; admins and board members none (ForbiddenError).
std::vector<FlagReportRow> flag_report(Context& ctx, const Principal& who,
                                       const store::FlagFilter& filter);

// Counts per rule, severity and status: no case content, nothing opened. ForbiddenError unless
// `who` is a QA lead (or the operator).
std::vector<store::FlagCount> flag_summary(Context& ctx, const Principal& who);

// An auditor's decision on a flag: "confirmed" or "dismissed", with a reason (required, sealed).
// An auditor decides only flags of cases assigned to them (another flag is "not found").
void review_flag(Context& ctx, const Principal& who, std::int64_t flag_id,
                 const std::string& status, const std::string& reason);

}  // namespace pathaudit::service
