// Routes: method + path pattern -> handler. A pattern is literal segments and `{name}` segments,
// each matching one non-empty path segment ("/api/v1/reviews/{id}/answers"). A route added with
// add_prefix() lets its last `{name}` take the rest of the path instead, one or more segments
// joined by '/' ("/static/{path}" matches "/static/css/app.css"), for the static files; what that
// parameter holds must be checked by its handler. Built once before the server starts, read-only
// afterwards: match() is thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "http/request.h"

namespace pathaudit::http {

using Handler = std::function<Response(Request&)>;

enum class Access {
  kPublic,   // no session (sign-in, health)
  kSession,  // a valid session; cookie sessions also need the CSRF header on writes
};

// How the pipeline hands a request body to the handler.
struct BodyPolicy {
  // 0: the server's limit (ServerOptions::max_body_bytes, 1 MiB); else this route's own.
  std::size_t max_bytes = 0;
  // false: read into Request::body before the handler runs. true: left on the connection for the
  // handler to read from Request::body_stream (uploads too large to hold in memory); the
  // connection is closed after the answer, so an unread rest can never be taken for a request.
  bool streamed = false;
};

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kSession;
  Handler handler;
  std::vector<std::string> segments;  // of the pattern
  BodyPolicy body;
  bool rest = false;  // the last segment is a `{name}` taking the rest of the path
};

class Router {
 public:
  void add(std::string method, std::string pattern, Access access, Handler handler,
           BodyPolicy body = {});
  // As add(), but the pattern's last segment, which must be a `{name}`, matches the rest of the
  // path (one or more segments; empty ones included, for the handler to refuse).
  void add_prefix(std::string method, std::string pattern, Access access, Handler handler);

  struct Match {
    const Route* route = nullptr;               // null: no route for this method and path
    std::map<std::string, std::string> params;  // when route is set
    std::vector<std::string> allowed;           // methods the path has, when route is null
  };
  Match match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }  // in the order added

 private:
  std::vector<Route> routes_;
};

}  // namespace pathaudit::http
