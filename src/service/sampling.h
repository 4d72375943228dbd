// `pathaudit sample` and `pathaudit assign` (docs/qa-lead-guide.md): drawing an audit's sample from
// its population with core::draw_sample, and assigning the sampled cases to auditors and the QA
// lead. Both record themselves in the audit log by audit id, sizes, seed and population hash:
// never a child key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

// agency, entry_point, age_band, category; "" for no strata (one stratum, "all").
const std::vector<std::string>& strata_kinds();

struct SampleOptions {
  std::int64_t audit_id = 0;
  std::int64_t size = 0;
  std::uint64_t seed = 0;
  std::string strata;  // one of strata_kinds(), or "" for a simple random sample
  std::int64_t include_flagged = 0;
};

struct SampledCase {
  std::string child_key;  // children.display_key
  std::string stratum;
  bool flagged = false;  // the child has an open or confirmed flag
};

struct SampleResult {
  std::int64_t sample_id = 0;
  std::int64_t population_size = 0;
  // Hex SHA-256 of the canonical population listing: one line per child of the population,
  // "display_key TAB stratum TAB flagged (0 or 1) LF", sorted by display key (byte order).
  std::string population_hash;
  std::string method;
  std::string seed;
  std::optional<std::int64_t> replaced_sample_id;
  std::vector<SampledCase> cases;  // flagged draws first, then by stratum, each by child key
};

// Draws and stores the audit's sample, replacing an earlier sample that has no assignments yet.
// ForbiddenError unless `who` is a QA lead (or the operator); ValidationError for an impossible
// size or include_flagged, or unknown strata; NotFoundError for an unknown audit; ConflictError
// once the audit's sample has assignments.
SampleResult draw_audit_sample(Context& ctx, const Principal& who, const SampleOptions& options);

struct AssignOptions {
  std::int64_t audit_id = 0;
  // Agency code -> usernames: when an agency is named, only these auditors share its returns.
  std::map<std::string, std::vector<std::string>> auditors;
  std::string qa_lead;
};

struct AssignmentSummaryRow {
  std::string kind;    // return, discussion
  std::string agency;  // code; "" for discussions
  std::int64_t cases = 0;
  std::int64_t created = 0;  // made by this run (including unassigned returns given a user)
  std::int64_t assigned = 0;
  std::int64_t unassigned = 0;
  // Assigned to an account disabled since: the work waits for a QA lead to reassign it.
  std::int64_t held_by_disabled = 0;
  std::string assignees;  // "alice 3; bob 2"
};

struct AssignResult {
  std::vector<AssignmentSummaryRow> rows;     // returns by agency code, then the discussion row
  std::vector<std::string> agencies_without;  // codes of agencies with unassigned returns
};

// One return per involved agency per sampled case (two, for different auditors, when the audit
// has blind dual review) and one discussion per case, for the audit's current sample. Adds what is
// missing and gives unassigned returns a user when one is available; never moves an assignment that
// already has a user. ForbiddenError unless `who` is a QA lead (or the operator); NotFoundError for
// an unknown audit or user; ValidationError for a user with the wrong role, agency or a disabled
// account; ConflictError when the audit has no sample.
AssignResult assign_audit(Context& ctx, const Principal& who, const AssignOptions& options);

}  // namespace pathaudit::service
