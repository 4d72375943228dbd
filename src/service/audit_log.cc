#include "service/audit_log.h"

#include "core/errors.h"

namespace pathaudit::service {

AuditLogPage read_audit_log(Context& ctx, const Principal& who, const store::AuditLogFilter& filter,
                            std::int64_t limit, std::int64_t offset) {
  if (!who.is_admin() && !who.is_qa()) {
    throw core::ForbiddenError("reading the audit log is for admins and QA leads; " + who.username +
                               " has the role " + (who.role.empty() ? "none" : who.role));
  }
  AuditLogPage page = ctx.db().read([&](store::Session& s) {
    AuditLogPage p;
    p.total = store::count_audit_log(s, filter);
    p.entries = store::list_audit_log(s, filter, limit, offset);
    return p;
  });
  // After the read, so the page shows the log as it was; the filter is not recorded, since an
  // actor filter would put a username typed by the reader into the log.
  ctx.db().write([&](store::Session& s) {
    audit_as(ctx, s, who, "audit_log.read", "audit_log",
             "ok: " + std::to_string(page.entries.size()) + " entries read");
  });
  return page;
}

}  // namespace pathaudit::service
