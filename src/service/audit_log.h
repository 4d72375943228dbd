// Reading the audit log (DESIGN.md section 7) for admins and QA leads: the entries, newest first,
// filtered and a page at a time. Entries hold who, when, what, an object reference and an outcome,
// never case content (store/audit_log.h); the chain's hashes are not returned. Each read is itself
// recorded ("audit_log.read"), so who looked at the log is in the log.
//
// Stateless; thread-safe as far as the Context is. Results are values owned by the caller.
#pragma once

#include <cstdint>
#include <vector>

#include "service/context.h"
#include "service/principal.h"
#include "store/audit_log_read.h"

namespace pathaudit::service {

struct AuditLogPage {
  std::vector<store::AuditLogEntry> entries;  // newest first
  std::int64_t total = 0;                     // entries matching the filter, before the read
};

// ForbiddenError for auditors and board members. `limit` entries from `offset` of those matching.
AuditLogPage read_audit_log(Context& ctx, const Principal& who, const store::AuditLogFilter& filter,
                            std::int64_t limit, std::int64_t offset);

}  // namespace pathaudit::service
