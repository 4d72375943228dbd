// Review templates (audit-templates/<key>/<version>.json, docs/templates.md): reading a template
// file into the core model with errors that name the file and JSON path, and the use cases behind
// `pathaudit templates validate|import|list`. A stored (key, version) is immutable: importing the
// same bytes again changes nothing, a different body for it is refused. Stateless functions;
// thread-safe as far as the Context is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/template.h"
#include "service/context.h"
#include "service/principal.h"
#include "store/templates.h"

namespace pathaudit::service {

// A template that is not valid: one line per problem, "<source>: <JSON path>: <message>", in
// document order. A JSON shape error (syntax, wrong type, unknown or missing member) stops reading
// at the first one; semantic problems (core::validate_template) are all reported.
class TemplateRejected : public core::ValidationError {
 public:
  explicit TemplateRejected(std::vector<std::string> lines);
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::vector<std::string> lines_;
};

// Parses and validates template JSON; `source_name` starts every error line. Throws
// TemplateRejected.
core::Template parse_template(const std::string& json, const std::string& source_name);

// Reads and validates a template file (no data directory needed). Throws TemplateRejected, or
// core::ValidationError when the file cannot be read.
core::Template load_template_file(const std::string& file);

struct TemplateImportResult {
  std::int64_t id = 0;  // the stored row
  std::string key;
  int version = 0;
  std::string title;
  std::string sha256;  // of the file's exact bytes
  std::size_t sections = 0;
  std::size_t questions = 0;
  bool imported = false;  // false: these exact bytes were already stored; nothing changed
};

// Validates the file and stores its exact bytes with their SHA-256, recording "templates.import" in
// the audit log. The identical bytes for a stored (key, version) are a no-op. A different body for
// a stored (key, version) is refused with core::ConflictError (versions are immutable; a change
// needs a new version), and the refusal is recorded in the audit log. An invalid file is refused
// with TemplateRejected, also recorded. Every entry is in the name of `who`, who must be a QA lead
// (or the operator): ForbiddenError otherwise, before the file is read.
TemplateImportResult import_template(Context& ctx, const Principal& who, const std::string& file);
// The same for a template's bytes already in memory (an HTTP request body); `source_name` starts
// every error line.
TemplateImportResult import_template_text(Context& ctx, const Principal& who,
                                          const std::string& bytes, const std::string& source_name);

struct TemplateListing {
  store::TemplateRecord record;
  bool in_use = false;  // an audit refers to it
};

// Every stored template, by key then version. ForbiddenError unless `who` is a QA lead (or the
// operator).
std::vector<TemplateListing> list_templates(Context& ctx, const Principal& who);

}  // namespace pathaudit::service
