// Audits (docs/qa-lead-guide.md): what is audited (a template version), over which period, for
// which children (the scope), and the population of children that scope selects. The population
// is computed from event facts and flags only (store/event_facts.h): nothing is decrypted, so no
// case content is read and listing a population needs no key.
//
// Stateless functions; results are values owned by the caller. Those taking a Context run their own
// transaction and are thread-safe as far as the Context is. Those taking a store::Session
// (load_audit, audit_population) run inside the caller's transaction, on the caller's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/agency.h"
#include "core/date.h"
#include "core/event.h"
#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

// Filters on the population; every filter given must match (an empty list is no filter).
// Stored in audits.scope as JSON: {"categories": [...], "entry_points": [...], "flag_rules": [...]}
// with only the non-empty lists present.
struct AuditScope {
  std::vector<std::string> categories;    // any event of the child carries one of these codes
  std::vector<std::string> flag_rules;    // the child has an open or confirmed flag of one of these
  std::vector<std::string> entry_points;  // an event in the period has one of these entry points

  bool empty() const { return categories.empty() && flag_rules.empty() && entry_points.empty(); }
  std::string to_json() const;
  // Throws core::Error when the stored JSON is not a scope (damage to the database).
  static AuditScope from_json(const std::string& json);
};

struct NewAudit {
  std::string title;
  std::string template_ref;  // KEY or KEY@VERSION; without a version the highest imported one
  std::string period_start;  // YYYY-MM-DD
  std::string period_end;
  AuditScope scope;
  // Blind dual review: every return is also graded by a second auditor of the agency, who cannot
  // see the first's answers; collation reports their agreement.
  bool dual_review = false;
};

struct AuditRecord {
  std::int64_t id = 0;
  std::string title;
  std::int64_t template_id = 0;
  std::string template_key;
  int template_version = 0;
  core::Date period_start;
  core::Date period_end;
  AuditScope scope;
  bool dual_review = false;
  std::string status;
  std::string created_by;
  std::string created_at;
};

// Validates, resolves the template and stores the audit, created by `who`; an audit-log entry in
// their name records it. Throws ForbiddenError unless `who` is a QA lead (or the operator);
// ValidationError for a bad title, date, period, template reference or scope code; NotFoundError
// (with a hint to run `pathaudit templates import`) when the template is not imported.
AuditRecord create_audit(Context& ctx, const Principal& who, const NewAudit& audit);

// Every audit. ForbiddenError unless `who` is a QA lead (or the operator).
std::vector<AuditRecord> list_audits(Context& ctx, const Principal& who);

// ForbiddenError unless `who` is a QA lead (or the operator); NotFoundError for an unknown id.
AuditRecord get_audit(Context& ctx, const Principal& who, std::int64_t id);
AuditRecord load_audit(store::Session& s, std::int64_t id);

// The latest audit on the same template key created before `audit`, if any: the one a re-audit
// compares with. Runs inside the caller's transaction.
std::optional<AuditRecord> previous_audit(store::Session& s, const AuditRecord& audit);

// One child of an audit's population, with the facts the sampling strata use.
struct PopulationMember {
  std::int64_t child_id = 0;
  std::string child_key;    // children.display_key
  std::string agency;       // code of the agency of the child's first event in the period
  std::string entry_point;  // first non-empty entry point in the period, else "unknown"
  std::string age_band;     // DfE band of age at the first event in the period, or "unknown"
  std::string category;     // "sexual abuse" or "other"
  bool flagged = false;     // has an open or confirmed flag of any rule
};

// Children with at least one event dated in the period that pass every scope filter, ordered by
// child key. Runs inside the caller's transaction.
std::vector<PopulationMember> audit_population(store::Session& s, const AuditRecord& audit);

// The test audit_population applies, one child at a time, for callers that already visit every
// child's events (store::for_each_child) and would otherwise read them all a second time. Reads
// the children's display keys and the active flags when constructed, inside the caller's
// transaction, and holds them; `audit` must outlive it. Not thread-safe.
class PopulationFilter {
 public:
  PopulationFilter(store::Session& s, const AuditRecord& audit);
  // The child as a member of the population, or nullopt when it is not one. `events` are the
  // child's events in core::sort_events order, as for_each_child gives them.
  std::optional<PopulationMember> member(std::int64_t child,
                                         const std::vector<core::Event>& events) const;

 private:
  const AuditRecord& audit_;
  core::AgencyDirectory agencies_;
  std::unordered_map<std::int64_t, std::set<std::string>> flags_;
  std::unordered_map<std::int64_t, std::string> keys_;
};

// The DfE age band of an age in whole years: "under 1", "1-4", "5-9", "10-15", "16-17", or
// "unknown" (no age, or outside 0 to 17).
std::string age_band(std::optional<int> age_years);

// True when any of the events carries a sexual-abuse code: SAB, 19A, 19B, 19C or 11A.
bool has_sexual_abuse_code(const std::vector<core::Event>& events);

// A case of the audit's current sample: its id (as in `GET /cases/{id}`), the child's display key
// and the stratum it was drawn from ("" for a simple random sample).
struct SampleCaseSummary {
  std::int64_t case_id = 0;
  std::string child_key;
  std::string stratum;
};

// Counts shown by `audit show`, and the current sample's cases.
struct AuditOverview {
  AuditRecord audit;
  std::int64_t population = 0;
  std::optional<std::int64_t> sample_id;
  std::int64_t sample_size = 0;
  std::string sample_seed;
  std::string sample_method;
  std::string population_hash;
  std::string sampled_at;
  std::int64_t returns = 0;
  std::int64_t unassigned_returns = 0;
  std::int64_t discussions = 0;
  std::vector<SampleCaseSummary> cases;  // by child key; empty without a sample
};

// ForbiddenError unless `who` is a QA lead (or the operator); NotFoundError for an unknown id.
AuditOverview audit_overview(Context& ctx, const Principal& who, std::int64_t id);

}  // namespace pathaudit::service
