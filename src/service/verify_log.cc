#include "service/verify_log.h"

namespace pathaudit::service {

store::AuditLogVerification verify_log(Context& ctx) {
  return ctx.db().read([](store::Session& s) { return store::verify_audit_log(s); });
}

}  // namespace pathaudit::service
