// Reading the audit log back (store/audit_log.h writes and verifies it): entries newest first,
// filtered and a page at a time, for service/audit_log.h. Kept apart from audit_log.h, which
// nearly every use case includes, because only that one use case reads entries.
//
// Free functions over a Session; callers provide the transaction (Database::read).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.h"

namespace pathaudit::store {

// One entry as read back: what append_audit wrote and its sequence number (the chain's hashes are
// left out; verify_audit_log checks them).
struct AuditLogEntry {
  std::int64_t seq = 0;
  std::string at;
  std::string actor;
  std::string action;
  std::string object;
  std::string outcome;
};

// Exact matches on action and actor, and an inclusive range of `at` (ISO 8601 UTC, compared as
// text, which orders them); an empty member does not filter.
struct AuditLogFilter {
  std::string action;
  std::string actor;
  std::string since;
  std::string until;
};

// The entries matching `filter`, newest first, `limit` of them from `offset`.
std::vector<AuditLogEntry> list_audit_log(Session& s, const AuditLogFilter& filter,
                                          std::int64_t limit, std::int64_t offset);
// How many entries match `filter`.
std::int64_t count_audit_log(Session& s, const AuditLogFilter& filter);

}  // namespace pathaudit::store
