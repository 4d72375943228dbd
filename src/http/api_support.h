// What the API's route files share: each api_<area>.cc adds its routes through one function
// declared here, translating JSON and query parameters into one service call and its result back
// into JSON; authorisation by role and by object is the service's. Lists are paged here. Not a
// public header: only src/http includes it. Functions are pure; thread-safe.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <vector>

#include "http/request.h"
#include "http/router.h"
#include "http/server.h"
#include "service/context.h"
#include "service/principal.h"
#include "service/review_json.h"
#include "service/sessions.h"

namespace pathaudit::http {

using service::json_strings;

inline constexpr std::int64_t kDefaultLimit = 100;
inline constexpr std::int64_t kMaxLimit = 500;

Poco::JSON::Object::Ptr principal_json(const service::Principal& p);

// A page of a list: ?limit= (1 to 500, default 100) and ?offset= (default 0), documented in
// docs/api.md. The service returns the whole list in a stable order; the page is cut here.
template <class T, class F>
Response page(const Request& req, const std::vector<T>& all, F&& to_json) {
  const std::int64_t limit = req.query_int("limit", kDefaultLimit, 1, kMaxLimit);
  const std::int64_t offset = req.query_int("offset", 0, 0, 1'000'000'000);
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (std::size_t i = static_cast<std::size_t>(offset);
       i < all.size() && i < static_cast<std::size_t>(offset + limit); ++i)
    items->add(to_json(all[i]));
  Poco::JSON::Object o;
  o.set("items", items);
  o.set("limit", limit);
  o.set("offset", offset);
  o.set("total", static_cast<std::int64_t>(all.size()));
  return Response::json(o);
}

// The routes of each area; add_api_routes (api.h) calls them all.
void add_session_routes(Router& router, service::Context& ctx, const service::SessionPolicy& policy,
                        ServerMetrics& metrics);
void add_audit_routes(Router& router, service::Context& ctx);  // also adds the import route
void add_import_routes(Router& router, service::Context& ctx);
void add_review_routes(Router& router, service::Context& ctx);

}  // namespace pathaudit::http
