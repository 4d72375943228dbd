// `pathaudit verify-log`: walk the audit log's hash chain. Read-only; records nothing, so a broken
// log is reported exactly as found.
#pragma once

#include "service/context.h"
#include "store/audit_log.h"

namespace pathaudit::service {

store::AuditLogVerification verify_log(Context& ctx);

}  // namespace pathaudit::service
