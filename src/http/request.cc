#include "http/request.h"

#include <algorithm>

#include "core/errors.h"
#include "http/problem.h"
#include "service/json_text.h"

namespace pathaudit::http {
namespace {

std::optional<std::int64_t> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(text);
}

}  // namespace

const service::Principal& Request::principal() const {
  if (!session)
    throw core::UnauthenticatedError("no valid session: sign in again");
  return session->principal;
}

std::int64_t Request::id_param(const std::string& name) const {
  auto it = params.find(name);
  const auto n = it == params.end() ? std::nullopt : whole_number(it->second);
  if (!n || *n < 1)
    throw core::NotFoundError("no such " + name + ": ids are whole numbers from 1");
  return *n;
}

std::int64_t Request::query_int(const std::string& name, std::int64_t fallback, std::int64_t min,
                                std::int64_t max) const {
  auto it = query.find(name);
  if (it == query.end())
    return fallback;
  const auto n = whole_number(it->second);
  if (!n || *n < min || *n > max) {
    throw core::ValidationError("query parameter " + name + ": expected a whole number from " +
                                std::to_string(min) + " to " + std::to_string(max));
  }
  return *n;
}

std::string Request::query_string(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

service::JsonNode Request::json() const {
  if (content_type != "application/json") {
    throw HttpError(415, "unsupported-media-type", "Send JSON",
                    "the request body must be sent as Content-Type: application/json");
  }
  return service::JsonNode::parse_text(body, "request body");
}

Response Response::json(const Poco::JSON::Object& object, int status) {
  Response r;
  r.status = status;
  r.body = service::json_text(object);
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace pathaudit::http
