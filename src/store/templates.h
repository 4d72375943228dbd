// Stored review templates (audit-templates/*/N.json once imported): the exact JSON body with its
// SHA-256, one row per (key, version). A version is immutable once stored; an audit refers to one
// row by id. Free functions over a Session inside a transaction. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"

namespace pathaudit::store {

struct TemplateRecord {
  std::int64_t id = 0;
  std::string key;  // "csa-response-pathway"
  int version = 0;
  std::string title;
  std::string sha256;  // hex, of body
  std::string imported_at;
};

// The given version, or the highest stored version when none is given.
std::optional<TemplateRecord> find_template(Session& s, const std::string& key,
                                            std::optional<int> version = std::nullopt);
std::optional<TemplateRecord> find_template_by_id(Session& s, std::int64_t id);
std::string template_body(Session& s, std::int64_t id);
// Every stored template, by key then version.
std::vector<TemplateRecord> list_templates(Session& s);
// Inserts a new (key, version); core::ConflictError if that pair exists. Returns the row id.
std::int64_t insert_template(Session& s, const TemplateRecord& record, const std::string& body);
// True when an audit uses the template: its stored body must then never change.
bool template_in_use(Session& s, std::int64_t id);

}  // namespace pathaudit::store
