// Retention of audits (docs/admin-guide.md, "Backup, restore and retention"). A QA lead gives an
// audit a retention date; once it has passed, `retention apply` removes the audit's case content
// (every sealed field of its returns, discussions, live concerns, actions and exports) in one
// transaction, keeps what collation and the "previous audit" comparison count (states, grades,
// tags, dates) and the audit log, and checkpoints the WAL so no copy of the removed bytes is left
// in the database files. Nothing is opened or printed: counts only.
//
// Roles: setting a date is for QA leads (audits are theirs), applying is for admins (separation of
// duties: the person who runs the deletion does not choose what is deleted), listing is for both.
// The operator may do all three. Stateless functions over a Context; thread-safe as far as the
// Context is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "service/context.h"
#include "service/principal.h"
#include "store/retention.h"

namespace pathaudit::service {

struct RetentionStatus {
  std::int64_t audit_id = 0;
  std::string title;
  std::string until;               // "" when no date is set
  std::string content_removed_at;  // "" until apply removed it
  std::string state;               // "no date", "kept", "expired", "removed"
};

// Every audit with its retention state as of today. QA leads and admins.
std::vector<RetentionStatus> retention_status(Context& ctx, const Principal& who);

// Sets an audit's retention date (YYYY-MM-DD; a past date makes it due at the next apply).
// ValidationError for a date that is not one, NotFoundError for an unknown audit, ConflictError
// once its content has been removed. Recorded as `retention.set` on audit:ID. QA leads only.
void set_retention(Context& ctx, const Principal& who, std::int64_t audit_id,
                   const std::string& until);

struct RetentionItem {
  std::int64_t audit_id = 0;
  std::string until;
  store::AuditContentCounts removed;  // fields removed (or, in a dry run, that would be)
};

struct RetentionResult {
  bool applied = false;  // false for a dry run: nothing changed, nothing recorded
  std::vector<RetentionItem> audits;
  bool checkpointed = false;  // the WAL was truncated after the removal
};

// The audits whose retention date is before today and whose content is still there. Without
// `confirm`, counts only. With it, removes their content in one transaction, records
// `retention.apply` per audit (with the counts) or once with none due, and checkpoints the WAL.
// Admins only.
RetentionResult apply_retention(Context& ctx, const Principal& who, bool confirm);

}  // namespace pathaudit::service
