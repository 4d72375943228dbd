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

// ?limit= (1 to 500, default 100) and ?offset= (default 0), documented in docs/api.md;
// ValidationError naming the parameter.
struct PageRequest {
  std::int64_t limit = kDefaultLimit;
  std::int64_t offset = 0;
};
PageRequest page_request(const Request& req);

// The answer for one page: {"items", "limit", "offset", "total"}.
Response page_answer(Poco::JSON::Array::Ptr items, const PageRequest& p, std::int64_t total);

// A page of a list the service returns whole, in a stable order; the page is cut here.
template <class T, class F>
Response page(const Request& req, const std::vector<T>& all, F&& to_json) {
  const PageRequest p = page_request(req);
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (std::size_t i = static_cast<std::size_t>(p.offset);
       i < all.size() && i < static_cast<std::size_t>(p.offset + p.limit); ++i)
    items->add(to_json(all[i]));
  return page_answer(items, p, static_cast<std::int64_t>(all.size()));
}

// The routes of each area; add_api_routes (api.h) calls them all.
void add_session_routes(Router& router, service::Context& ctx, const service::SessionPolicy& policy,
                        ServerMetrics& metrics);
void add_audit_routes(Router& router, service::Context& ctx);  // also adds the import route
void add_import_routes(Router& router, service::Context& ctx);
void add_review_routes(Router& router, service::Context& ctx);
void add_casework_routes(Router& router, service::Context& ctx);
void add_admin_routes(Router& router, service::Context& ctx);

}  // namespace pathaudit::http
