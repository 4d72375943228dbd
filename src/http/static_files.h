// The browser UI's static files (src/web, DESIGN.md section 2): GET / answers index.html and
// GET /static/{path} a file under the web root's static/ directory, without a session (the page
// signs in through the API). Only a fixed list of file types is served, each with its
// Content-Type; a path that could leave the web root, in any spelling (dot segments, encoded
// slashes, backslashes, NUL, absolute paths, symlinks out of the root), is a plain 404, as is any
// other file. Every answer passes through the pipeline, so it has the security headers; assets get
// a Cache-Control that lets the browser keep them for a while, the page one that makes it ask
// again.
//
// The web root is read from the settings once, when the routes are added; the handlers keep only
// that path and read files on each request. Thread-safe.
#pragma once

#include <string>

#include "http/router.h"
#include "service/settings.h"

namespace pathaudit::http {

// The web root: the setting web_root (PATHAUDIT_WEB_ROOT; a relative path is relative to the data
// directory), by default the source tree's src/web (the compile definition PATHAUDIT_WEB_DIR), as
// templates_dir defaults to the source tree's audit-templates.
std::string web_root(const service::Settings& settings);

// GET / and GET /static/{path} serving files under `web_root`.
void add_static_routes(Router& router, const std::string& web_root);

}  // namespace pathaudit::http
