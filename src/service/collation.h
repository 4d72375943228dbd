// Collation of an audit (docs/qa-lead-guide.md, "Collation"): grades by stage and agency, the
// grades agreed at the multi-agency discussions, flags of the sampled cases by rule and status,
// themes (tags on findings and learning), actions, and for blind dual review the agreement between
// the two reviewers (percent agreement and Cohen's kappa, per question and overall). Also the
// comparison of two audits on the same template (a re-audit). The service layer's one source of
// these figures for the CLI, the API and the exports.
//
// Counts only: built from plain columns (grades, states, tags, statuses), nothing is opened, so no
// case content is read. QA leads and the operator only. Stateless functions over a Context;
// thread-safe as far as the Context is.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/review.h"
#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

struct StageInfo {
  std::string id, title, part;
  std::string scale;  // the scale its grade question uses
};

// Returns of one agency at one stage, by final grade (the moderated grade once moderated, else the
// auditor's), from primary returns a QA lead has accepted (or locked). agency "" in agreed grades.
struct GradeCell {
  std::string stage;
  std::string agency;
  std::string grade;  // a scale code, or "not_applicable" for sections marked so
  std::int64_t count = 0;
};

struct FlagTally {
  std::string rule;
  std::int64_t open = 0, confirmed = 0, dismissed = 0;
};

struct ActionTally {
  std::string owner;  // agency code
  std::map<std::string, std::int64_t> by_status;
  std::int64_t overdue = 0;
};

struct QuestionAgreement {
  std::string question_id;
  std::string stage;
  core::Agreement agreement;
};

struct Collation {
  std::int64_t audit_id = 0;
  std::string title;
  std::string template_ref;
  bool dual_review = false;
  std::int64_t cases = 0;
  std::map<std::string, std::int64_t> returns_by_state;  // primary returns
  std::map<std::string, std::int64_t> cases_by_state;    // open, discussed, moderated, locked
  std::int64_t returns_counted = 0;                      // accepted or locked primary returns
  std::vector<StageInfo> stages;                         // template order
  std::vector<std::string> agencies;                     // codes with returns, sorted
  std::vector<GradeCell> grades;                         // stage (template order), agency, grade
  std::vector<GradeCell> agreed;                         // discussions' agreed grades by stage
  std::int64_t grades_moderated = 0;
  std::int64_t grades_changed_by_moderation = 0;
  std::vector<FlagTally> flags;                // flags of the sampled children, by rule
  std::map<std::string, std::int64_t> themes;  // tag -> findings and learning carrying it
  std::vector<ActionTally> actions;            // by owner agency
  std::int64_t actions_overdue = 0;
  std::vector<QuestionAgreement> agreement;  // dual review: per grade question with pairs
  core::Agreement overall_agreement;
};

Collation collate(Context& ctx, const Principal& who, std::int64_t audit_id);

struct StageComparisonRow {
  std::string stage, title, grade;
  std::int64_t first_count = 0, second_count = 0;
  std::int64_t first_total = 0, second_total = 0;  // graded returns at the stage
};

struct AuditComparison {
  Collation first, second;
  std::vector<StageComparisonRow> rows;  // stage order of the first audit, then scale order
};

// Compares two audits on the same template key (versions may differ: stages match by id).
// ValidationError when the templates differ.
AuditComparison compare_audits(Context& ctx, const Principal& who, std::int64_t first,
                               std::int64_t second);

}  // namespace pathaudit::service
