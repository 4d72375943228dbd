// The review workflow (docs/auditor-guide.md, docs/qa-lead-guide.md): auditors answer their
// agency's return for a sampled case and submit it; QA leads return it with comments or accept it;
// once every return of a case is accepted, the QA lead records the multi-agency discussion,
// moderates the grades and locks the case. Flags of the case are confirmed or dismissed from the
// review, and a live safeguarding concern can be raised from any review.
//
// Authorisation is by role and by object (DESIGN.md section 7): an auditor reaches only the returns
// assigned to them, and another's return is "not found", never "forbidden"; returning, accepting,
// discussing, moderating and locking are for QA leads; admins and board members see no case
// content. Every read of case content and every change is recorded in the audit log, by object id
// only. Free text is sealed with the field key, bound to its table, column and row.
//
// Stateless functions over a Context; thread-safe as far as the Context is.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/review.h"
#include "service/actions.h"
#include "service/context.h"
#include "service/flags.h"
#include "service/principal.h"

namespace pathaudit::service {

struct ReviewSummary {
  std::int64_t id = 0;
  std::int64_t case_id = 0;
  std::int64_t audit_id = 0;
  std::string child_key;
  std::string agency;  // code
  int slot = 1;        // 2: blind second review
  std::string auditor;
  std::string state;
  int times_returned = 0;
  std::string updated_at;
  std::string submitted_at;
};

struct ReviewQuery {
  std::int64_t audit_id = 0;  // 0: any
  std::int64_t case_id = 0;
  std::string state;     // "": any
  std::string assignee;  // username; "": any (auditors always see only their own)
};

// Returns the principal may see. ForbiddenError for admin and board.
std::vector<ReviewSummary> list_reviews(Context& ctx, const Principal& who, const ReviewQuery& q);

struct AnswerView {
  std::string question_id;
  std::string section_id;
  std::string stage;
  std::string type;
  std::optional<core::AnswerValue> value;
  std::vector<std::string> tags;
  std::string comment;  // the QA lead's comment from the last return, "" when none
  std::string moderated_grade;
  std::string moderation_rationale;  // QA leads only
};

struct ConcernView {
  std::int64_t id = 0;
  std::int64_t review_id = 0;
  std::int64_t case_id = 0;
  std::int64_t audit_id = 0;
  std::string child_key, agency, raised_by, raised_at, status, acknowledged_by, acknowledged_at;
  std::string description;  // opened for QA leads and for the auditor who raised it
};

struct ReviewDetail {
  ReviewSummary summary;
  std::string template_ref;  // key@version
  std::vector<std::string> not_applicable;
  std::vector<AnswerView> answers;            // in template order
  std::vector<std::string> missing_required;  // question ids that stop a submit
  std::vector<std::string> allowed_actions;   // for this principal, in this state
  std::vector<FlagReportRow> flags;           // the case's flags
  std::vector<ConcernView> concerns;          // raised from this review
};

// Opens the return's answers, comments and the case's flags: recorded as "review.read".
ReviewDetail show_review(Context& ctx, const Principal& who, std::int64_t review_id);

// The questions of a return, as its agency is asked them, with any saved answers: what an auditor
// fills in. Opens saved answers: recorded as "review.read".
struct FormQuestion {
  std::string id, section, stage, type;
  bool required = false;
  std::vector<std::string> choices;  // option or scale codes
  std::string text, help, resource;
  std::optional<core::AnswerValue> value;
  // What a person reads: the section's title and guidance, the stage's title, and one label per
  // choice (the template's own wording, "Requires improvement to be good").
  std::string section_title, section_description, stage_title;
  std::vector<std::string> choice_labels;
};
std::vector<FormQuestion> review_form(Context& ctx, const Principal& who, std::int64_t review_id);

// What an answers file holds (docs/auditor-guide.md, "Answers files"):
// {"answers": {"<question id>": VALUE | {"value": VALUE, "tags": [...]}, ...},
//  "not_applicable": ["<section id>", ...]}
// VALUE is a string (codes, dates, text), a list of codes (multi_choice), or null to clear.
struct AnswerSet {
  std::vector<core::AnswerInput> answers;
  std::optional<std::vector<std::string>> not_applicable;  // replaces the stored list when given
  std::string source;                                      // for error lines
};

// Reads an answers file or text. Throws ValidationError naming the JSON path.
AnswerSet parse_answer_set(const std::string& json, const std::string& source_name);

// Answers, comments, a discussion or a moderation that does not fit the template: one line per
// problem, "<source>: <path>: <message>". Nothing is saved.
class ReviewInputRejected : public core::ValidationError {
 public:
  explicit ReviewInputRejected(std::vector<std::string> lines);
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::vector<std::string> lines_;
};

struct SaveResult {
  std::size_t saved = 0;
  std::size_t cleared = 0;
  std::string state;
  std::vector<std::string> missing_required;
};

// The assigned auditor (or the operator) saves answers: all or nothing.
SaveResult save_answers(Context& ctx, const Principal& who, std::int64_t review_id,
                        const AnswerSet& answers);

// Submits (or resubmits) the return. ValidationError listing the required questions still
// unanswered; ConflictError for a state that cannot be submitted.
std::string submit_review(Context& ctx, const Principal& who, std::int64_t review_id);

// The QA lead returns a submitted review with a comment on at least one question:
// {"comments": {"<question id>": "comment", ...}}.
std::map<std::string, std::string> parse_comments(const std::string& json,
                                                  const std::string& source_name);
std::string return_review(Context& ctx, const Principal& who, std::int64_t review_id,
                          const std::map<std::string, std::string>& comments);
std::string accept_review(Context& ctx, const Principal& who, std::int64_t review_id);

// Confirms or dismisses one of the case's flags from the review, with a reason.
void decide_flag(Context& ctx, const Principal& who, std::int64_t review_id, std::int64_t flag_id,
                 const std::string& status, const std::string& reason);

// ---- The case ----------------------------------------------------------------------------------

// A discussion file (docs/qa-lead-guide.md, "Multi-agency discussion"):
// {"held_on": "YYYY-MM-DD", "attendees": ["CSC", ...], "grades": {"<stage id>": "<grade>"},
//  "learning": "...", "learning_tags": [...], "learning_board_safe": false,
//  "actions": [{"description", "owner", "due"}]}
// learning_board_safe (default false) lets the learning appear, word for word, in board workbooks:
// set it only for learning written so that no child or family can be recognised.
struct DiscussionInput {
  std::string source;
  std::string held_on;
  std::vector<std::string> attendees;
  std::map<std::string, std::string> grades;
  std::string learning;
  std::vector<std::string> learning_tags;
  bool learning_board_safe = false;
  std::vector<NewAction> actions;
};
DiscussionInput parse_discussion(const std::string& json, const std::string& source_name);

struct CaseReturn {
  std::int64_t review_id = 0;
  std::string agency;
  int slot = 1;
  std::string state;
};

struct CaseDetail {
  std::int64_t case_id = 0;
  std::int64_t audit_id = 0;
  std::string child_key;
  std::string state;  // the discussion's: open, discussed, moderated, locked
  std::string owner;  // the QA lead
  std::string held_on;
  std::vector<std::string> attendees;
  std::map<std::string, std::string> agreed_grades;  // stage -> grade
  std::string learning;                              // opened
  std::vector<std::string> learning_tags;
  bool learning_board_safe = false;
  std::vector<CaseReturn> returns;
};

// QA leads only; opens the learning: recorded as "case.read".
CaseDetail show_case(Context& ctx, const Principal& who, std::int64_t case_id);

struct DiscussionResult {
  std::string state;
  std::size_t actions_added = 0;
};

// Records the multi-agency discussion once every return of the case is accepted; recording it
// again before moderation replaces it (actions given again are added again, so give only new
// ones).
DiscussionResult record_discussion(Context& ctx, const Principal& who, std::int64_t case_id,
                                   const DiscussionInput& input);

// {"grades": [{"review": ID, "question": "<grade question id>", "grade": "<code>",
//              "rationale": "..."}]}. A grade not listed keeps the moderated grade it was given
// earlier, or is moderated as the auditor gave it.
struct ModerationEntry {
  std::string path;
  std::int64_t review_id = 0;
  std::string question_id;
  std::string grade;
  std::string rationale;
};
std::vector<ModerationEntry> parse_moderation(const std::string& json,
                                              const std::string& source_name);

struct ModerationResult {
  std::size_t grades = 0;   // grade answers moderated
  std::size_t changed = 0;  // of those, differing from the auditor's
};
ModerationResult moderate_case(Context& ctx, const Principal& who, std::int64_t case_id,
                               const std::vector<ModerationEntry>& entries);

// Locks the case and its returns: nothing about them changes afterwards.
void lock_case(Context& ctx, const Principal& who, std::int64_t case_id);

// ---- Live safeguarding concerns ----------------------------------------------------------------

struct ConcernRaised {
  std::int64_t id = 0;
  int qa_leads_notified = 0;
};

// Anyone who may see the review raises a concern on it; every active QA lead is notified at once
// and the act is logged as "concern.raise" (with no content).
ConcernRaised raise_concern(Context& ctx, const Principal& who, std::int64_t review_id,
                            const std::string& description);
// QA leads only; opens descriptions: recorded as "concern.read".
std::vector<ConcernView> list_concerns(Context& ctx, const Principal& who, std::int64_t audit_id,
                                       bool open_only);
void acknowledge_concern(Context& ctx, const Principal& who, std::int64_t concern_id);

// How many live concerns a QA lead has not yet read (0 for anyone else, and for the operator).
std::int64_t unread_concerns(Context& ctx, const Principal& who);

}  // namespace pathaudit::service
