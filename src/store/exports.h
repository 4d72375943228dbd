// Export manifests (docs/exports.md): one row per export made, pointing at the file while it waits
// in the data directory to be delivered, with the SHA-256 of what was written. The reason is
// sealed by the caller. Free functions over a Session inside a transaction. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "store/database.h"

namespace pathaudit::store {

struct ExportRow {
  std::int64_t id = 0;
  std::int64_t audit_id = 0;
  std::string kind, profile, actor, role;
  std::optional<crypto::Bytes> reason_sealed;
  std::string created_at;
  std::int64_t rows = 0;
  std::string sha256;
  std::string file;  // "" once delivered or removed
  std::string expires_at, delivered_at, removed_at;
};

// A new manifest, before its file is written; returns its id (the manifest id).
std::int64_t insert_export(Session& s, const ExportRow& row);
void set_export_reason(Session& s, std::int64_t id, const crypto::Bytes& sealed);
// The file is written: its path, size in rows, digest and expiry.
void finish_export(Session& s, std::int64_t id, const std::string& file, std::int64_t rows,
                   const std::string& sha256, const std::string& expires_at);
void mark_export_delivered(Session& s, std::int64_t id, const std::string& at);
void mark_export_removed(Session& s, std::int64_t id, const std::string& at);
std::optional<ExportRow> find_export(Session& s, std::int64_t id);
// Exports whose file is still waiting in the data directory, oldest first.
std::vector<ExportRow> waiting_exports(Session& s);
std::vector<ExportRow> list_exports(Session& s, std::int64_t audit_id);

}  // namespace pathaudit::store
