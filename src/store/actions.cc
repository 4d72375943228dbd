#include "store/actions.h"

#include "store/sqlite_statement.h"

namespace pathaudit::store {
namespace {

constexpr const char* kSelect =
    "SELECT x.id, x.audit_id, coalesce(x.sample_case_id, 0), coalesce(ch.display_key, ''), "
    "coalesce(x.owner_agency_id, 0), coalesce(g.code, ''), coalesce(x.due, ''), x.status, "
    "x.description_sealed, coalesce(x.created_by, ''), x.created_at, x.updated_at "
    "FROM actions x LEFT JOIN agencies g ON g.id = x.owner_agency_id "
    "LEFT JOIN sample_cases c ON c.id = x.sample_case_id "
    "LEFT JOIN children ch ON ch.id = c.child_id ";

ActionRow read_action(sqlite3_stmt* st) {
  ActionRow a;
  a.id = sqlite3_column_int64(st, 0);
  a.audit_id = sqlite3_column_int64(st, 1);
  a.case_id = sqlite3_column_int64(st, 2);
  a.child_key = column_text(st, 3);
  a.owner_agency_id = sqlite3_column_int(st, 4);
  a.owner = column_text(st, 5);
  a.due = column_text(st, 6);
  a.status = column_text(st, 7);
  a.description_sealed = column_bytes(st, 8);
  a.created_by = column_text(st, 9);
  a.created_at = column_text(st, 10);
  a.updated_at = column_text(st, 11);
  return a;
}

}  // namespace

std::int64_t insert_action(Session& s, std::int64_t audit_id, std::int64_t case_id,
                           int owner_agency_id, const std::string& due,
                           const std::string& created_by, const std::string& at) {
  sqlite3* db = connection(s);
  Statement q(db,
              "INSERT INTO actions (audit_id, sample_case_id, description_sealed, "
              "owner_agency_id, due, status, created_at, updated_at, created_by) "
              "VALUES (?, ?, x'', ?, ?, 'open', ?, ?, ?)");
  sqlite3_bind_int64(q.get(), 1, audit_id);
  bind_id(q.get(), 2, case_id);
  bind_id(q.get(), 3, owner_agency_id);
  bind_text(q.get(), 4, due);
  bind_text(q.get(), 5, at);
  bind_text(q.get(), 6, at);
  bind_text(q.get(), 7, created_by);
  q.row();
  return sqlite3_last_insert_rowid(db);
}

void set_action_description(Session& s, std::int64_t id, const crypto::Bytes& sealed) {
  Statement q(connection(s), "UPDATE actions SET description_sealed = ? WHERE id = ?");
  bind_blob(q.get(), 1, sealed.data(), sealed.size());
  sqlite3_bind_int64(q.get(), 2, id);
  q.row();
}

std::vector<ActionRow> list_actions(Session& s, const ActionFilter& filter) {
  const std::string sql =
      std::string(kSelect) +
      "WHERE (?1 = 0 OR x.audit_id = ?1) AND (?2 = 0 OR x.owner_agency_id = ?2) "
      "AND (?3 IS NULL OR x.status = ?3) "
      "ORDER BY x.audit_id, x.due IS NULL, x.due, x.id";
  Statement q(connection(s), sql.c_str());
  sqlite3_bind_int64(q.get(), 1, filter.audit_id);
  sqlite3_bind_int(q.get(), 2, filter.owner_agency_id);
  bind_text(q.get(), 3, filter.status);
  std::vector<ActionRow> out;
  while (q.row())
    out.push_back(read_action(q.get()));
  return out;
}

std::optional<ActionRow> find_action(Session& s, std::int64_t id) {
  const std::string sql = std::string(kSelect) + "WHERE x.id = ?";
  Statement q(connection(s), sql.c_str());
  sqlite3_bind_int64(q.get(), 1, id);
  if (!q.row())
    return std::nullopt;
  return read_action(q.get());
}

void update_action(Session& s, std::int64_t id, const std::string& status, const std::string& due,
                   int owner_agency_id, const std::string& at) {
  Statement q(connection(s),
              "UPDATE actions SET status = ?, due = ?, owner_agency_id = ?, updated_at = ? "
              "WHERE id = ?");
  bind_text(q.get(), 1, status);
  bind_text(q.get(), 2, due);
  bind_id(q.get(), 3, owner_agency_id);
  bind_text(q.get(), 4, at);
  sqlite3_bind_int64(q.get(), 5, id);
  q.row();
}

}  // namespace pathaudit::store
