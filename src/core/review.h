// The review workflow's rules (docs/auditor-guide.md, docs/qa-lead-guide.md): the two state
// machines (an agency's return for a case, and the case's multi-agency discussion), validation of
// answers against a template, the moderation rule, and inter-rater agreement for blind dual review.
//
// Value types and pure functions: no storage, no clock. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/template.h"

namespace pathaudit::core {

// ---- Returns: one agency's review of one sampled case ------------------------------------------
//
//   assigned --save--> in_progress --submit--> submitted --accept--> accepted --lock--> locked
//                          ^  |save                 |return                ^
//                          +--+                     v                      |accept
//                                                returned --resubmit--> resubmitted
//                                                 ^  |save                 |return
//                                                 +--+      <--------------+
//
// Saving answers is the auditor's; return, accept and lock are the QA lead's. A returned review is
// edited in place and resubmitted; a resubmitted one is accepted or returned again.
enum class ReturnState : std::uint8_t {
  assigned,
  in_progress,
  submitted,
  returned,
  resubmitted,
  accepted,
  locked,
};

enum class ReturnAction : std::uint8_t { save, submit, send_back, accept, lock };

std::string_view return_state_name(ReturnState s);
std::optional<ReturnState> parse_return_state(std::string_view name);
const std::vector<std::string>& return_state_names();
// The word a user types or reads: "save", "submit", "return", "accept", "lock".
std::string_view return_action_name(ReturnAction a);

// The state after `action`, or nullopt when the action is not allowed from `from`.
std::optional<ReturnState> next_return_state(ReturnState from, ReturnAction action);
// The same, throwing ConflictError that names both states and says what is allowed instead.
ReturnState apply_return_action(ReturnState from, ReturnAction action);
// Actions allowed from a state, in enum order (for screens and help).
std::vector<ReturnAction> allowed_return_actions(ReturnState from);

// ---- The case: its multi-agency discussion record ----------------------------------------------
//
//   open --discuss--> discussed --moderate--> moderated --lock--> locked
//                       ^  |discuss            ^  |moderate
//                       +--+                   +--+
//
// A discussion may be recorded once every return of the case is accepted, and amended until the
// case is moderated; moderation may be revised until the case is locked. Locking a case locks its
// returns. Nothing about a locked case changes.
enum class CaseState : std::uint8_t { open, discussed, moderated, locked };
enum class CaseAction : std::uint8_t { discuss, moderate, lock };

std::string_view case_state_name(CaseState s);
std::optional<CaseState> parse_case_state(std::string_view name);
std::string_view case_action_name(CaseAction a);
std::optional<CaseState> next_case_state(CaseState from, CaseAction action);
CaseState apply_case_action(CaseState from, CaseAction action);

// ---- Answers -----------------------------------------------------------------------------------

// What an auditor gave for one question. Grade, yes/no/N/A and choice answers are codes; a date is
// YYYY-MM-DD; text is free text; multi_choice is a list of option codes.
struct AnswerValue {
  std::string text;                // every type but multi_choice
  std::vector<std::string> codes;  // multi_choice only
  bool is_list = false;            // the value was given as a list
};

struct AnswerInput {
  std::string path;  // where it came from, for errors: "$.answers['x.grade']"
  std::string question_id;
  std::optional<AnswerValue> value;  // nullopt: clear a saved answer
  std::vector<std::string> tags;     // themes (template-id charset), at most kMaxTags
};

struct AnswerProblem {
  std::string path;
  std::string message;  // never repeats the value given: it may be case content
};

inline constexpr std::size_t kMaxTextAnswer = 20000;  // characters (UTF-8 bytes)
inline constexpr std::size_t kMaxTags = 10;

// Why a piece of free text (an answer, comment, rationale, reason, learning, concern) cannot be
// stored: not UTF-8, blank, or longer than kMaxTextAnswer. nullopt when it can. Never quotes it.
std::optional<std::string> text_problem(std::string_view text);

// Checks each answer against the template for a return by an agency of `agency_kind`: a known
// question, asked of that kind, not in a section marked not applicable, with a value of its type
// (scale value, option code, yes/no/na, real date, non-blank text within kMaxTextAnswer, valid
// UTF-8) and well-formed tags. Every problem is reported, in input order.
std::vector<AnswerProblem> validate_answers(const Template& t, std::string_view agency_kind,
                                            const std::set<std::string>& not_applicable,
                                            const std::vector<AnswerInput>& answers);

// Section ids that are not sections of the template, or are given twice, as problems at `path`.
std::vector<AnswerProblem> validate_not_applicable(const Template& t, const std::string& path,
                                                   const std::vector<std::string>& sections);

// Required questions asked of `agency_kind`, outside sections marked not applicable, that have no
// answer: what stops a submit. In template order.
std::vector<const Question*> missing_required(const Template& t, std::string_view agency_kind,
                                              const std::set<std::string>& not_applicable,
                                              const std::set<std::string>& answered);

// The questions asked of an agency kind, in template order.
std::vector<const Question*> questions_for(const Template& t, std::string_view agency_kind);

// ---- Moderation --------------------------------------------------------------------------------

// A moderator's rationale is required when the moderated grade differs from the auditor's. Returns
// the problem, or nullopt when the pair is acceptable.
std::optional<std::string> moderation_problem(std::string_view auditor_grade,
                                              std::string_view moderated_grade,
                                              std::string_view rationale);

// ---- Agreement between two reviewers (blind dual review) ---------------------------------------

struct RatingPair {
  std::string first;   // the primary reviewer's code
  std::string second;  // the second reviewer's code
};

struct Agreement {
  std::size_t pairs = 0;
  std::size_t agreed = 0;
  std::optional<double> percent;  // 100 * agreed / pairs; nullopt with no pairs
  // Cohen's kappa (nominal categories: the codes seen in either rating), (po - pe) / (1 - pe).
  // nullopt with no pairs, or when chance agreement is 1 (both reviewers used one and the same
  // code throughout), where kappa is undefined.
  std::optional<double> kappa;
};

Agreement agreement(const std::vector<RatingPair>& pairs);

}  // namespace pathaudit::core
