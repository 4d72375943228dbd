// Who is acting in a use case, and what their role allows (DESIGN.md section 7). The HTTP service
// makes a Principal from the signed-in user; the command line acts as the operator (whoever can
// read the data directory and its master key, with every role's powers) unless `--as USER` asks it
// to act as, and be limited to, one account. Use cases check role and object with these helpers
// and record `actor()` in the audit log. Value type; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "store/database.h"

namespace pathaudit::service {

class Context;

struct Principal {
  bool operator_ = false;
  std::string operator_actor;  // "cli:<os user>" for the operator
  std::int64_t user_id = 0;
  std::string username;
  std::string role;  // admin, qa_lead, auditor, board; "" for the operator
  int agency_id = 0;
  std::string agency;  // code, auditors only
  // Who acted on the account's behalf: the operator's actor under `--as`, "" when the account's
  // owner signed in themselves. Kept in every audit-log entry, so the log never credits an
  // account with what an operator typed.
  std::string via;

  static Principal operator_principal(std::string actor);

  // "user:<username>", "user:<username> via cli:<os user>" under --as, or the operator's actor.
  std::string actor() const;
  // The operator, or a QA lead: audits, returns, moderation, collation.
  bool is_qa() const { return operator_ || role == "qa_lead"; }
  // The operator, or an admin: users, agencies and keys, never case content.
  bool is_admin() const { return operator_ || role == "admin"; }
  bool is_auditor() const { return !operator_ && role == "auditor"; }
  // Admins and board members see no case content.
  bool sees_case_content() const { return operator_ || role == "qa_lead" || role == "auditor"; }
};

// The principal a command line invocation acts as: the operator, or the named active account.
// NotFoundError for an unknown username, ForbiddenError for a disabled account.
Principal principal_for(Context& ctx, const std::string& as_username);
Principal load_principal(store::Session& s, const std::string& username);

// Appends an audit-log entry for an act of `who`, inside an open write transaction.
void audit_as(Context& ctx, store::Session& s, const Principal& who, const std::string& action,
              const std::string& object, const std::string& outcome = "ok");

// Throws ForbiddenError naming the role needed, unless the principal is the operator or a QA lead.
void require_qa(const Principal& p, const char* what);

// Throws ForbiddenError naming the role needed, unless the principal is the operator or an admin.
void require_admin(const Principal& p, const char* what);

}  // namespace pathaudit::service
