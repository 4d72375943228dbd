// `pathaudit verify-log`: walk the audit log's hash chain. Read-only; records nothing, so a broken
// log is reported exactly as found. For admins and QA leads (and the operator).
#pragma once

#include "service/context.h"
#include "service/principal.h"
#include "store/audit_log.h"

namespace pathaudit::service {

// ForbiddenError for auditors and board members.
store::AuditLogVerification verify_log(Context& ctx, const Principal& who);

}  // namespace pathaudit::service
