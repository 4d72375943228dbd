#include "http/router.h"

#include <stdexcept>

namespace pathaudit::http {
namespace {

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    const std::size_t end = path.find('/', start);
    const std::size_t stop = end == std::string::npos ? path.size() : end;
    out.push_back(path.substr(start, stop - start));
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return out;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, Access access, Handler handler,
                 BodyPolicy body) {
  if (pattern.empty() || pattern[0] != '/')
    throw std::logic_error("route patterns start with '/'");
  Route r{std::move(method), pattern, access, std::move(handler), split(pattern), body};
  routes_.push_back(std::move(r));
}

void Router::add_prefix(std::string method, std::string pattern, Access access, Handler handler) {
  // Checked before adding, so a refused pattern leaves the table as it was.
  if (pattern.empty() || pattern[0] != '/' || !is_param(split(pattern).back()))
    throw std::logic_error("a prefix route's pattern ends with a {name} segment");
  add(std::move(method), std::move(pattern), access, std::move(handler));
  routes_.back().rest = true;
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match m;
  if (path.empty() || path[0] != '/')
    return m;
  const auto parts = split(path);
  for (const Route& r : routes_) {
    if (r.rest ? parts.size() < r.segments.size() : r.segments.size() != parts.size())
      continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    // A rest parameter is matched below, after the segments before it.
    const std::size_t fixed = r.rest ? r.segments.size() - 1 : r.segments.size();
    for (std::size_t i = 0; ok && i < fixed; ++i) {
      if (is_param(r.segments[i])) {
        ok = !parts[i].empty();
        params[r.segments[i].substr(1, r.segments[i].size() - 2)] = parts[i];
      } else {
        ok = r.segments[i] == parts[i];
      }
    }
    if (ok && r.rest) {
      std::string rest = parts[fixed];
      for (std::size_t i = fixed + 1; i < parts.size(); ++i)
        rest += "/" + parts[i];
      ok = !rest.empty();
      const std::string& name = r.segments.back();
      params[name.substr(1, name.size() - 2)] = rest;
    }
    if (!ok)
      continue;
    if (r.method == method) {
      m.route = &r;
      m.params = std::move(params);
      m.allowed.clear();
      return m;
    }
    m.allowed.push_back(r.method);
  }
  return m;
}

}  // namespace pathaudit::http
