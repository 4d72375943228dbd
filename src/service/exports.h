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

// The exports waiting to be delivered to `who`, oldest first: for a QA lead the ones they made,
// for a board member the board workbooks, for the operator all. ForbiddenError for admins and
// auditors. Manifests only (their `file` is ""): nothing is opened or delivered.
std::vector<ExportManifest> waiting_exports_for(Context& ctx, const Principal& who);

// A waiting export opened for delivery: the file's bytes read whole into memory (fine for board
// workbooks; a very large detail export would want a stream), checked against the SHA-256
// recorded when it was made, and claimed, so no second delivery of it starts in this process
// while this one is in flight (a second open_export waits for the first to end, then finds the
// export gone or still waiting; ConflictError if the first is still going after 30 s). It counts
// as delivered only when delivered() is called, after the bytes have reached their destination:
// that removes the file from the data directory and records the delivery. Destroyed without
// delivered(), it releases the claim and the export keeps waiting, so a failed copy or download
// can be tried again before the export expires.
//
// Move-only; used by one thread at a time. Borrows the Context, which must outlive it.
class ExportDelivery {
 public:
  ExportDelivery(ExportDelivery&& other) noexcept;
  ExportDelivery& operator=(ExportDelivery&&) = delete;
  ExportDelivery(const ExportDelivery&) = delete;
  ExportDelivery& operator=(const ExportDelivery&) = delete;
  ~ExportDelivery();

  const ExportManifest& manifest() const { return manifest_; }  // its `file` is ""
  const std::string& bytes() const { return bytes_; }
  // A name to give the delivered file, made of ids and the kind only:
  // "pathaudit-audit-1-board-3.xlsx".
  std::string file_name() const;
  // The file's media type: the xlsx one for workbooks, text/csv for the CSV.
  std::string media_type() const;

  // Removes the waiting file and records the delivery. Once.
  void delivered();

 private:
  friend ExportDelivery open_export(Context& ctx, const Principal& who, std::int64_t manifest_id);
  ExportDelivery(Context& ctx, Principal who, ExportManifest manifest, std::string file,
                 std::string bytes);

  Context* ctx_;
  Principal who_;
  ExportManifest manifest_;
  std::string file_;  // where it waits
  std::string bytes_;
  bool claimed_ = true;
};

// Opens a waiting export for delivery. The principal that made it, a QA lead, or for a board
// workbook a board member, may deliver it; for anyone else it is not found. NotFoundError too once
// it was delivered or removed (saying which); ConflictError while another delivery of it stays in
// flight; CryptoError when the file no longer matches its SHA-256.
ExportDelivery open_export(Context& ctx, const Principal& who, std::int64_t manifest_id);

// Copies the waiting file to `destination` (created 0600, never over an existing file), removes
// it from the data directory and records the delivery: open_export, then delivered() once the
// copy is synced. Who may: as open_export.
void deliver_export(Context& ctx, const Principal& who, std::int64_t manifest_id,
                    const std::string& destination);

// Removes waiting exports past their expiry; returns how many. Recorded in the audit log.
int expire_exports(Context& ctx);

}  // namespace pathaudit::service
