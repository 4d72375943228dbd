#include "http/api.h"

#include "http/api_support.h"
#include "http/static_files.h"

namespace pathaudit::http {

void add_api_routes(Router& router, service::Context& ctx, const service::SessionPolicy& policy,
                    ServerMetrics& metrics) {
  add_session_routes(router, ctx, policy, metrics);
  add_audit_routes(router, ctx);
  add_review_routes(router, ctx);
  add_casework_routes(router, ctx);
  add_admin_routes(router, ctx);
  add_static_routes(router, web_root(ctx.settings()));
}

}  // namespace pathaudit::http
