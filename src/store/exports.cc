#include "store/exports.h"

#include "store/sqlite_statement.h"

namespace pathaudit::store {
namespace {

constexpr const char* kSelect =
    "SELECT id, audit_id, kind, profile, actor, role, reason_sealed, created_at, rows, "
    "coalesce(sha256, ''), coalesce(file, ''), coalesce(expires_at, ''), "
    "coalesce(delivered_at, ''), coalesce(removed_at, '') FROM exports ";

ExportRow read_row(sqlite3_stmt* st) {
  ExportRow r;
  r.id = sqlite3_column_int64(st, 0);
  r.audit_id = sqlite3_column_int64(st, 1);
  r.kind = column_text(st, 2);
  r.profile = column_text(st, 3);
  r.actor = column_text(st, 4);
  r.role = column_text(st, 5);
  r.reason_sealed = column_opt_bytes(st, 6);
  r.created_at = column_text(st, 7);
  r.rows = sqlite3_column_int64(st, 8);
  r.sha256 = column_text(st, 9);
  r.file = column_text(st, 10);
  r.expires_at = column_text(st, 11);
  r.delivered_at = column_text(st, 12);
  r.removed_at = column_text(st, 13);
  return r;
}

std::vector<ExportRow> query(Session& s, const std::string& where, std::int64_t param) {
  const std::string sql = kSelect + where;
  Statement q(connection(s), sql.c_str());
  if (param)
    sqlite3_bind_int64(q.get(), 1, param);
  std::vector<ExportRow> out;
  while (q.row())
    out.push_back(read_row(q.get()));
  return out;
}

}  // namespace

std::int64_t insert_export(Session& s, const ExportRow& row) {
  sqlite3* db = connection(s);
  Statement q(db,
              "INSERT INTO exports (audit_id, kind, profile, actor, role, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?)");
  sqlite3_bind_int64(q.get(), 1, row.audit_id);
  bind_text(q.get(), 2, row.kind);
  bind_text(q.get(), 3, row.profile);
  bind_text(q.get(), 4, row.actor);
  bind_text(q.get(), 5, row.role);
  bind_text(q.get(), 6, row.created_at);
  q.row();
  return sqlite3_last_insert_rowid(db);
}

void set_export_reason(Session& s, std::int64_t id, const crypto::Bytes& sealed) {
  Statement q(connection(s), "UPDATE exports SET reason_sealed = ? WHERE id = ?");
  bind_blob(q.get(), 1, sealed.data(), sealed.size());
  sqlite3_bind_int64(q.get(), 2, id);
  q.row();
}

void finish_export(Session& s, std::int64_t id, const std::string& file, std::int64_t rows,
                   const std::string& sha256, const std::string& expires_at) {
  Statement q(connection(s),
              "UPDATE exports SET file = ?, rows = ?, sha256 = ?, expires_at = ? WHERE id = ?");
  bind_text(q.get(), 1, file);
  sqlite3_bind_int64(q.get(), 2, rows);
  bind_text(q.get(), 3, sha256);
  bind_text(q.get(), 4, expires_at);
  sqlite3_bind_int64(q.get(), 5, id);
  q.row();
}

void mark_export_delivered(Session& s, std::int64_t id, const std::string& at) {
  Statement q(connection(s),
              "UPDATE exports SET delivered_at = ?1, removed_at = ?1, file = NULL WHERE id = ?2");
  bind_text(q.get(), 1, at);
  sqlite3_bind_int64(q.get(), 2, id);
  q.row();
}

void mark_export_removed(Session& s, std::int64_t id, const std::string& at) {
  Statement q(connection(s), "UPDATE exports SET removed_at = ?, file = NULL WHERE id = ?");
  bind_text(q.get(), 1, at);
  sqlite3_bind_int64(q.get(), 2, id);
  q.row();
}

std::optional<ExportRow> find_export(Session& s, std::int64_t id) {
  auto rows = query(s, "WHERE id = ?", id);
  if (rows.empty())
    return std::nullopt;
  return rows.front();
}

std::vector<ExportRow> waiting_exports(Session& s) {
  return query(s, "WHERE file IS NOT NULL ORDER BY id", 0);
}

std::vector<ExportRow> list_exports(Session& s, std::int64_t audit_id) {
  return query(s, "WHERE audit_id = ? ORDER BY id", audit_id);
}

}  // namespace pathaudit::store
