#include "store/reviews.h"

#include <functional>

#include "store/sqlite_statement.h"

namespace pathaudit::store {
namespace {

constexpr const char* kReviewSelect =
    "SELECT r.id, a.id, c.id, sm.audit_id, au.template_id, c.child_id, ch.display_key, "
    "a.agency_id, g.code, g.kind, a.slot, coalesce(a.user_id, 0), coalesce(u.username, ''), "
    "r.state, r.times_returned, coalesce(r.not_applicable, ''), r.updated_at, "
    "coalesce(r.submitted_at, ''), coalesce(r.accepted_at, ''), coalesce(r.locked_at, '') "
    "FROM reviews r JOIN assignments a ON a.id = r.assignment_id "
    "JOIN sample_cases c ON c.id = a.sample_case_id JOIN samples sm ON sm.id = c.sample_id "
    "JOIN audits au ON au.id = sm.audit_id JOIN children ch ON ch.id = c.child_id "
    "JOIN agencies g ON g.id = a.agency_id LEFT JOIN users u ON u.id = a.user_id ";

ReviewRow read_review(sqlite3_stmt* st) {
  ReviewRow r;
  r.id = sqlite3_column_int64(st, 0);
  r.assignment_id = sqlite3_column_int64(st, 1);
  r.case_id = sqlite3_column_int64(st, 2);
  r.audit_id = sqlite3_column_int64(st, 3);
  r.template_id = sqlite3_column_int64(st, 4);
  r.child_id = sqlite3_column_int64(st, 5);
  r.child_key = column_text(st, 6);
  r.agency_id = sqlite3_column_int(st, 7);
  r.agency_code = column_text(st, 8);
  r.agency_kind = column_text(st, 9);
  r.slot = sqlite3_column_int(st, 10);
  r.user_id = sqlite3_column_int64(st, 11);
  r.username = column_text(st, 12);
  r.state = column_text(st, 13);
  r.times_returned = sqlite3_column_int(st, 14);
  r.not_applicable = split_list(column_text(st, 15));
  r.updated_at = column_text(st, 16);
  r.submitted_at = column_text(st, 17);
  r.accepted_at = column_text(st, 18);
  r.locked_at = column_text(st, 19);
  return r;
}

constexpr const char* kDiscussionSelect =
    "SELECT d.id, a.id, c.id, sm.audit_id, au.template_id, c.child_id, ch.display_key, "
    "coalesce(a.user_id, 0), coalesce(u.username, ''), d.state, coalesce(d.held_on, ''), "
    "coalesce(d.attendees, ''), d.learning_sealed, coalesce(d.learning_tags, ''), d.updated_at, "
    "coalesce(d.discussed_at, ''), coalesce(d.moderated_at, ''), coalesce(d.locked_at, ''), "
    "d.learning_board_safe FROM discussions d JOIN assignments a ON a.id = d.assignment_id "
    "JOIN sample_cases c ON c.id = a.sample_case_id JOIN samples sm ON sm.id = c.sample_id "
    "JOIN audits au ON au.id = sm.audit_id JOIN children ch ON ch.id = c.child_id "
    "LEFT JOIN users u ON u.id = a.user_id ";

DiscussionRow read_discussion(sqlite3_stmt* st) {
  DiscussionRow d;
  d.id = sqlite3_column_int64(st, 0);
  d.assignment_id = sqlite3_column_int64(st, 1);
  d.case_id = sqlite3_column_int64(st, 2);
  d.audit_id = sqlite3_column_int64(st, 3);
  d.template_id = sqlite3_column_int64(st, 4);
  d.child_id = sqlite3_column_int64(st, 5);
  d.child_key = column_text(st, 6);
  d.owner_id = sqlite3_column_int64(st, 7);
  d.owner = column_text(st, 8);
  d.state = column_text(st, 9);
  d.held_on = column_text(st, 10);
  d.attendees = split_list(column_text(st, 11));
  d.learning_sealed = column_opt_bytes(st, 12);
  d.learning_tags = split_list(column_text(st, 13));
  d.updated_at = column_text(st, 14);
  d.discussed_at = column_text(st, 15);
  d.moderated_at = column_text(st, 16);
  d.locked_at = column_text(st, 17);
  d.learning_board_safe = sqlite3_column_int(st, 18) != 0;
  return d;
}

void load_grades(sqlite3* db, DiscussionRow& d) {
  Statement q(db, "SELECT stage, grade FROM discussion_grades WHERE discussion_id = ?");
  sqlite3_bind_int64(q.get(), 1, d.id);
  while (q.row())
    d.grades[column_text(q.get(), 0)] = column_text(q.get(), 1);
}

void exec(sqlite3* db, const char* sql, const std::function<void(sqlite3_stmt*)>& bind) {
  Statement q(db, sql);
  bind(q.get());
  q.row();
}

constexpr const char* kConcernSelect =
    "SELECT k.id, k.review_id, c.id, sm.audit_id, ch.display_key, g.code, k.raised_by, "
    "k.raised_at, k.description_sealed, k.status, coalesce(k.acknowledged_by, ''), "
    "coalesce(k.acknowledged_at, '') FROM live_concerns k JOIN reviews r ON r.id = k.review_id "
    "JOIN assignments a ON a.id = r.assignment_id JOIN sample_cases c ON c.id = a.sample_case_id "
    "JOIN samples sm ON sm.id = c.sample_id JOIN children ch ON ch.id = c.child_id "
    "JOIN agencies g ON g.id = a.agency_id ";

ConcernRow read_concern(sqlite3_stmt* st) {
  ConcernRow k;
  k.id = sqlite3_column_int64(st, 0);
  k.review_id = sqlite3_column_int64(st, 1);
  k.case_id = sqlite3_column_int64(st, 2);
  k.audit_id = sqlite3_column_int64(st, 3);
  k.child_key = column_text(st, 4);
  k.agency_code = column_text(st, 5);
  k.raised_by = column_text(st, 6);
  k.raised_at = column_text(st, 7);
  k.description_sealed = column_opt_bytes(st, 8);
  k.status = column_text(st, 9);
  k.acknowledged_by = column_text(st, 10);
  k.acknowledged_at = column_text(st, 11);
  return k;
}

}  // namespace

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items)
    out += (out.empty() ? "" : ",") + i;
  return out;
}

