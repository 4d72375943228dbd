#include "service/verify_log.h"

#include "core/errors.h"

namespace pathaudit::service {

store::AuditLogVerification verify_log(Context& ctx, const Principal& who) {
  if (!who.is_admin() && !who.is_qa()) {
    throw core::ForbiddenError("verifying the audit log is for admins and QA leads; " +
                               who.username + " has the role " +
                               (who.role.empty() ? "none" : who.role));
  }
  return ctx.db().read([](store::Session& s) { return store::verify_audit_log(s); });
}

}  // namespace pathaudit::service
