#include "store/flags.h"

#include <functional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "core/errors.h"
#include "store/sqlite_statement.h"

namespace pathaudit::store {
namespace {

std::string evidence_json(const std::vector<std::int64_t>& ids) {
  std::string s = "[";
  for (std::size_t i = 0; i < ids.size(); ++i)
    s += (i ? "," : "") + std::to_string(ids[i]);
  return s + "]";
}

std::vector<std::int64_t> parse_evidence(std::string_view json) {
  std::vector<std::int64_t> ids;
  std::int64_t cur = 0;
  bool in = false;
  for (char c : json) {
    if (c >= '0' && c <= '9') {
      cur = cur * 10 + (c - '0');
      in = true;
    } else if (in) {
      ids.push_back(cur);
      cur = 0;
      in = false;
    }
  }
  return ids;
}

}  // namespace

FlagSync sync_flags(Session& s, const std::vector<NewFlag>& flags, const std::string& at) {
  sqlite3* db = connection(s);
  struct Existing {
    std::int64_t id;
    bool reviewed;
    bool seen = false;
    // The columns a recomputation refreshes, as stored, so an unchanged flag (nearly every flag
    // of a recomputation) costs a comparison, not a statement.
    std::string ruleset_version, severity, detail;
    std::int64_t child_id = 0, agency_id = 0;
  };
  // By rule id and evidence hash, joined (neither holds a newline): hashed, as a recomputation
  // looks up every flag it raises.
  const auto key = [](const std::string& rule, const std::string& hash) {
    return rule + '\n' + hash;
  };
  std::unordered_map<std::string, Existing> existing;
  {
    Statement q(db,
                "SELECT id, rule_id, evidence_hash, status, ruleset_version, severity, child_id, "
                "agency_id, detail FROM flags");
    while (q.row()) {
      sqlite3_stmt* st = q.get();
      existing.emplace(key(column_text(st, 1), column_text(st, 2)),
                       Existing{sqlite3_column_int64(st, 0), column_text(st, 3) != "open", false,
                                column_text(st, 4), column_text(st, 5), column_text(st, 8),
                                sqlite3_column_int64(st, 6), column_id(st, 7)});
    }
  }
  FlagSync result;
  Statement insert(db,
                   "INSERT INTO flags (rule_id, ruleset_version, severity, child_id, agency_id, "
                   "evidence, evidence_hash, detail, status, computed_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)");
  // Only rows whose details differ are written: a recomputation that finds nothing new writes
  // nothing.
  Statement refresh(
      db,
      "UPDATE flags SET ruleset_version = ?, severity = ?, child_id = ?, "
      "agency_id = ?, detail = ? WHERE id = ? AND (ruleset_version IS NOT ? OR "
      "severity IS NOT ? OR child_id IS NOT ? OR agency_id IS NOT ? OR detail IS NOT ?)");
  for (const NewFlag& f : flags) {
    auto it = existing.find(key(f.rule_id, f.evidence_hash));
    if (it != existing.end()) {
      if (it->second.seen)
        throw core::Error("the rules engine raised the same flag twice");
      it->second.seen = true;
      ++result.kept;
      const Existing& was = it->second;
      if (was.ruleset_version == f.ruleset_version && was.severity == f.severity &&
          was.child_id == f.child_id && was.agency_id == f.agency_id && was.detail == f.detail)
        continue;
      sqlite3_stmt* st = refresh.get();
      bind_text(st, 1, f.ruleset_version);
      bind_text(st, 2, f.severity);
      sqlite3_bind_int64(st, 3, f.child_id);
      if (f.agency_id)
        sqlite3_bind_int(st, 4, f.agency_id);
      else
        sqlite3_bind_null(st, 4);
      bind_text(st, 5, f.detail);
      sqlite3_bind_int64(st, 6, it->second.id);
      bind_text(st, 7, f.ruleset_version);
      bind_text(st, 8, f.severity);
      sqlite3_bind_int64(st, 9, f.child_id);
      if (f.agency_id)
        sqlite3_bind_int(st, 10, f.agency_id);
      else
        sqlite3_bind_null(st, 10);
      bind_text(st, 11, f.detail);
      refresh.row();
      refresh.reset();
      continue;
    }
    sqlite3_stmt* st = insert.get();
    bind_text(st, 1, f.rule_id);
    bind_text(st, 2, f.ruleset_version);
    bind_text(st, 3, f.severity);
    sqlite3_bind_int64(st, 4, f.child_id);
    if (f.agency_id)
      sqlite3_bind_int(st, 5, f.agency_id);
    else
      sqlite3_bind_null(st, 5);
    bind_text(st, 6, evidence_json(f.evidence));
    bind_text(st, 7, f.evidence_hash);
    bind_text(st, 8, f.detail);
    bind_text(st, 9, at);
    insert.row();
    insert.reset();
    existing.emplace(key(f.rule_id, f.evidence_hash), Existing{0, false, true, {}, {}, {}});
    ++result.inserted;
  }
  Statement remove(db, "DELETE FROM flags WHERE id = ?");
  for (const auto& [k, e] : existing) {
    if (e.seen)
      continue;
    sqlite3_bind_int64(remove.get(), 1, e.id);
    remove.row();
    remove.reset();
    ++result.removed;
    if (e.reviewed)
      ++result.removed_reviewed;
  }
  return result;
}

namespace {

std::vector<StoredFlag> query_flags(Session& s, const std::string& where,
                                    const std::function<void(sqlite3_stmt*)>& bind) {
  sqlite3* db = connection(s);
  Statement q(db, ("SELECT f.id, f.rule_id, f.ruleset_version, f.severity, coalesce(a.code, ''), "
                   "c.display_key, f.detail, f.status, f.child_id, f.evidence, "
                   "f.status_reason_sealed, f.computed_at "
                   "FROM flags f JOIN children c ON c.id = f.child_id "
                   "LEFT JOIN agencies a ON a.id = f.agency_id " +
                   where + " ORDER BY f.rule_id, c.display_key, f.id")
                      .c_str());
  bind(q.get());
  Statement ev(db,
               "SELECT a.code, e.event_ref_sealed FROM events e JOIN agencies a ON a.id = "
               "e.agency_id WHERE e.id = ?");
  std::vector<StoredFlag> out;
  while (q.row()) {
    sqlite3_stmt* st = q.get();
    StoredFlag f;
    f.id = sqlite3_column_int64(st, 0);
    f.rule_id = column_text(st, 1);
    f.ruleset_version = column_text(st, 2);
    f.severity = column_text(st, 3);
    f.agency = column_text(st, 4);
    f.child_key = column_text(st, 5);
    f.detail = column_text(st, 6);
    f.status = column_text(st, 7);
    f.child_id = sqlite3_column_int64(st, 8);
    for (std::int64_t id : parse_evidence(column_text(st, 9))) {
      sqlite3_bind_int64(ev.get(), 1, id);
      if (ev.row())
        f.evidence.push_back({id, column_text(ev.get(), 0), column_bytes(ev.get(), 1)});
      ev.reset();
    }
    if (sqlite3_column_type(st, 10) == SQLITE_BLOB)
      f.status_reason_sealed = column_bytes(st, 10);
    f.computed_at = column_text(st, 11);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

std::vector<StoredFlag> list_flags(Session& s, const FlagFilter& filter) {
  std::string where =
      "WHERE (?1 IS NULL OR f.rule_id = ?1) AND (?2 IS NULL OR f.status = ?2) "
      "AND (?3 IS NULL OR f.child_id = ?3)";
  return query_flags(s, where, [&](sqlite3_stmt* st) {
    bind_text(st, 1, filter.rule_id);
    bind_text(st, 2, filter.status);
    if (filter.child_id)
      sqlite3_bind_int64(st, 3, *filter.child_id);
  });
}

std::optional<StoredFlag> find_flag(Session& s, std::int64_t id) {
  auto found =
      query_flags(s, "WHERE f.id = ?1", [&](sqlite3_stmt* st) { sqlite3_bind_int64(st, 1, id); });
  if (found.empty())
    return std::nullopt;
  return std::move(found.front());
}

std::vector<FlagCount> count_flags(Session& s, std::int64_t audit_id) {
  Statement q(connection(s),
              "SELECT rule_id, severity, status, count(*) FROM flags "
              "WHERE ?1 = 0 OR child_id IN (SELECT c.child_id FROM sample_cases c "
              "JOIN samples sm ON sm.id = c.sample_id WHERE sm.audit_id = ?1 AND sm.id = "
              "(SELECT max(id) FROM samples WHERE audit_id = ?1)) "
              "GROUP BY rule_id, severity, status ORDER BY rule_id, severity, status");
  sqlite3_bind_int64(q.get(), 1, audit_id);
  std::vector<FlagCount> out;
  while (q.row()) {
    out.push_back({column_text(q.get(), 0), column_text(q.get(), 1), column_text(q.get(), 2),
                   sqlite3_column_int64(q.get(), 3)});
  }
  return out;
}

void set_flag_status(Session& s, std::int64_t id, const std::string& status,
                     const crypto::Bytes& reason_sealed) {
  Statement q(connection(s), "UPDATE flags SET status = ?, status_reason_sealed = ? WHERE id = ?");
  bind_text(q.get(), 1, status);
  bind_blob(q.get(), 2, reason_sealed.data(), reason_sealed.size());
  sqlite3_bind_int64(q.get(), 3, id);
  q.row();
  if (sqlite3_changes(connection(s)) != 1)
    throw core::NotFoundError("flag " + std::to_string(id) + " does not exist");
}

}  // namespace pathaudit::store