std::vector<std::string> split_list(const std::string& stored) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin < stored.size()) {
    auto comma = stored.find(',', begin);
    if (comma == std::string::npos)
      comma = stored.size();
    if (comma > begin)
      out.push_back(stored.substr(begin, comma - begin));
    begin = comma + 1;
  }
  return out;
}

std::set<std::int64_t> children_assigned_to(Session& s, std::int64_t user_id) {
  Statement q(connection(s),
              "SELECT DISTINCT c.child_id FROM assignments a "
              "JOIN sample_cases c ON c.id = a.sample_case_id "
              "WHERE a.kind = 'return' AND a.user_id = ?");
  sqlite3_bind_int64(q.get(), 1, user_id);
  std::set<std::int64_t> out;
  while (q.row())
    out.insert(sqlite3_column_int64(q.get(), 0));
  return out;
}

std::vector<ReviewRow> list_reviews(Session& s, const ReviewFilter& filter) {
  const std::string sql = std::string(kReviewSelect) +
                          "WHERE a.kind = 'return' AND (?1 = 0 OR sm.audit_id = ?1) "
                          "AND (?2 = 0 OR c.id = ?2) AND (?3 = 0 OR a.user_id = ?3) "
                          "AND (?4 IS NULL OR r.state = ?4) "
                          "ORDER BY sm.audit_id, c.id, g.code, a.slot";
  Statement q(connection(s), sql.c_str());
  sqlite3_bind_int64(q.get(), 1, filter.audit_id);
  sqlite3_bind_int64(q.get(), 2, filter.case_id);
  sqlite3_bind_int64(q.get(), 3, filter.user_id);
  bind_text(q.get(), 4, filter.state);
  std::vector<ReviewRow> out;
  while (q.row())
    out.push_back(read_review(q.get()));
  return out;
}

std::optional<ReviewRow> find_review(Session& s, std::int64_t id) {
  const std::string sql = std::string(kReviewSelect) + "WHERE r.id = ?";
  Statement q(connection(s), sql.c_str());
  sqlite3_bind_int64(q.get(), 1, id);
  if (!q.row())
    return std::nullopt;
  return read_review(q.get());
}

