#include "http/static_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <vector>

#include "http/problem.h"

namespace pathaudit::http {
namespace {

namespace fs = std::filesystem;

// Larger files are not part of the UI; refusing them bounds what one request may read.
constexpr std::uintmax_t kMaxFileBytes = 4u << 20;

struct FileType {
  const char* extension;
  const char* content_type;
};

constexpr FileType kTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".woff2", "font/woff2"},
    {".ico", "image/x-icon"},
};

[[noreturn]] void not_found() {
  throw HttpError(404, "not-found", "Not found", "there is no resource at this path");
}

// A name the UI's files may have: letters, digits, '-', '_' and '.', not starting with '.'. So no
// segment is "." or "..", and nothing a decoder turned into '/', '\\', NUL or ':' passes.
bool plain_segment(const std::string& s) {
  if (s.empty() || s.size() > 128 || s[0] == '.')
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

const FileType* type_of(const std::string& name) {
  for (const FileType& t : kTypes) {
    const std::string ext = t.extension;
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
      return &t;
  }
  return nullptr;
}

// The file at `relative` (segments joined by '/', each checked) under `root`, or 404. The real
// path, symlinks resolved, must still lie inside the real root.
Response serve_file(const std::string& root, const std::string& relative,
                    const std::string& cache_control) {
  std::vector<std::string> segments;
  std::stringstream in(relative);
  for (std::string seg; std::getline(in, seg, '/');)
    segments.push_back(seg);
  if (segments.empty() || relative.back() == '/' ||
      !std::all_of(segments.begin(), segments.end(), plain_segment))
    not_found();
  const FileType* type = type_of(segments.back());
  if (!type)
    not_found();

  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec)
    not_found();
  fs::path wanted = real_root;
  for (const auto& s : segments)
    wanted /= s;
  const fs::path real = fs::canonical(wanted, ec);
  if (ec)
    not_found();
  const bool inside =
      std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end()).first ==
      real_root.end();
  if (!inside || !fs::is_regular_file(real, ec) || fs::file_size(real, ec) > kMaxFileBytes || ec)
    not_found();

  std::ifstream file(real, std::ios::binary);
  if (!file)
    not_found();
  Response res;
  res.body.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  res.content_type = type->content_type;
  res.headers.emplace_back("Cache-Control", cache_control);
  return res;
}

}  // namespace

std::string web_root(const service::Settings& settings) {
  const fs::path root = settings.get("web_root").value_or(PATHAUDIT_WEB_DIR);
  return root.is_absolute() ? root.string() : (fs::path(settings.data_dir()) / root).string();
}

void add_static_routes(Router& router, const std::string& web_root) {
  // The page may change with a new release: the browser revalidates it each time. Assets are
  // kept for an hour; their names carry no version yet, so longer would serve stale files.
  router.add("GET", "/", Access::kPublic,
             [web_root](Request&) { return serve_file(web_root, "index.html", "no-cache"); });
  router.add_prefix("GET", "/static/{path}", Access::kPublic, [web_root](Request& r) {
    return serve_file(web_root + "/static", r.params.at("path"), "public, max-age=3600");
  });
}

}  // namespace pathaudit::http
