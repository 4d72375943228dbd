// What a handler sees of one HTTP request and what it answers, kept apart from Poco's types so
// handlers stay thin translations and the pipeline (server.cc) owns limits, authentication, CSRF,
// headers and error mapping. A Request lives for one call on one worker thread; not thread-safe.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "service/json_file.h"
#include "service/principal.h"
#include "service/sessions.h"

namespace pathaudit::http {

struct Request {
  std::string method;
  std::string path;   // without the query
  std::string route;  // the matched pattern, "/api/v1/reviews/{id}": what the log names
  std::map<std::string, std::string> params;  // from the path pattern
  std::map<std::string, std::string> query;   // decoded; a repeated name keeps the last value
  std::string content_type;                   // media type only, lower case, no parameters
  std::string content_type_header;            // as sent, with parameters (multipart boundary)
  std::string body;                           // at most the configured limit
  // Routes with BodyPolicy::streamed: the unread body, exactly body_length bytes (at most the
  // route's limit); null otherwise. Valid during the handler call only.
  std::istream* body_stream = nullptr;
  std::int64_t body_length = 0;
  bool tls = false;

  // Set by the pipeline for routes that need a session.
  std::optional<service::ActiveSession> session;
  bool bearer = false;  // authenticated by Authorization: Bearer (no cookie, no CSRF)

  // UnauthenticatedError when the route had no session (a bug in the route table).
  const service::Principal& principal() const;

  // A path id: a whole number from 1, else 404 (an id that cannot exist is not found).
  std::int64_t id_param(const std::string& name) const;
  // ?name=N within [min, max], `fallback` when absent; ValidationError naming the parameter.
  std::int64_t query_int(const std::string& name, std::int64_t fallback, std::int64_t min,
                         std::int64_t max) const;
  std::string query_string(const std::string& name) const;  // "" when absent

  // The body as JSON (HttpError 415 unless Content-Type is application/json); syntax errors and
  // the paths of later errors are named relative to "request body".
  service::JsonNode json() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // added to the security headers
  // Called by the pipeline once the whole response has been written to the connection, and not
  // when writing it failed: what must happen only if the client got the body (an export counts as
  // delivered). Runs on the worker thread; must not throw (a throw is logged and dropped).
  std::function<void()> on_sent;

  static Response json(const Poco::JSON::Object& object, int status = 200);
  static Response no_content();
};

}  // namespace pathaudit::http
