// `pathaudit links`: how every event was linked to a child, for QA of the linkage. Opening the
// agencies' event references is a read of case content, so it is recorded in the audit log, in the
// name of whoever asked; only QA leads (and the operator) may.
#pragma once

#include <string>
#include <vector>

#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

struct LinkReportRow {
  std::string agency;
  std::string event_ref;  // the agency's own reference, opened from its sealed form
  std::string child_key;  // display key, never the pseudonym
  std::string tier;       // nhs, local, exact, probable
};

// ForbiddenError unless `who` is a QA lead (or the operator).
std::vector<LinkReportRow> link_report(Context& ctx, const Principal& who);

}  // namespace pathaudit::service
