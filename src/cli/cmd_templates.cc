// pathaudit templates validate | import | list
#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "service/context.h"
#include "service/templates.h"

namespace pathaudit::cli {
namespace {

const std::string& one_file(const Invocation& in, const char* command) {
  if (in.args.size() != 1)
    throw UsageError(std::string(command) + " takes exactly one template file");
  return in.args.front();
}

int run_validate(const Invocation& in) {
  const core::Template t = service::load_template_file(one_file(in, "templates validate"));
  std::cout << "ok: " << t.key << " version " << t.version << ", " << t.sections.size()
            << " sections, " << t.question_count() << " questions\n";
  return kExitOk;
}

int run_import(const Invocation& in) {
  const std::string& file = one_file(in, "templates import");
  auto ctx = open_context(in);
  const service::TemplateImportResult r =
      service::import_template(*ctx, acting_principal(in, *ctx), file);
  const std::string name = r.key + " version " + std::to_string(r.version);
  if (r.imported) {
    std::cout << "imported: " << name << " (" << r.sections << " sections, " << r.questions
              << " questions), sha256 " << r.sha256 << "\n";
  } else {
    std::cout << "already imported: " << name << " with the same sha256 " << r.sha256
              << "; nothing changed\n";
  }
  return kExitOk;
}

int run_list(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("templates list takes no arguments");
  auto ctx = open_context(in);
  Table table({"key", "version", "title", "sha256_prefix", "imported_at", "in_use"});
  for (const auto& t : service::list_templates(*ctx, acting_principal(in, *ctx))) {
    table.add({t.record.key, std::to_string(t.record.version), t.record.title,
               t.record.sha256.substr(0, 12), t.record.imported_at, t.in_use ? "yes" : "no"});
  }
  table.print(std::cout, in.format);
  return kExitOk;
}

const Registrar validate_command{Command{
    .name = "templates validate",
    .summary = "check a review template file (no data directory needed)",
    .usage = "FILE.json",
    .uses_data_dir = false,
    .run = run_validate,
}};

const Registrar import_command{Command{
    .name = "templates import",
    .summary = "validate and store a review template version (versions are immutable)",
    .usage = "[--as USER] [--data-dir DIR] FILE.json",
    .define_options = as_option,
    .run = run_import,
}};

const Registrar list_command{Command{
    .name = "templates list",
    .summary = "stored review templates (key, version, title, sha256, imported, in use)",
    .usage = "[--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_list,
}};

}  // namespace
}  // namespace pathaudit::cli