void update_review(Session& s, std::int64_t id, const ReviewUpdate& u) {
  const bool submitted = u.state == "submitted" || u.state == "resubmitted";
  exec(connection(s),
       "UPDATE reviews SET state = ?1, updated_at = ?2, "
       "submitted_at = CASE WHEN ?3 THEN ?2 ELSE submitted_at END, "
       "accepted_at = CASE WHEN ?1 = 'accepted' THEN ?2 ELSE accepted_at END, "
       "locked_at = CASE WHEN ?1 = 'locked' THEN ?2 ELSE locked_at END, "
       "times_returned = times_returned + ?4 WHERE id = ?5",
       [&](sqlite3_stmt* st) {
         bind_text(st, 1, u.state);
         bind_text(st, 2, u.at);
         sqlite3_bind_int(st, 3, submitted ? 1 : 0);
         sqlite3_bind_int(st, 4, u.returned ? 1 : 0);
         sqlite3_bind_int64(st, 5, id);
       });
}

void set_not_applicable(Session& s, std::int64_t id, const std::vector<std::string>& sections,
                        const std::string& at) {
  exec(connection(s), "UPDATE reviews SET not_applicable = ?, updated_at = ? WHERE id = ?",
       [&](sqlite3_stmt* st) {
         bind_text(st, 1, join_list(sections));
         bind_text(st, 2, at);
         sqlite3_bind_int64(st, 3, id);
       });
}

std::vector<AnswerRow> load_answers(Session& s, std::int64_t review_id) {
  Statement q(connection(s),
              "SELECT id, question_id, value_sealed, coalesce(auditor_grade, ''), "
              "coalesce(tags, ''), coalesce(moderated_grade, ''), coalesce(moderated_by, ''), "
              "moderation_rationale_sealed, qa_comment_sealed, updated_at "
              "FROM answers WHERE review_id = ? ORDER BY id");
  sqlite3_bind_int64(q.get(), 1, review_id);
  std::vector<AnswerRow> out;
  while (q.row()) {
    sqlite3_stmt* st = q.get();
    AnswerRow a;
    a.id = sqlite3_column_int64(st, 0);
    a.question_id = column_text(st, 1);
    a.value_sealed = column_opt_bytes(st, 2);
    a.auditor_grade = column_text(st, 3);
    a.tags = split_list(column_text(st, 4));
    a.moderated_grade = column_text(st, 5);
    a.moderated_by = column_text(st, 6);
    a.rationale_sealed = column_opt_bytes(st, 7);
    a.comment_sealed = column_opt_bytes(st, 8);
    a.updated_at = column_text(st, 9);
    out.push_back(std::move(a));
  }
  return out;
}

std::int64_t answer_row(Session& s, std::int64_t review_id, const std::string& question_id,
                        const std::string& at) {
  sqlite3* db = connection(s);
  {
    Statement q(db, "SELECT id FROM answers WHERE review_id = ? AND question_id = ?");
    sqlite3_bind_int64(q.get(), 1, review_id);
    bind_text(q.get(), 2, question_id);
    if (q.row())
      return sqlite3_column_int64(q.get(), 0);
  }
  exec(db, "INSERT INTO answers (review_id, question_id, updated_at) VALUES (?, ?, ?)",
       [&](sqlite3_stmt* st) {
         sqlite3_bind_int64(st, 1, review_id);
         bind_text(st, 2, question_id);
         bind_text(st, 3, at);
       });
  return sqlite3_last_insert_rowid(db);
}

void set_answer(Session& s, std::int64_t answer_id, const std::optional<crypto::Bytes>& value,
                const std::string& grade, const std::vector<std::string>& tags,
                const std::string& at) {
  exec(connection(s),
       "UPDATE answers SET value_sealed = ?, auditor_grade = ?, tags = ?, updated_at = ? "
       "WHERE id = ?",
       [&](sqlite3_stmt* st) {
         bind_opt_blob(st, 1, value);
         bind_text(st, 2, grade);
         bind_text(st, 3, join_list(tags));
         bind_text(st, 4, at);
         sqlite3_bind_int64(st, 5, answer_id);
       });
}

void set_answer_comment(Session& s, std::int64_t answer_id,
                        const std::optional<crypto::Bytes>& comment) {
  exec(connection(s), "UPDATE answers SET qa_comment_sealed = ? WHERE id = ?",
       [&](sqlite3_stmt* st) {
         bind_opt_blob(st, 1, comment);
         sqlite3_bind_int64(st, 2, answer_id);
       });
}

