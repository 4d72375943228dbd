#include "store/templates.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include "core/errors.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::store {
namespace {

constexpr const char* kSelect =
    "SELECT id, template_key, version, title, sha256, imported_at FROM templates ";

std::vector<TemplateRecord> query(Session& s, const std::string& where,
                                  const std::vector<std::string>& params) {
  Poco::Data::Statement st(s);
  st << kSelect + where;
  std::vector<std::string> bound = params;
  for (auto& p : bound)
    st, use(p);
  st.execute();
  Poco::Data::RecordSet rs(st);
  std::vector<TemplateRecord> out;
  for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
    TemplateRecord r;
    r.id = rs[0].convert<std::int64_t>();
    r.key = rs[1].convert<std::string>();
    r.version = rs[2].convert<int>();
    r.title = rs[3].convert<std::string>();
    r.sha256 = rs[4].convert<std::string>();
    r.imported_at = rs[5].convert<std::string>();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::optional<TemplateRecord> find_template(Session& s, const std::string& key,
                                            std::optional<int> version) {
  std::vector<TemplateRecord> found =
      version ? query(s, "WHERE template_key = ? AND version = ?", {key, std::to_string(*version)})
              : query(s, "WHERE template_key = ? ORDER BY version DESC LIMIT 1", {key});
  if (found.empty())
    return std::nullopt;
  return found.front();
}

std::optional<TemplateRecord> find_template_by_id(Session& s, std::int64_t id) {
  auto found = query(s, "WHERE id = ?", {std::to_string(id)});
  if (found.empty())
    return std::nullopt;
  return found.front();
}

std::string template_body(Session& s, std::int64_t id) {
  std::string body;
  int n = 0;
  s << "SELECT body, 1 FROM templates WHERE id = ?", into(body), into(n), use(id), now;
  if (n == 0)
    throw core::NotFoundError("template " + std::to_string(id) + " does not exist");
  return body;
}

std::vector<TemplateRecord> list_templates(Session& s) {
  return query(s, "ORDER BY template_key, version", {});
}

std::int64_t insert_template(Session& s, const TemplateRecord& r, const std::string& body) {
  if (find_template(s, r.key, r.version)) {
    throw core::ConflictError("template " + r.key + " version " + std::to_string(r.version) +
                              " is already imported; a changed template needs a new version");
  }
  std::string key = r.key, title = r.title, sha = r.sha256, at = r.imported_at, b = body;
  int version = r.version;
  s << "INSERT INTO templates (template_key, version, title, body, sha256, imported_at) "
       "VALUES (?, ?, ?, ?, ?, ?)",
      use(key), use(version), use(title), use(b), use(sha), use(at), now;
  std::int64_t id = 0;
  s << "SELECT last_insert_rowid()", into(id), now;
  return id;
}

bool template_in_use(Session& s, std::int64_t id) {
  int n = 0;
  s << "SELECT count(*) FROM audits WHERE template_id = ?", into(n), use(id), now;
  return n > 0;
}

}  // namespace pathaudit::store
