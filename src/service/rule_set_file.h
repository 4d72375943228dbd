// Reading a rule set (audit-templates/rules/<key>/<version>.json, docs/rules.md) into a
// core::RuleSet, with errors that name the file and JSON path of what is wrong. Stateless;
// thread-safe.
#pragma once

#include <string>

#include "core/rules.h"
#include "service/settings.h"

namespace pathaudit::service {

// Throws core::ValidationError "<file>: $.rules[3].within: ..." for a file that does not follow
// docs/rules.md.
core::RuleSet load_rule_set(const std::string& file);

// The same from text; `source_name` starts every error ("<source>: $.rules[3]: ...").
core::RuleSet parse_rule_set(const std::string& json, const std::string& source_name);

// The rule set a data directory uses: the `rules` setting, else the shipped default.
std::string rule_set_path(const Settings& settings);

// The calendar file a rule set names: <templates dir>/calendars/<id>.json.
std::string calendar_path(const Settings& settings, const std::string& calendar_id);

}  // namespace pathaudit::service
