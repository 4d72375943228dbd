// Actions (docs/qa-lead-guide.md, "Actions"): what an audit's findings ask an agency to do, with an
// owner agency, a due date and a status; overdue when the due date has passed and the action is
// neither done nor cancelled. QA leads add and update them (from a case's multi-agency discussion
// or for the audit as a whole); auditors may list their own agency's. Descriptions are sealed;
// listing opens them and is recorded as "actions.read".
//
// Stateless functions over a Context; thread-safe as far as the Context is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/keyring.h"
#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

// open, in_progress, done, cancelled.
const std::vector<std::string>& action_statuses();

struct NewAction {
  std::string path;  // where it came from, for errors ("$.actions[0]" or "--description")
  std::string description;
  std::string owner;  // agency code
  std::string due;    // YYYY-MM-DD, "" for none
};

// Problems with a new action, as "<path>.<member>: <message>" lines (never quoting the text).
std::vector<std::string> action_problems(store::Session& s, const NewAction& a);

// Inserts and seals a checked action inside an open write transaction; returns its id.
std::int64_t insert_action(Context& ctx, store::Session& s, const crypto::Keyring& keyring,
                           const Principal& who, std::int64_t audit_id, std::int64_t case_id,
                           const NewAction& a);

// An audit-wide action (case_id 0) or one for a sampled case of the audit. QA leads only.
std::int64_t add_action(Context& ctx, const Principal& who, std::int64_t audit_id,
                        std::int64_t case_id, const NewAction& a);

struct ActionView {
  std::int64_t id = 0;
  std::int64_t audit_id = 0;
  std::int64_t case_id = 0;
  std::string child_key;
  std::string owner, due, status, description, created_by, created_at, updated_at;
  bool overdue = false;
};

struct ActionQuery {
  std::int64_t audit_id = 0;
  std::string owner;   // agency code, "": any
  std::string status;  // "": any
  bool overdue_only = false;
};

std::vector<ActionView> list_actions(Context& ctx, const Principal& who, const ActionQuery& q);

struct ActionChange {
  std::optional<std::string> status;
  std::optional<std::string> due;  // "" clears it
  std::optional<std::string> owner;
};

// QA leads only. ValidationError for an unknown status, agency or a bad date.
ActionView update_action(Context& ctx, const Principal& who, std::int64_t id,
                         const ActionChange& change);

}  // namespace pathaudit::service
