#include "service/templates.h"

#include <optional>

#include "crypto/hash.h"
#include "service/json_file.h"

namespace pathaudit::service {

TemplateImportResult import_template(Context& ctx, const Principal& who, const std::string& file) {
  require_qa(who, "importing a template");
  return import_template_text(ctx, who, read_input_file(file), file);
}

TemplateImportResult import_template_text(Context& ctx, const Principal& who,
                                          const std::string& bytes, const std::string& file) {
  require_qa(who, "importing a template");
  TemplateImportResult result;
  result.sha256 = crypto::sha256_hex(bytes);
  core::Template t;
  try {
    t = parse_template(bytes, file);
  } catch (const TemplateRejected& rejected) {
    const std::size_t n = rejected.lines().size();
    ctx.db().write([&](store::Session& s) {
      audit_as(ctx, s, who, "templates.import", "",
               "refused: " + std::to_string(n) + (n == 1 ? " problem" : " problems") +
                   " in a file with sha256 " + result.sha256);
    });
    throw;
  }
  result.key = t.key;
  result.version = t.version;
  result.title = t.title;
  result.sections = t.sections.size();
  result.questions = t.question_count();
  const std::string name = t.key + " version " + std::to_string(t.version);

  std::optional<std::string> refused;
  ctx.db().write([&](store::Session& s) {
    if (auto stored = store::find_template(s, t.key, t.version)) {
      result.id = stored->id;
      if (stored->sha256 == result.sha256)
        return;  // the same bytes: nothing to do, nothing to record
      refused = "template " + name + " is already imported with a different body (stored sha256 " +
                stored->sha256.substr(0, 12) + ", this file " + result.sha256.substr(0, 12) +
                "); versions are immutable: give the changed template a new version";
      audit_as(ctx, s, who, "templates.import", "template:" + std::to_string(stored->id),
               "refused: a different body for " + name + " (sha256 " + result.sha256 + ")");
      return;
    }
    store::TemplateRecord record;
    record.key = t.key;
    record.version = t.version;
    record.title = t.title;
    record.sha256 = result.sha256;
    record.imported_at = ctx.clock().now_utc();
    result.id = store::insert_template(s, record, bytes);
    result.imported = true;
    audit_as(ctx, s, who, "templates.import", "template:" + std::to_string(result.id),
             "ok: " + name + ", sha256 " + result.sha256);
  });
  if (refused)
    throw core::ConflictError(*refused);
  return result;
}

std::vector<TemplateListing> list_templates(Context& ctx, const Principal& who) {
  require_qa(who, "listing templates");
  return ctx.db().read([](store::Session& s) {
    std::vector<TemplateListing> out;
    for (auto& r : store::list_templates(s)) {
      const bool in_use = store::template_in_use(s, r.id);
      out.push_back({std::move(r), in_use});
    }
    return out;
  });
}

}  // namespace pathaudit::service
