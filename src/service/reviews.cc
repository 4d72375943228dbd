#include "service/reviews.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <set>

#include "core/errors.h"
#include "service/json_file.h"
#include "service/json_text.h"
#include "service/templates.h"
#include "store/event_facts.h"
#include "store/reviews.h"
#include "store/sealed_fields.h"
#include "store/templates.h"

namespace pathaudit::service {
namespace {

std::string review_object(std::int64_t id) {
  return "review:" + std::to_string(id);
}

std::string case_object(std::int64_t id) {
  return "case:" + std::to_string(id);
}

[[noreturn]] void no_review(std::int64_t id) {
  throw core::NotFoundError("no review " + std::to_string(id) + " (see `pathaudit review list`)");
}

[[noreturn]] void no_case(std::int64_t id) {
  throw core::NotFoundError("no case " + std::to_string(id) +
                            " (see `pathaudit review list`, column case)");
}

void require_case_content(const Principal& who) {
  if (!who.sees_case_content())
    throw core::ForbiddenError("reviews hold case content: they are for QA leads and auditors");
}

// The review, if this principal may reach it. Another auditor's review is "not found", so its
// existence is not revealed.
store::ReviewRow reachable_review(store::Session& s, const Principal& who, std::int64_t id) {
  require_case_content(who);
  auto r = store::find_review(s, id);
  if (!r || (who.is_auditor() && r->user_id != who.user_id))
    no_review(id);
  return *r;
}

// Saving and submitting answers is the assigned auditor's (or the operator's, for bulk loads).
void require_author(const Principal& who, const store::ReviewRow& r) {
  if (who.operator_ || (who.is_auditor() && r.user_id == who.user_id))
    return;
  throw core::ForbiddenError("only the auditor assigned to review " + std::to_string(r.id) +
                             " answers and submits it");
}

core::Template template_of(store::Session& s, std::int64_t template_id) {
  const auto rec = store::find_template_by_id(s, template_id);
  if (!rec)
    throw core::Error("an audit refers to a template that is not stored");
  return parse_template(store::template_body(s, template_id),
                        rec->key + "@" + std::to_string(rec->version));
}

std::string template_ref(store::Session& s, std::int64_t template_id) {
  const auto rec = store::find_template_by_id(s, template_id);
  return rec ? rec->key + "@" + std::to_string(rec->version) : "?";
}

core::ReturnState state_of(const store::ReviewRow& r) {
  const auto st = core::parse_return_state(r.state);
  if (!st)
    throw core::Error("a review in the database has an unknown state");
  return *st;
}

core::CaseState state_of(const store::DiscussionRow& d) {
  const auto st = core::parse_case_state(d.state);
  if (!st)
    throw core::Error("a discussion in the database has an unknown state");
  return *st;
}

crypto::Bytes seal(const crypto::Keyring& k, std::string_view text, const char* table,
                   const char* column, std::int64_t row) {
  return k.seal("field", text, store::sealed_field_aad(table, column, row));
}

// Stored as {"v": VALUE}: the JSON parser wants an object or array at the top.
std::string encode_value(const core::AnswerValue& v) {
  Poco::JSON::Object o;
  if (v.is_list) {
    Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
    for (const std::string& c : v.codes)
      a->add(c);
    o.set("v", a);
  } else {
    o.set("v", v.text);
  }
  return json_text(o);
}

core::AnswerValue decode_value(const std::string& json) {
  const JsonNode node = JsonNode::parse_text(json, "a stored answer").at("v");
  core::AnswerValue v;
  if (node.is_array()) {
    v.is_list = true;
    for (const JsonNode& e : node.elements())
      v.codes.push_back(e.as_string());
  } else {
    v.text = node.as_string();
  }
  return v;
}

std::string summary_problem_lines(const std::vector<std::string>& lines) {
  std::string out;
  const std::size_t shown = std::min<std::size_t>(lines.size(), 100);
  for (std::size_t i = 0; i < shown; ++i)
    out += (i ? "\n" : "") + lines[i];
  if (lines.size() > shown)
    out += "\n... and " + std::to_string(lines.size() - shown) + " more";
  return out;
}

ReviewSummary summarise(const store::ReviewRow& r) {
  return {r.id,       r.case_id, r.audit_id,       r.child_key,  r.agency_code, r.slot,
          r.username, r.state,   r.times_returned, r.updated_at, r.submitted_at};
}

std::set<std::string> answered_ids(const std::vector<store::AnswerRow>& rows) {
  std::set<std::string> out;
  for (const auto& a : rows) {
    if (a.value_sealed)
      out.insert(a.question_id);
  }
  return out;
}

std::vector<std::string> missing_ids(const core::Template& t, const store::ReviewRow& r,
                                     const std::vector<store::AnswerRow>& rows) {
  const std::set<std::string> na(r.not_applicable.begin(), r.not_applicable.end());
  std::vector<std::string> out;
  for (const core::Question* q : core::missing_required(t, r.agency_kind, na, answered_ids(rows)))
    out.push_back(q->id);
  return out;
}

// The transition in the state machine, applied and stored with its audit-log entry.
std::string transition(Context& ctx, store::Session& s, const Principal& who,
                       const store::ReviewRow& r, core::ReturnAction action,
                       const std::string& outcome = "ok") {
  const core::ReturnState to = core::apply_return_action(state_of(r), action);
  const std::string name(core::return_state_name(to));
  store::update_review(s, r.id,
                       {name, ctx.clock().now_utc(), action == core::ReturnAction::send_back});
  audit_as(ctx, s, who, "review." + std::string(core::return_action_name(action)),
           review_object(r.id), outcome);
  return name;
}

}  // namespace

ReviewInputRejected::ReviewInputRejected(std::vector<std::string> lines)
    : core::ValidationError(summary_problem_lines(lines)), lines_(std::move(lines)) {}

std::vector<ReviewSummary> list_reviews(Context& ctx, const Principal& who, const ReviewQuery& q) {
  require_case_content(who);
  if (!q.state.empty() && !core::parse_return_state(q.state))
    throw core::ValidationError(
        "a review state is one of assigned, in_progress, submitted, "
        "returned, resubmitted, accepted, locked");
  return ctx.db().read([&](store::Session& s) {
    store::ReviewFilter f;
    f.audit_id = q.audit_id;
    f.case_id = q.case_id;
    f.state = q.state;
    if (who.is_auditor()) {
      f.user_id = who.user_id;
    } else if (!q.assignee.empty()) {
      const auto p = load_principal(s, q.assignee);
      f.user_id = p.user_id;
    }
    std::vector<ReviewSummary> out;
    for (const auto& r : store::list_reviews(s, f))
      out.push_back(summarise(r));
    return out;
  });
}

ReviewDetail show_review(Context& ctx, const Principal& who, std::int64_t review_id) {
  struct Loaded {
    store::ReviewRow review;
    core::Template tmpl;
    std::string ref;
    std::vector<store::AnswerRow> answers;
    std::vector<store::ConcernRow> concerns;
  };
  Loaded l = ctx.db().read([&](store::Session& s) {
    Loaded out{reachable_review(s, who, review_id), {}, {}, {}, {}};
    out.tmpl = template_of(s, out.review.template_id);
    out.ref = template_ref(s, out.review.template_id);
    out.answers = store::load_answers(s, review_id);
    for (auto& k : store::list_concerns(s, out.review.audit_id, false)) {
      if (k.review_id == review_id)
        out.concerns.push_back(std::move(k));
    }
    return out;
  });
  ReviewDetail d;
  d.summary = summarise(l.review);
  d.template_ref = l.ref;
  d.not_applicable = l.review.not_applicable;
  d.missing_required = missing_ids(l.tmpl, l.review, l.answers);
  const core::ReturnState state = state_of(l.review);
  for (core::ReturnAction a : core::allowed_return_actions(state)) {
    const bool author_action = a == core::ReturnAction::save || a == core::ReturnAction::submit;
    const bool qa_action = a == core::ReturnAction::send_back || a == core::ReturnAction::accept;
    if ((author_action && (who.operator_ || who.is_auditor())) || (qa_action && who.is_qa()))
      d.allowed_actions.emplace_back(core::return_action_name(a));
  }

  std::map<std::string, const store::AnswerRow*> by_question;
  for (const auto& a : l.answers)
    by_question[a.question_id] = &a;
  std::size_t opened = 0;
  for (const core::Section& sec : l.tmpl.sections) {
    for (const core::Question& q : sec.questions) {
      const auto it = by_question.find(q.id);
      if (it == by_question.end())
        continue;
      const store::AnswerRow& a = *it->second;
      AnswerView v;
      v.question_id = q.id;
      v.section_id = sec.id;
      v.stage = q.stage;
      v.type = std::string(core::question_type_name(q.type));
      if (a.value_sealed) {
        v.value = decode_value(ctx.open_field(*a.value_sealed, "answers", "value_sealed", a.id));
        ++opened;
      }
      v.tags = a.tags;
      if (a.comment_sealed) {
        v.comment = ctx.open_field(*a.comment_sealed, "answers", "qa_comment_sealed", a.id);
        ++opened;
      }
      v.moderated_grade = a.moderated_grade;
      if (who.is_qa() && a.rationale_sealed) {
        v.moderation_rationale =
            ctx.open_field(*a.rationale_sealed, "answers", "moderation_rationale_sealed", a.id);
        ++opened;
      }
      d.answers.push_back(std::move(v));
    }
  }
  for (const auto& k : l.concerns) {
    ConcernView c{k.id,        k.review_id,       k.case_id,         k.audit_id,
                  k.child_key, k.agency_code,     k.raised_by,       k.raised_at,
                  k.status,    k.acknowledged_by, k.acknowledged_at, ""};
    if (k.description_sealed && (who.is_qa() || k.raised_by == who.actor())) {
      c.description =
          ctx.open_field(*k.description_sealed, "live_concerns", "description_sealed", k.id);
      ++opened;
    }
    d.concerns.push_back(std::move(c));
  }
  ctx.db().write([&](store::Session& s) {
    audit_as(ctx, s, who, "review.read", review_object(review_id),
             "ok: " + std::to_string(opened) + " fields opened");
  });
  store::FlagFilter filter;
  filter.child_id = l.review.child_id;
  d.flags = flag_report(ctx, who, filter);
  return d;
}

std::vector<FormQuestion> review_form(Context& ctx, const Principal& who, std::int64_t review_id) {
  struct Loaded {
    store::ReviewRow review;
    core::Template tmpl;
    std::vector<store::AnswerRow> answers;
  };
  const Loaded l = ctx.db().read([&](store::Session& s) {
    Loaded out{reachable_review(s, who, review_id), {}, {}};
    out.tmpl = template_of(s, out.review.template_id);
    out.answers = store::load_answers(s, review_id);
    return out;
  });
  std::map<std::string, const store::AnswerRow*> saved;
  for (const auto& a : l.answers)
    saved[a.question_id] = &a;
  std::vector<FormQuestion> out;
  std::size_t opened = 0;
  for (const core::Section& sec : l.tmpl.sections) {
    for (const core::Question& q : sec.questions) {
      if (!q.applies_to.includes(l.review.agency_kind))
        continue;
      FormQuestion f{q.id,
                     sec.id,
                     q.stage,
                     std::string(core::question_type_name(q.type)),
                     q.required,
                     {},
                     q.text,
                     q.help,
                     q.resource.value_or(""),
                     std::nullopt};
      f.section_title = sec.title;
      f.section_description = sec.description;
      for (const core::Stage& st : l.tmpl.stages)
        if (st.id == q.stage)
          f.stage_title = st.title;
      if (q.type == core::QuestionType::grade) {
        if (const core::Scale* sc = l.tmpl.scale_for(q)) {
          for (const auto& v : sc->values) {
            f.choices.push_back(v.code);
            f.choice_labels.push_back(v.label);
          }
        }
      } else if (q.type == core::QuestionType::yes_no_na) {
        f.choices = {"yes", "no", "na"};
        f.choice_labels = {"Yes", "No", "Not applicable"};
      } else {
        for (const auto& o : q.options) {
          f.choices.push_back(o.code);
          f.choice_labels.push_back(o.label);
        }
      }
      const auto it = saved.find(q.id);
      if (it != saved.end() && it->second->value_sealed) {
        f.value = decode_value(
            ctx.open_field(*it->second->value_sealed, "answers", "value_sealed", it->second->id));
        ++opened;
      }
      out.push_back(std::move(f));
    }
  }
  ctx.db().write([&](store::Session& s) {
    audit_as(ctx, s, who, "review.read", review_object(review_id),
             "ok: form, " + std::to_string(opened) + " fields opened");
  });
  return out;
}

SaveResult save_answers(Context& ctx, const Principal& who, std::int64_t review_id,
                        const AnswerSet& set) {
  const auto keyring = ctx.keyring();
  return ctx.db().write([&](store::Session& s) {
    const store::ReviewRow r = reachable_review(s, who, review_id);
    require_author(who, r);
    const core::ReturnState to = core::apply_return_action(state_of(r), core::ReturnAction::save);
    const core::Template t = template_of(s, r.template_id);

    std::vector<std::string> na = set.not_applicable.value_or(r.not_applicable);
    std::vector<std::string> lines;
    if (set.not_applicable) {
      for (const auto& p : core::validate_not_applicable(t, "$.not_applicable", na))
        lines.push_back(set.source + ": " + p.path + ": " + p.message);
    }
    const std::set<std::string> na_set(na.begin(), na.end());
    for (const auto& p : core::validate_answers(t, r.agency_kind, na_set, set.answers))
      lines.push_back(set.source + ": " + p.path + ": " + p.message);
    if (!lines.empty())
      throw ReviewInputRejected(std::move(lines));

    const std::string at = ctx.clock().now_utc();
    SaveResult result;
    std::vector<store::AnswerRow> stored = store::load_answers(s, review_id);
    // Answers saved earlier in sections now marked not applicable are cleared with them.
    if (set.not_applicable) {
      std::map<std::string, std::string> section_of;
      for (const auto& sec : t.sections) {
        for (const auto& q : sec.questions)
          section_of[q.id] = sec.id;
      }
      for (const auto& a : stored) {
        if (a.value_sealed && na_set.count(section_of[a.question_id])) {
          store::set_answer(s, a.id, std::nullopt, "", {}, at);
          ++result.cleared;
        }
      }
      store::set_not_applicable(s, review_id, na, at);
    }
    for (const core::AnswerInput& in : set.answers) {
      const core::Question* q = t.find_question(in.question_id);
      const std::int64_t id = store::answer_row(s, review_id, in.question_id, at);
      if (!in.value) {
        store::set_answer(s, id, std::nullopt, "", {}, at);  // a cleared finding has no themes
        ++result.cleared;
        continue;
      }
      const std::string grade = q->type == core::QuestionType::grade ? in.value->text : "";
      store::set_answer(s, id,
                        seal(*keyring, encode_value(*in.value), "answers", "value_sealed", id),
                        grade, in.tags, at);
      ++result.saved;
    }
    store::prune_answers(s, review_id);
    result.state = std::string(core::return_state_name(to));
    store::update_review(s, review_id, {result.state, at, false});
    stored = store::load_answers(s, review_id);
    store::ReviewRow now = r;
    now.not_applicable = na;
    result.missing_required = missing_ids(t, now, stored);
    audit_as(ctx, s, who, "review.save", review_object(review_id),
             "ok: " + std::to_string(result.saved) + " answers saved, " +
                 std::to_string(result.cleared) + " cleared");
    return result;
  });
}

std::string submit_review(Context& ctx, const Principal& who, std::int64_t review_id) {
  return ctx.db().write([&](store::Session& s) {
    const store::ReviewRow r = reachable_review(s, who, review_id);
    require_author(who, r);
    core::apply_return_action(state_of(r), core::ReturnAction::submit);  // state first
    const core::Template t = template_of(s, r.template_id);
    const auto missing = missing_ids(t, r, store::load_answers(s, review_id));
    if (!missing.empty()) {
      std::vector<std::string> lines;
      for (const auto& id : missing)
        lines.push_back("review " + std::to_string(review_id) + ": " + id +
                        ": required, not answered (answer it, or mark its section not "
                        "applicable)");
      throw ReviewInputRejected(std::move(lines));
    }
    return transition(ctx, s, who, r, core::ReturnAction::submit);
  });
}

std::string return_review(Context& ctx, const Principal& who, std::int64_t review_id,
                          const std::map<std::string, std::string>& comments) {
  require_qa(who, "returning a review");
  if (comments.empty())
    throw core::ValidationError("a review is returned with a comment on at least one question");
  const auto keyring = ctx.keyring();
  return ctx.db().write([&](store::Session& s) {
    const store::ReviewRow r = reachable_review(s, who, review_id);
    core::apply_return_action(state_of(r), core::ReturnAction::send_back);
    const core::Template t = template_of(s, r.template_id);
    std::vector<std::string> lines;
    for (const auto& [id, text] : comments) {
      const core::Question* q = t.find_question(id);
      const std::string at = "$.comments['" + id + "']: ";
      if (!q)
        lines.push_back(at + "not a question of the review's template");
      else if (!q->applies_to.includes(r.agency_kind))
        lines.push_back(at + "not asked of " + r.agency_kind + " agencies");
      else if (auto why = core::text_problem(text))
        lines.push_back(at + *why);
    }
    if (!lines.empty())
      throw ReviewInputRejected(std::move(lines));
    const std::string at = ctx.clock().now_utc();
    store::clear_comments(s, review_id);
    for (const auto& [id, text] : comments) {
      const std::int64_t row = store::answer_row(s, review_id, id, at);
      store::set_answer_comment(s, row, seal(*keyring, text, "answers", "qa_comment_sealed", row));
    }
    return transition(ctx, s, who, r, core::ReturnAction::send_back,
                      "ok: " + std::to_string(comments.size()) + " comments");
  });
}

std::string accept_review(Context& ctx, const Principal& who, std::int64_t review_id) {
  require_qa(who, "accepting a review");
  return ctx.db().write([&](store::Session& s) {
    const store::ReviewRow r = reachable_review(s, who, review_id);
    return transition(ctx, s, who, r, core::ReturnAction::accept);
  });
}

void decide_flag(Context& ctx, const Principal& who, std::int64_t review_id, std::int64_t flag_id,
                 const std::string& status, const std::string& reason) {
  ctx.db().read([&](store::Session& s) {
    const store::ReviewRow r = reachable_review(s, who, review_id);
    if (r.state == "locked")
      throw core::ConflictError("review " + std::to_string(review_id) +
                                " is locked: its case's flags can no longer be decided from it");
    const auto f = store::find_flag(s, flag_id);
    if (!f || f->child_id != r.child_id)
      throw core::NotFoundError("no flag " + std::to_string(flag_id) + " on review " +
                                std::to_string(review_id) +
                                "'s case (see `pathaudit review show`)");
  });
  review_flag(ctx, who, flag_id, status, reason);
}

// ---- The case ----------------------------------------------------------------------------------

namespace {

struct CaseData {
  store::DiscussionRow discussion;
  std::vector<store::ReviewRow> returns;
};

CaseData load_case(store::Session& s, const Principal& who, std::int64_t case_id,
                   const char* what) {
  require_qa(who, what);
  auto d = store::find_discussion(s, case_id);
  if (!d)
    no_case(case_id);
  store::ReviewFilter f;
  f.case_id = case_id;
  return {*d, store::list_reviews(s, f)};
}

void set_case_state(Context& ctx, store::Session& s, const Principal& who, const CaseData& c,
                    core::CaseAction action, const std::string& outcome) {
  const core::CaseState to = core::apply_case_action(state_of(c.discussion), action);
  store::set_discussion_state(s, c.discussion.id, std::string(core::case_state_name(to)),
                              ctx.clock().now_utc());
  audit_as(ctx, s, who, "case." + std::string(core::case_action_name(action)),
           case_object(c.discussion.case_id), outcome);
}

}  // namespace

CaseDetail show_case(Context& ctx, const Principal& who, std::int64_t case_id) {
  const CaseData c =
      ctx.db().read([&](store::Session& s) { return load_case(s, who, case_id, "a case"); });
  CaseDetail d;
  const auto& dis = c.discussion;
  d.case_id = dis.case_id;
  d.audit_id = dis.audit_id;
  d.child_key = dis.child_key;
  d.state = dis.state;
  d.owner = dis.owner;
  d.held_on = dis.held_on;
  d.attendees = dis.attendees;
  d.agreed_grades = dis.grades;
  d.learning_tags = dis.learning_tags;
  d.learning_board_safe = dis.learning_board_safe;
  if (dis.learning_sealed)
    d.learning = ctx.open_field(*dis.learning_sealed, "discussions", "learning_sealed", dis.id);
  for (const auto& r : c.returns)
    d.returns.push_back({r.id, r.agency_code, r.slot, r.state});
  ctx.db().write([&](store::Session& s) {
    audit_as(ctx, s, who, "case.read", case_object(case_id),
             std::string("ok: ") + (dis.learning_sealed ? "1 field opened" : "0 fields opened"));
  });
  return d;
}

DiscussionResult record_discussion(Context& ctx, const Principal& who, std::int64_t case_id,
                                   const DiscussionInput& in) {
  const auto keyring = ctx.keyring();
  return ctx.db().write([&](store::Session& s) {
    const CaseData c = load_case(s, who, case_id, "recording a multi-agency discussion");
    const core::CaseState to =
        core::apply_case_action(state_of(c.discussion), core::CaseAction::discuss);
    std::vector<std::string> waiting;
    for (const auto& r : c.returns) {
      if (r.state != "accepted")
        waiting.push_back("review " + std::to_string(r.id) + " (" + r.agency_code +
                          (r.slot == 2 ? ", second review" : "") + ") is " + r.state);
    }
    if (c.returns.empty())
      waiting.push_back("the case has no returns (run `pathaudit assign`)");
    if (!waiting.empty()) {
      std::string message = "case " + std::to_string(case_id) +
                            " cannot be discussed until every return is accepted: ";
      for (std::size_t i = 0; i < waiting.size(); ++i)
        message += (i ? "; " : "") + waiting[i];
      throw core::ConflictError(message);
    }

    const core::Template t = template_of(s, c.discussion.template_id);
    const auto agencies = store::load_agencies(s);
    std::vector<std::string> lines;
    auto problem = [&](const std::string& path, const std::string& m) {
      lines.push_back(in.source + ": " + path + ": " + m);
    };
    std::set<std::string> seen;
    for (std::size_t i = 0; i < in.attendees.size(); ++i) {
      if (!agencies.id_of(in.attendees[i]))
        problem("$.attendees[" + std::to_string(i) + "]",
                "expected an agency code of the partnership");
      else if (!seen.insert(in.attendees[i]).second)
        problem("$.attendees[" + std::to_string(i) + "]", "agency given twice");
    }
    const core::Scale* scale = t.find_scale(t.default_scale);
    for (const auto& [stage, grade] : in.grades) {
      if (!t.find_stage(stage))
        problem("$.grades['" + stage + "']",
                "not a stage of template " + t.key + "@" + std::to_string(t.version));
      else if (!scale || !scale->find(grade))
        problem("$.grades['" + stage + "']",
                "expected a grade on the " + t.default_scale + " scale");
    }
    for (const NewAction& a : in.actions) {
      for (const std::string& p : action_problems(s, a))
        lines.push_back(in.source + ": " + p);
    }
    if (!lines.empty())
      throw ReviewInputRejected(std::move(lines));

    const std::string at = ctx.clock().now_utc();
    store::record_discussion(
        s, c.discussion.id,
        {in.held_on, in.attendees, in.learning_tags, in.learning_board_safe, in.grades, at});
    store::set_discussion_learning(
        s, c.discussion.id,
        seal(*keyring, in.learning, "discussions", "learning_sealed", c.discussion.id));
    DiscussionResult result;
    result.state = std::string(core::case_state_name(to));
    for (const NewAction& a : in.actions) {
      insert_action(ctx, s, *keyring, who, c.discussion.audit_id, case_id, a);
      ++result.actions_added;
    }
    audit_as(ctx, s, who, "case.discuss", case_object(case_id),
             "ok: " + std::to_string(in.attendees.size()) + " agencies, " +
                 std::to_string(in.grades.size()) + " agreed grades, " +
                 std::to_string(result.actions_added) + " actions");
    return result;
  });
}

ModerationResult moderate_case(Context& ctx, const Principal& who, std::int64_t case_id,
                               const std::vector<ModerationEntry>& entries) {
  const auto keyring = ctx.keyring();
  return ctx.db().write([&](store::Session& s) {
    const CaseData c = load_case(s, who, case_id, "moderation");
    core::apply_case_action(state_of(c.discussion), core::CaseAction::moderate);
    const core::Template t = template_of(s, c.discussion.template_id);

    // Every graded answer of the case's primary returns: (review, question) -> answer.
    std::map<std::pair<std::int64_t, std::string>, store::AnswerRow> graded;
    for (const auto& r : c.returns) {
      if (r.slot != 1)
        continue;
      for (auto& a : store::load_answers(s, r.id)) {
        if (!a.auditor_grade.empty())
          graded.emplace(std::make_pair(r.id, a.question_id), std::move(a));
      }
    }
    std::vector<std::string> lines;
    std::map<std::pair<std::int64_t, std::string>, const ModerationEntry*> given;
    for (const ModerationEntry& m : entries) {
      auto problem = [&](const std::string& msg) { lines.push_back(m.path + ": " + msg); };
      const auto key = std::make_pair(m.review_id, m.question_id);
      const auto it = graded.find(key);
      if (it == graded.end()) {
        problem("review " + std::to_string(m.review_id) + " of case " + std::to_string(case_id) +
                " has no auditor's grade for " + m.question_id);
        continue;
      }
      if (!given.emplace(key, &m).second) {
        problem("this grade is moderated twice");
        continue;
      }
      const core::Question* q = t.find_question(m.question_id);
      const core::Scale* scale = q ? t.scale_for(*q) : nullptr;
      if (!scale || !scale->find(m.grade)) {
        problem("expected a grade on the " + (scale ? scale->id : std::string("?")) + " scale");
        continue;
      }
      if (!m.rationale.empty()) {
        if (auto why = core::text_problem(m.rationale)) {
          problem("rationale: " + *why);
          continue;
        }
      }
      if (auto why = core::moderation_problem(it->second.auditor_grade, m.grade, m.rationale))
        problem(*why);
    }
    if (!lines.empty())
      throw ReviewInputRejected(std::move(lines));

    const std::string at = ctx.clock().now_utc();
    ModerationResult result;
    for (const auto& [key, a] : graded) {
      const auto g = given.find(key);
      std::string grade;
      if (g != given.end()) {
        grade = g->second->grade;
        std::optional<crypto::Bytes> rationale;
        if (!g->second->rationale.empty())
          rationale =
              seal(*keyring, g->second->rationale, "answers", "moderation_rationale_sealed", a.id);
        store::set_moderation(s, a.id, grade, who.actor(), rationale, at);
      } else if (!a.moderated_grade.empty()) {
        grade = a.moderated_grade;  // moderated earlier and not revisited: it stands
      } else {
        grade = a.auditor_grade;  // not listed: moderated as the auditor gave it
        store::set_moderation(s, a.id, grade, who.actor(), std::nullopt, at);
      }
      ++result.grades;
      result.changed += grade != a.auditor_grade ? 1 : 0;
    }
    set_case_state(ctx, s, who, c, core::CaseAction::moderate,
                   "ok: " + std::to_string(result.grades) + " grades, " +
                       std::to_string(result.changed) + " changed");
    return result;
  });
}

void lock_case(Context& ctx, const Principal& who, std::int64_t case_id) {
  ctx.db().write([&](store::Session& s) {
    const CaseData c = load_case(s, who, case_id, "locking a case");
    core::apply_case_action(state_of(c.discussion), core::CaseAction::lock);
    for (const auto& r : c.returns)
      transition(ctx, s, who, r, core::ReturnAction::lock);
    set_case_state(ctx, s, who, c, core::CaseAction::lock,
                   "ok: " + std::to_string(c.returns.size()) + " returns locked");
  });
}

// ---- Live safeguarding concerns ----------------------------------------------------------------

ConcernRaised raise_concern(Context& ctx, const Principal& who, std::int64_t review_id,
                            const std::string& description) {
  if (auto why = core::text_problem(description))
    throw core::ValidationError("the concern's description: " + *why);
  const auto keyring = ctx.keyring();
  return ctx.db().write([&](store::Session& s) {
    reachable_review(s, who, review_id);
    const auto [id, notified] =
        store::insert_concern(s, review_id, who.actor(), ctx.clock().now_utc());
    store::set_concern_description(
        s, id, seal(*keyring, description, "live_concerns", "description_sealed", id));
    audit_as(ctx, s, who, "concern.raise", "live_concern:" + std::to_string(id),
             "ok: review " + std::to_string(review_id) + ", " + std::to_string(notified) +
                 " QA leads notified");
    return ConcernRaised{id, notified};
  });
}

std::vector<ConcernView> list_concerns(Context& ctx, const Principal& who, std::int64_t audit_id,
                                       bool open_only) {
  require_qa(who, "the list of live safeguarding concerns");
  const auto rows = ctx.db().read(
      [&](store::Session& s) { return store::list_concerns(s, audit_id, open_only); });
  std::vector<ConcernView> out;
  for (const auto& k : rows) {
    ConcernView c{k.id,        k.review_id,       k.case_id,         k.audit_id,
                  k.child_key, k.agency_code,     k.raised_by,       k.raised_at,
                  k.status,    k.acknowledged_by, k.acknowledged_at, ""};
    if (k.description_sealed)
      c.description =
          ctx.open_field(*k.description_sealed, "live_concerns", "description_sealed", k.id);
    out.push_back(std::move(c));
  }
  ctx.db().write([&](store::Session& s) {
    if (!who.operator_)
      store::mark_notifications_read(s, who.user_id, ctx.clock().now_utc());
    audit_as(ctx, s, who, "concern.read",
             audit_id ? "audit:" + std::to_string(audit_id) : std::string("live_concerns"),
             "ok: " + std::to_string(out.size()) + " concerns opened");
  });
  return out;
}

std::int64_t unread_concerns(Context& ctx, const Principal& who) {
  if (who.operator_ || who.role != "qa_lead")
    return 0;
  return ctx.db().read([&](store::Session& s) {
    return static_cast<std::int64_t>(store::unread_notifications(s, who.user_id).size());
  });
}

void acknowledge_concern(Context& ctx, const Principal& who, std::int64_t concern_id) {
  require_qa(who, "acknowledging a live safeguarding concern");
  ctx.db().write([&](store::Session& s) {
    const auto k = store::find_concern(s, concern_id);
    if (!k)
      throw core::NotFoundError("no live safeguarding concern " + std::to_string(concern_id));
    if (k->status == "acknowledged")
      throw core::ConflictError("concern " + std::to_string(concern_id) + " was acknowledged by " +
                                k->acknowledged_by + " at " + k->acknowledged_at);
    store::acknowledge_concern(s, concern_id, who.actor(), ctx.clock().now_utc());
    audit_as(ctx, s, who, "concern.acknowledge", "live_concern:" + std::to_string(concern_id));
  });
}

}  // namespace pathaudit::service
