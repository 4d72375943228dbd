#include "store/retention.h"

#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::store {
namespace {

// The assignments (returns and discussions) of one audit's sampled cases, every sample included.
constexpr const char* kAuditAssignments =
    "SELECT a.id FROM assignments a JOIN sample_cases sc ON sc.id = a.sample_case_id "
    "JOIN samples sm ON sm.id = sc.sample_id WHERE sm.audit_id = ?";

std::string audit_reviews() {
  return std::string("SELECT r.id FROM reviews r WHERE r.assignment_id IN (") + kAuditAssignments +
         ")";
}

std::int64_t count(Session& s, const std::string& sql, std::int64_t audit_id) {
  std::int64_t n = 0;
  s << sql, into(n), use(audit_id), now;
  return n;
}

}  // namespace

std::vector<RetentionRow> list_retention(Session& s) {
  std::vector<RetentionRow> out;
  Poco::Data::Statement q(s);
  std::int64_t id = 0;
  std::string title;
  Poco::Nullable<std::string> until, removed;
  q << "SELECT id, title, retention_until, content_removed_at FROM audits ORDER BY id", into(id),
      into(title), into(until), into(removed), Poco::Data::Keywords::range(0, 1);
  while (!q.done()) {
    if (q.execute() == 0)
      break;
    out.push_back(
        {id, title, until.isNull() ? "" : until.value(), removed.isNull() ? "" : removed.value()});
  }
  return out;
}

void set_retention_until(Session& s, std::int64_t audit_id, const std::string& until) {
  Poco::Nullable<std::string> value;
  if (!until.empty())
    value = until;
  s << "UPDATE audits SET retention_until = ? WHERE id = ?", use(value), use(audit_id), now;
}

AuditContentCounts count_audit_content(Session& s, std::int64_t audit_id) {
  const std::string answers =
      "SELECT count(*) FROM answers WHERE review_id IN (" + audit_reviews() + ") AND ";
  AuditContentCounts c;
  c.answers = count(s, answers + "value_sealed IS NOT NULL", audit_id);
  c.qa_comments = count(s, answers + "qa_comment_sealed IS NOT NULL", audit_id);
  c.rationales = count(s, answers + "moderation_rationale_sealed IS NOT NULL", audit_id);
  c.learning = count(s,
                     std::string("SELECT count(*) FROM discussions WHERE assignment_id IN (") +
                         kAuditAssignments + ") AND learning_sealed IS NOT NULL",
                     audit_id);
  c.concerns = count(s,
                     "SELECT count(*) FROM live_concerns WHERE review_id IN (" + audit_reviews() +
                         ") AND description_sealed IS NOT NULL",
                     audit_id);
  c.actions = count(s, "SELECT count(*) FROM actions WHERE audit_id = ?", audit_id);
  c.export_reasons = count(
      s, "SELECT count(*) FROM exports WHERE audit_id = ? AND reason_sealed IS NOT NULL", audit_id);
  return c;
}

std::vector<std::int64_t> audit_action_ids(Session& s, std::int64_t audit_id) {
  std::vector<std::int64_t> ids;
  s << "SELECT id FROM actions WHERE audit_id = ? ORDER BY id", into(ids), use(audit_id), now;
  return ids;
}

void remove_audit_content(Session& s, std::int64_t audit_id, const std::string& at) {
  s << "UPDATE answers SET value_sealed = NULL, qa_comment_sealed = NULL, "
       "moderation_rationale_sealed = NULL WHERE review_id IN (" +
           audit_reviews() + ")",
      use(audit_id), now;
  s << std::string("UPDATE discussions SET learning_sealed = NULL WHERE assignment_id IN (") +
           kAuditAssignments + ")",
      use(audit_id), now;
  s << "UPDATE live_concerns SET description_sealed = NULL WHERE review_id IN (" + audit_reviews() +
           ")",
      use(audit_id), now;
  s << "UPDATE exports SET reason_sealed = NULL WHERE audit_id = ?", use(audit_id), now;
  std::string removed_at = at;
  s << "UPDATE audits SET content_removed_at = ? WHERE id = ?", use(removed_at), use(audit_id), now;
}

}  // namespace pathaudit::store
