// Stored review work (DESIGN.md section 1, "reviews"): agencies' returns with their answers, the
// multi-agency discussion of each sampled case with its agreed grades, live safeguarding concerns
// and the notifications that escalate them. Free text is sealed by the caller (service/), which
// passes and receives sealed bytes; grades, tags, states and section ids are plain so collation
// counts them without opening case content.
//
// Free functions over a Session inside a transaction (Database::write for changes). Not
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "store/database.h"

namespace pathaudit::store {

// One agency's return for one sampled case, with what identifies its place in the audit.
struct ReviewRow {
  std::int64_t id = 0;
  std::int64_t assignment_id = 0;
  std::int64_t case_id = 0;  // sample_cases.id
  std::int64_t audit_id = 0;
  std::int64_t template_id = 0;
  std::int64_t child_id = 0;
  std::string child_key;
  int agency_id = 0;
  std::string agency_code, agency_kind;
  int slot = 1;              // 2: the blind second review of a dual-review audit
  std::int64_t user_id = 0;  // 0: not assigned yet
  std::string username;
  std::string state;
  int times_returned = 0;
  std::vector<std::string> not_applicable;  // section ids
  std::string updated_at, submitted_at, accepted_at, locked_at;
};

struct ReviewFilter {
  std::int64_t audit_id = 0;  // 0: any
  std::int64_t case_id = 0;
  std::int64_t user_id = 0;
  std::string state;  // "": any
};

// Returns in audit, case, agency code, slot order. Only returns of each audit's current sample.
std::vector<ReviewRow> list_reviews(Session& s, const ReviewFilter& filter);
std::optional<ReviewRow> find_review(Session& s, std::int64_t id);

struct ReviewUpdate {
  std::string state;
  std::string at;  // updated_at; also submitted_at, accepted_at or locked_at as the state says
  bool returned = false;  // times_returned + 1
};
void update_review(Session& s, std::int64_t id, const ReviewUpdate& update);
void set_not_applicable(Session& s, std::int64_t id, const std::vector<std::string>& sections,
                        const std::string& at);

struct AnswerRow {
  std::int64_t id = 0;
  std::string question_id;
  std::optional<crypto::Bytes> value_sealed;  // JSON of the value
  std::string auditor_grade;                  // grade questions only
  std::vector<std::string> tags;
  std::string moderated_grade, moderated_by;
  std::optional<crypto::Bytes> rationale_sealed;
  std::optional<crypto::Bytes> comment_sealed;  // the QA lead's comment when returned
  std::string updated_at;
};

std::vector<AnswerRow> load_answers(Session& s, std::int64_t review_id);
// The row of (review, question), made if missing; returns its id (the sealed fields' row id).
std::int64_t answer_row(Session& s, std::int64_t review_id, const std::string& question_id,
                        const std::string& at);
// Sets or clears (nullopt) the value; grade is "" for non-grade questions.
void set_answer(Session& s, std::int64_t answer_id, const std::optional<crypto::Bytes>& value,
                const std::string& grade, const std::vector<std::string>& tags,
                const std::string& at);
void set_answer_comment(Session& s, std::int64_t answer_id,
                        const std::optional<crypto::Bytes>& comment);
void clear_comments(Session& s, std::int64_t review_id);
void set_moderation(Session& s, std::int64_t answer_id, const std::string& grade,
                    const std::string& by, const std::optional<crypto::Bytes>& rationale,
                    const std::string& at);
// Drops rows that hold nothing (no value, comment or moderation) after answers were cleared.
void prune_answers(Session& s, std::int64_t review_id);

// The multi-agency discussion record of one sampled case.
struct DiscussionRow {
  std::int64_t id = 0;
  std::int64_t assignment_id = 0;
  std::int64_t case_id = 0;
  std::int64_t audit_id = 0;
  std::int64_t template_id = 0;
  std::int64_t child_id = 0;
  std::string child_key;
  std::int64_t owner_id = 0;  // the QA lead it is assigned to
  std::string owner;
  std::string state;
  std::string held_on;
  std::vector<std::string> attendees;  // agency codes
  std::optional<crypto::Bytes> learning_sealed;
  std::vector<std::string> learning_tags;
  bool learning_board_safe = false;           // a QA lead has said the learning may go to the board
  std::map<std::string, std::string> grades;  // stage id -> agreed grade code
  std::string updated_at, discussed_at, moderated_at, locked_at;
};

std::optional<DiscussionRow> find_discussion(Session& s, std::int64_t case_id);
std::vector<DiscussionRow> list_discussions(Session& s, std::int64_t audit_id);

struct DiscussionUpdate {
  std::string held_on;
  std::vector<std::string> attendees;
  std::vector<std::string> learning_tags;
  bool learning_board_safe = false;
  std::map<std::string, std::string> grades;
  std::string at;
};
// Records the discussion (state "discussed"); the caller seals learning with the row id.
void record_discussion(Session& s, std::int64_t id, const DiscussionUpdate& update);
void set_discussion_learning(Session& s, std::int64_t id,
                             const std::optional<crypto::Bytes>& learning);
// Sets the state and its timestamp (moderated_at, locked_at).
void set_discussion_state(Session& s, std::int64_t id, const std::string& state,
                          const std::string& at);

struct ConcernRow {
  std::int64_t id = 0;
  std::int64_t review_id = 0;
  std::int64_t case_id = 0;
  std::int64_t audit_id = 0;
  std::string child_key;
  std::string agency_code;
  std::string raised_by, raised_at;
  std::optional<crypto::Bytes> description_sealed;
  std::string status;
  std::string acknowledged_by, acknowledged_at;
};

// A new concern (its description sealed afterwards with the returned id) and one notification for
// each active QA lead; returns (concern id, number of QA leads notified).
std::pair<std::int64_t, int> insert_concern(Session& s, std::int64_t review_id,
                                            const std::string& raised_by, const std::string& at);
void set_concern_description(Session& s, std::int64_t id, const crypto::Bytes& sealed);
std::vector<ConcernRow> list_concerns(Session& s, std::int64_t audit_id, bool open_only);
std::optional<ConcernRow> find_concern(Session& s, std::int64_t id);
void acknowledge_concern(Session& s, std::int64_t id, const std::string& by, const std::string& at);
// Unread notifications of a user, and marking them read.
struct NotificationRow {
  std::int64_t id = 0;
  std::string kind, object, created_at;
};
std::vector<NotificationRow> unread_notifications(Session& s, std::int64_t user_id);
void mark_notifications_read(Session& s, std::int64_t user_id, const std::string& at);

// Children of the returns assigned to a user: the cases an auditor may see.
std::set<std::int64_t> children_assigned_to(Session& s, std::int64_t user_id);

// Comma-joined plain lists (section ids, tags, agency codes) as stored.
std::string join_list(const std::vector<std::string>& items);
std::vector<std::string> split_list(const std::string& stored);

}  // namespace pathaudit::store
