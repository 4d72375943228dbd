// Stored actions (DESIGN.md section 1): what an audit's findings ask an agency to do, by when, and
// how far it has got. The description is sealed by the caller with the row id. Free functions over
// a Session inside a transaction. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "store/database.h"

namespace pathaudit::store {

struct ActionRow {
  std::int64_t id = 0;
  std::int64_t audit_id = 0;
  std::int64_t case_id = 0;  // 0: the audit as a whole
  std::string child_key;     // of the case, "" for audit-wide actions
  int owner_agency_id = 0;
  std::string owner;  // agency code
  std::string due;    // YYYY-MM-DD or ""
  std::string status;
  crypto::Bytes description_sealed;
  std::string created_by, created_at, updated_at;
};

struct ActionFilter {
  std::int64_t audit_id = 0;  // 0: any
  int owner_agency_id = 0;    // 0: any
  std::string status;         // "": any
};

// Inserts an action with an empty description; returns its id (seal with it, then
// set_action_description).
std::int64_t insert_action(Session& s, std::int64_t audit_id, std::int64_t case_id,
                           int owner_agency_id, const std::string& due,
                           const std::string& created_by, const std::string& at);
void set_action_description(Session& s, std::int64_t id, const crypto::Bytes& sealed);
// In audit, due date (undated last), id order.
std::vector<ActionRow> list_actions(Session& s, const ActionFilter& filter);
std::optional<ActionRow> find_action(Session& s, std::int64_t id);
void update_action(Session& s, std::int64_t id, const std::string& status, const std::string& due,
                   int owner_agency_id, const std::string& at);

}  // namespace pathaudit::store