void clear_comments(Session& s, std::int64_t review_id) {
  exec(connection(s), "UPDATE answers SET qa_comment_sealed = NULL WHERE review_id = ?",
       [&](sqlite3_stmt* st) { sqlite3_bind_int64(st, 1, review_id); });
}

void set_moderation(Session& s, std::int64_t answer_id, const std::string& grade,
                    const std::string& by, const std::optional<crypto::Bytes>& rationale,
                    const std::string& at) {
  exec(connection(s),
       "UPDATE answers SET moderated_grade = ?, moderated_by = ?, "
       "moderation_rationale_sealed = ?, updated_at = ? WHERE id = ?",
       [&](sqlite3_stmt* st) {
         bind_text(st, 1, grade);
         bind_text(st, 2, by);
         bind_opt_blob(st, 3, rationale);
         bind_text(st, 4, at);
         sqlite3_bind_int64(st, 5, answer_id);
       });
}

void prune_answers(Session& s, std::int64_t review_id) {
  exec(connection(s),
       "DELETE FROM answers WHERE review_id = ? AND value_sealed IS NULL AND "
       "qa_comment_sealed IS NULL AND moderated_grade IS NULL AND tags IS NULL",
       [&](sqlite3_stmt* st) { sqlite3_bind_int64(st, 1, review_id); });
}

std::optional<DiscussionRow> find_discussion(Session& s, std::int64_t case_id) {
  const std::string sql = std::string(kDiscussionSelect) + "WHERE c.id = ?";
  sqlite3* db = connection(s);
  Statement q(db, sql.c_str());
  sqlite3_bind_int64(q.get(), 1, case_id);
  if (!q.row())
    return std::nullopt;
  DiscussionRow d = read_discussion(q.get());
  load_grades(db, d);
  return d;
}

std::vector<DiscussionRow> list_discussions(Session& s, std::int64_t audit_id) {
  const std::string sql = std::string(kDiscussionSelect) + "WHERE sm.audit_id = ? ORDER BY c.id";
  sqlite3* db = connection(s);
  Statement q(db, sql.c_str());
  sqlite3_bind_int64(q.get(), 1, audit_id);
  std::vector<DiscussionRow> out;
  while (q.row())
    out.push_back(read_discussion(q.get()));
  for (DiscussionRow& d : out)
    load_grades(db, d);
  return out;
}

void record_discussion(Session& s, std::int64_t id, const DiscussionUpdate& u) {
  sqlite3* db = connection(s);
  exec(db,
       "UPDATE discussions SET state = 'discussed', held_on = ?, attendees = ?, "
       "learning_tags = ?, updated_at = ?, discussed_at = ?, learning_board_safe = ? WHERE id = ?",
       [&](sqlite3_stmt* st) {
         bind_text(st, 1, u.held_on);
         bind_text(st, 2, join_list(u.attendees));
         bind_text(st, 3, join_list(u.learning_tags));
         bind_text(st, 4, u.at);
         bind_text(st, 5, u.at);
         sqlite3_bind_int(st, 6, u.learning_board_safe ? 1 : 0);
         sqlite3_bind_int64(st, 7, id);
       });
  exec(db, "DELETE FROM discussion_grades WHERE discussion_id = ?",
       [&](sqlite3_stmt* st) { sqlite3_bind_int64(st, 1, id); });
  Statement insert(db,
                   "INSERT INTO discussion_grades (discussion_id, stage, grade) VALUES (?, ?, ?)");
  for (const auto& [stage, grade] : u.grades) {
    sqlite3_bind_int64(insert.get(), 1, id);
    bind_text(insert.get(), 2, stage);
    bind_text(insert.get(), 3, grade);
    insert.row();
    insert.reset();
  }
}

void set_discussion_learning(Session& s, std::int64_t id,
                             const std::optional<crypto::Bytes>& learning) {
  exec(connection(s), "UPDATE discussions SET learning_sealed = ? WHERE id = ?",
       [&](sqlite3_stmt* st) {
         bind_opt_blob(st, 1, learning);
         sqlite3_bind_int64(st, 2, id);
       });
}

