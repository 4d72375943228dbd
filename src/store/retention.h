// Stored side of retention (docs/admin-guide.md, "Backup, restore and retention"): each audit's
// retention date, and removal of an audit's case content once that date has passed. Removal nulls
// every sealed field that belongs to the audit's cases (answers, QA comments, moderation
// rationales, discussions' learning, live concerns) and the reasons given for its exports, and
// keeps the plain columns that collation and comparison count (states, grades, tags, dates).
// Actions' descriptions are NOT NULL: the caller re-seals them with a placeholder (it holds the
// keyring). Free functions over a Session inside the caller's transaction. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.h"

namespace pathaudit::store {

struct RetentionRow {
  std::int64_t audit_id = 0;
  std::string title;
  std::string retention_until;     // YYYY-MM-DD, "" when none is set
  std::string content_removed_at;  // when `retention apply` removed the content, "" if not yet
};

// Every audit, by id.
std::vector<RetentionRow> list_retention(Session& s);

// Sets (or with "" clears) an audit's retention date.
void set_retention_until(Session& s, std::int64_t audit_id, const std::string& until);

// Sealed fields of one audit that removal would delete (those not already empty).
struct AuditContentCounts {
  std::int64_t answers = 0;         // answer values
  std::int64_t qa_comments = 0;     // QA leads' comments on answers
  std::int64_t rationales = 0;      // moderation rationales
  std::int64_t learning = 0;        // discussions' learning
  std::int64_t concerns = 0;        // live concerns' descriptions
  std::int64_t actions = 0;         // action descriptions (replaced by a placeholder)
  std::int64_t export_reasons = 0;  // reasons given for the audit's exports
  std::int64_t total() const {
    return answers + qa_comments + rationales + learning + concerns + actions + export_reasons;
  }
};

AuditContentCounts count_audit_content(Session& s, std::int64_t audit_id);

// The audit's actions, by id (their descriptions are for the caller to replace).
std::vector<std::int64_t> audit_action_ids(Session& s, std::int64_t audit_id);

// Nulls the audit's sealed case content (see the file comment) and records `at` as its
// content_removed_at. With secure_delete on, SQLite zeroes the old bytes in the database file.
void remove_audit_content(Session& s, std::int64_t audit_id, const std::string& at);

}  // namespace pathaudit::store
