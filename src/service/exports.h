// Exports of an audit (docs/exports.md, docs/board-guide.md): the board workbook under disclosure
// control, the QA detail workbook and the QA detail CSV. Every export needs a reason and leaves a
// manifest: a row in `exports` (who, role, why, when, audit, profile, rows, SHA-256 of the file)
// and an audit-log entry that points at it. The file is written to DATA_DIR/exports/ and waits
// there, private to the service account, until it is delivered (copied out and removed) or it
// expires.
//
// Board workbooks hold no identifier, pseudonym, child key, event reference or free text that a
// QA lead has not marked board-safe; every count in them has been through exports::protect.
// Detail exports are case data for QA leads only.
//
// Stateless functions over a Context; thread-safe as far as the Context is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "export/disclosure.h"
#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

// board, detail (workbook), csv.
const std::vector<std::string>& export_kinds();

struct ExportRequest {
  std::int64_t audit_id = 0;
  std::string kind;    // one of export_kinds()
  std::string reason;  // why: required, shown on the board workbook's cover, never case details
  exports::Profile profile = exports::Profile::dfe;  // board workbooks only
};

struct ExportManifest {
  std::int64_t id = 0;  // the manifest id
  std::int64_t audit_id = 0;
  std::string kind, profile, actor, role, created_at, expires_at;
  std::int64_t rows = 0;
  std::string sha256;  // hex, of the file as written
  std::string file;    // where it waits in the data directory
};

// How long an undelivered export waits before it is removed.
inline constexpr int kExportHours = 24;

// Writes the export and records its manifest. QA leads (and the operator) only. ValidationError
// for a missing reason or an unknown kind; NotFoundError for an unknown audit.
ExportManifest create_export(Context& ctx, const Principal& who, const ExportRequest& request);

// Copies the waiting file to `destination` (created 0600, never over an existing file), removes
// it from the data directory and records the delivery. The principal that made it, a QA lead, or
// for a board workbook a board member, may deliver it.
void deliver_export(Context& ctx, const Principal& who, std::int64_t manifest_id,
                    const std::string& destination);

// Removes waiting exports past their expiry; returns how many. Recorded in the audit log.
int expire_exports(Context& ctx);

}  // namespace pathaudit::service