void set_discussion_state(Session& s, std::int64_t id, const std::string& state,
                          const std::string& at) {
  exec(connection(s),
       "UPDATE discussions SET state = ?1, updated_at = ?2, "
       "moderated_at = CASE WHEN ?1 = 'moderated' THEN ?2 ELSE moderated_at END, "
       "locked_at = CASE WHEN ?1 = 'locked' THEN ?2 ELSE locked_at END WHERE id = ?3",
       [&](sqlite3_stmt* st) {
         bind_text(st, 1, state);
         bind_text(st, 2, at);
         sqlite3_bind_int64(st, 3, id);
       });
}

std::pair<std::int64_t, int> insert_concern(Session& s, std::int64_t review_id,
                                            const std::string& raised_by, const std::string& at) {
  sqlite3* db = connection(s);
  exec(db, "INSERT INTO live_concerns (review_id, raised_by, raised_at) VALUES (?, ?, ?)",
       [&](sqlite3_stmt* st) {
         sqlite3_bind_int64(st, 1, review_id);
         bind_text(st, 2, raised_by);
         bind_text(st, 3, at);
       });
  const std::int64_t id = sqlite3_last_insert_rowid(db);
  exec(db,
       "INSERT INTO notifications (user_id, kind, object, created_at) "
       "SELECT id, 'live_concern', ?, ? FROM users WHERE role = 'qa_lead' AND disabled = 0",
       [&](sqlite3_stmt* st) {
         bind_text(st, 1, "live_concern:" + std::to_string(id));
         bind_text(st, 2, at);
       });
  return {id, sqlite3_changes(db)};
}

void set_concern_description(Session& s, std::int64_t id, const crypto::Bytes& sealed) {
  exec(connection(s), "UPDATE live_concerns SET description_sealed = ? WHERE id = ?",
       [&](sqlite3_stmt* st) {
         bind_blob(st, 1, sealed.data(), sealed.size());
         sqlite3_bind_int64(st, 2, id);
       });
}

std::vector<ConcernRow> list_concerns(Session& s, std::int64_t audit_id, bool open_only) {
  const std::string sql = std::string(kConcernSelect) +
                          "WHERE (?1 = 0 OR sm.audit_id = ?1) AND (?2 = 0 OR k.status = 'open') "
                          "ORDER BY k.id";
  Statement q(connection(s), sql.c_str());
  sqlite3_bind_int64(q.get(), 1, audit_id);
  sqlite3_bind_int(q.get(), 2, open_only ? 1 : 0);
  std::vector<ConcernRow> out;
  while (q.row())
    out.push_back(read_concern(q.get()));
  return out;
}

std::optional<ConcernRow> find_concern(Session& s, std::int64_t id) {
  const std::string sql = std::string(kConcernSelect) + "WHERE k.id = ?";
  Statement q(connection(s), sql.c_str());
  sqlite3_bind_int64(q.get(), 1, id);
  if (!q.row())
    return std::nullopt;
  return read_concern(q.get());
}

void acknowledge_concern(Session& s, std::int64_t id, const std::string& by,
                         const std::string& at) {
  sqlite3* db = connection(s);
  exec(db,
       "UPDATE live_concerns SET status = 'acknowledged', acknowledged_by = ?, "
       "acknowledged_at = ? WHERE id = ?",
       [&](sqlite3_stmt* st) {
         bind_text(st, 1, by);
         bind_text(st, 2, at);
         sqlite3_bind_int64(st, 3, id);
       });
  exec(db, "UPDATE notifications SET read_at = ? WHERE object = ? AND read_at IS NULL",
       [&](sqlite3_stmt* st) {
         bind_text(st, 1, at);
         bind_text(st, 2, "live_concern:" + std::to_string(id));
       });
}

std::vector<NotificationRow> unread_notifications(Session& s, std::int64_t user_id) {
  Statement q(connection(s),
              "SELECT id, kind, object, created_at FROM notifications "
              "WHERE user_id = ? AND read_at IS NULL ORDER BY id");
  sqlite3_bind_int64(q.get(), 1, user_id);
  std::vector<NotificationRow> out;
  while (q.row()) {
    out.push_back({sqlite3_column_int64(q.get(), 0), column_text(q.get(), 1),
                   column_text(q.get(), 2), column_text(q.get(), 3)});
  }
  return out;
}

void mark_notifications_read(Session& s, std::int64_t user_id, const std::string& at) {
  exec(connection(s), "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
       [&](sqlite3_stmt* st) {
         bind_text(st, 1, at);
         sqlite3_bind_int64(st, 2, user_id);
       });
}

}  // namespace pathaudit::store
