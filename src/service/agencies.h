// The partnership's agencies (DESIGN.md section 3): every signed-in role may list them (the
// browser shows their names), and an admin may add one, for a partnership that takes in a new
// agency after `init`. Agencies are never removed or renamed here: events, accounts and returns
// refer to them, and linkage is by child, not by agency, so a new agency changes nothing stored.
// An addition is recorded in the audit log.
//
// Stateless; thread-safe as far as the Context is. Results are values owned by the caller.
#pragma once

#include <string>
#include <vector>

#include "core/agency.h"
#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

struct AgencyRecord {
  std::string code;
  std::string name;
  std::string kind;
  bool active = true;
};

// Every agency, by code. For any principal: codes, names and kinds are not case content.
std::vector<AgencyRecord> list_agencies(Context& ctx, const Principal& who);

// Adds an active agency. ForbiddenError unless an admin; ValidationError for a code that is not
// 1 to 32 of A-Z 0-9 - _, an unknown kind, or a name that is empty, over 200 characters or has
// control characters; ConflictError if the code is taken.
AgencyRecord add_agency(Context& ctx, const Principal& who, const core::Agency& agency);

}  // namespace pathaudit::service
