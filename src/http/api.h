// The routes of API v1 (docs/api.md, contract) and /healthz, /metrics. Each handler translates
// JSON and query parameters into one service call and its result back into JSON: authorisation by
// role and by object is the service's (a denied object is "not found" there). Built once; the
// router it fills borrows `ctx`, `policy` and `metrics`, which must outlive it.
#pragma once

#include "http/router.h"
#include "http/server.h"
#include "service/context.h"
#include "service/sessions.h"

namespace pathaudit::http {

void add_api_routes(Router& router, service::Context& ctx, const service::SessionPolicy& policy,
                    ServerMetrics& metrics);

}  // namespace pathaudit::http
