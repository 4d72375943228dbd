#include "service/collation.h"

#include <Poco/Data/Statement.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "core/errors.h"
#include "service/audits.h"
#include "service/templates.h"
#include "store/actions.h"
#include "store/flags.h"
#include "store/reviews.h"
#include "store/templates.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::service {
namespace {

bool counted(const std::string& state) {
  return state == "accepted" || state == "locked";
}

bool graded_by_reviewer(const std::string& state) {
  return state == "submitted" || state == "resubmitted" || state == "accepted" || state == "locked";
}

struct Loaded {
  AuditRecord audit;
  bool dual_review = false;
  core::Template tmpl;
  std::int64_t cases = 0;
  std::vector<store::ReviewRow> reviews;
  std::map<std::int64_t, std::vector<store::AnswerRow>> answers;  // by review
  std::vector<store::DiscussionRow> discussions;
  std::vector<store::ActionRow> actions;
  std::vector<store::FlagCount> flags;
};

Loaded load(store::Session& s, std::int64_t audit_id) {
  Loaded l;
  l.audit = load_audit(s, audit_id);
  l.dual_review = l.audit.dual_review;
  const auto rec = store::find_template_by_id(s, l.audit.template_id);
  l.tmpl = parse_template(store::template_body(s, l.audit.template_id),
                          rec ? rec->key + "@" + std::to_string(rec->version) : "template");
  s << "SELECT count(*) FROM sample_cases WHERE sample_id = "
       "(SELECT max(id) FROM samples WHERE audit_id = ?)",
      into(l.cases), use(audit_id), now;
  store::ReviewFilter f;
  f.audit_id = audit_id;
  l.reviews = store::list_reviews(s, f);
  for (const auto& r : l.reviews)
    l.answers[r.id] = store::load_answers(s, r.id);
  l.discussions = store::list_discussions(s, audit_id);
  store::ActionFilter af;
  af.audit_id = audit_id;
  l.actions = store::list_actions(s, af);
  l.flags = store::count_flags(s, audit_id);
  return l;
}

Collation build(const Loaded& l, core::Date today) {
  const core::Template& t = l.tmpl;
  Collation c;
  c.audit_id = l.audit.id;
  c.title = l.audit.title;
  c.template_ref = t.key + "@" + std::to_string(t.version);
  c.dual_review = l.dual_review;
  c.cases = l.cases;

  // Stages in template order, with the scale of each stage's grade question.
  std::map<std::string, std::string> stage_of_question, section_of_question;
  std::map<std::string, std::string> stage_of_section;
  for (const core::Stage& st : t.stages)
    c.stages.push_back({st.id, st.title, st.part, t.default_scale});
  for (const core::Section& sec : t.sections) {
    stage_of_section[sec.id] = sec.stage;
    for (const core::Question& q : sec.questions) {
      stage_of_question[q.id] = q.stage;
      section_of_question[q.id] = sec.id;
      if (q.type == core::QuestionType::grade) {
        for (StageInfo& info : c.stages) {
          if (info.id == q.stage)
            info.scale = t.scale_for(q) ? t.scale_for(q)->id : t.default_scale;
        }
      }
    }
  }
  std::map<std::string, std::size_t> stage_order;
  for (std::size_t i = 0; i < c.stages.size(); ++i)
    stage_order[c.stages[i].id] = i;

  // (stage order, agency, grade) -> count.
  std::map<std::tuple<std::size_t, std::string, std::string>, std::int64_t> grades;
  std::set<std::string> agencies;
  // (case, agency, question) -> (slot 1 grade, slot 2 grade), for agreement.
  std::map<std::tuple<std::int64_t, std::string, std::string>, std::pair<std::string, std::string>>
      pairs;
  for (const store::ReviewRow& r : l.reviews) {
    const auto& answers = l.answers.at(r.id);
    if (r.slot == 1) {
      ++c.returns_by_state[r.state];
      agencies.insert(r.agency_code);
    }
    if (r.slot == 1 && counted(r.state)) {
      ++c.returns_counted;
      for (const std::string& section : r.not_applicable) {
        const auto st = stage_order.find(stage_of_section[section]);
        if (st != stage_order.end())
          ++grades[{st->second, r.agency_code, "not_applicable"}];
      }
      for (const store::AnswerRow& a : answers) {
        for (const std::string& tag : a.tags)
          ++c.themes[tag];
        if (a.auditor_grade.empty())
          continue;
        const auto st = stage_order.find(stage_of_question[a.question_id]);
        if (st == stage_order.end())
          continue;
        const std::string& final_grade =
            a.moderated_grade.empty() ? a.auditor_grade : a.moderated_grade;
        ++grades[{st->second, r.agency_code, final_grade}];
        if (!a.moderated_grade.empty()) {
          ++c.grades_moderated;
          c.grades_changed_by_moderation += a.moderated_grade != a.auditor_grade ? 1 : 0;
        }
      }
    }
    if (l.dual_review && graded_by_reviewer(r.state)) {
      for (const store::AnswerRow& a : answers) {
        if (a.auditor_grade.empty())
          continue;
        auto& p = pairs[{r.case_id, r.agency_code, a.question_id}];
        (r.slot == 1 ? p.first : p.second) = a.auditor_grade;
      }
    }
  }
  c.agencies.assign(agencies.begin(), agencies.end());
  for (const auto& [key, n] : grades)
    c.grades.push_back({c.stages[std::get<0>(key)].id, std::get<1>(key), std::get<2>(key), n});

  std::map<std::pair<std::size_t, std::string>, std::int64_t> agreed;
  for (const store::DiscussionRow& d : l.discussions) {
    ++c.cases_by_state[d.state];
    for (const std::string& tag : d.learning_tags)
      ++c.themes[tag];
    for (const auto& [stage, grade] : d.grades) {
      const auto st = stage_order.find(stage);
      if (st != stage_order.end())
        ++agreed[{st->second, grade}];
    }
  }
  for (const auto& [key, n] : agreed)
    c.agreed.push_back({c.stages[key.first].id, "", key.second, n});

  std::map<std::string, FlagTally> flags;
  for (const store::FlagCount& f : l.flags) {
    FlagTally& tally = flags[f.rule_id];
    tally.rule = f.rule_id;
    (f.status == "confirmed"   ? tally.confirmed
     : f.status == "dismissed" ? tally.dismissed
                               : tally.open) += f.count;
  }
  for (auto& [rule, tally] : flags)
    c.flags.push_back(tally);

  std::map<std::string, ActionTally> actions;
  for (const store::ActionRow& a : l.actions) {
    ActionTally& tally = actions[a.owner];
    tally.owner = a.owner;
    ++tally.by_status[a.status];
    const auto due = core::Date::parse_iso(a.due);
    if (due && *due < today && a.status != "done" && a.status != "cancelled") {
      ++tally.overdue;
      ++c.actions_overdue;
    }
  }
  for (auto& [owner, tally] : actions)
    c.actions.push_back(tally);

  // Agreement: per grade question over every (case, agency) both reviewers graded.
  std::map<std::string, std::vector<core::RatingPair>> by_question;
  std::vector<core::RatingPair> all;
  for (const auto& [key, p] : pairs) {
    if (p.first.empty() || p.second.empty())
      continue;
    by_question[std::get<2>(key)].push_back({p.first, p.second});
    all.push_back({p.first, p.second});
  }
  for (const core::Section& sec : t.sections) {
    for (const core::Question& q : sec.questions) {
      const auto it = by_question.find(q.id);
      if (it != by_question.end())
        c.agreement.push_back({q.id, q.stage, core::agreement(it->second)});
    }
  }
  c.overall_agreement = core::agreement(all);
  return c;
}

}  // namespace

Collation collate(Context& ctx, const Principal& who, std::int64_t audit_id) {
  require_qa(who, "collation");
  const Loaded l = ctx.db().read([&](store::Session& s) { return load(s, audit_id); });
  return build(l, ctx.clock().today());
}

AuditComparison compare_audits(Context& ctx, const Principal& who, std::int64_t first,
                               std::int64_t second) {
  require_qa(who, "comparing audits");
  const auto [a, b] = ctx.db().read(
      [&](store::Session& s) { return std::make_pair(load(s, first), load(s, second)); });
  if (a.tmpl.key != b.tmpl.key)
    throw core::ValidationError("audits " + std::to_string(first) + " and " +
                                std::to_string(second) + " use different templates (" + a.tmpl.key +
                                ", " + b.tmpl.key + "): only audits on the same template compare");
  AuditComparison out;
  out.first = build(a, ctx.clock().today());
  out.second = build(b, ctx.clock().today());
  // Per stage: graded returns of every agency by grade, in scale order.
  auto totals = [](const Collation& c) {
    std::map<std::pair<std::string, std::string>, std::int64_t> by;
    std::map<std::string, std::int64_t> stage_total;
    for (const GradeCell& g : c.grades) {
      if (g.grade == "not_applicable")
        continue;
      by[{g.stage, g.grade}] += g.count;
      stage_total[g.stage] += g.count;
    }
    return std::make_pair(by, stage_total);
  };
  const auto [first_by, first_total] = totals(out.first);
  const auto [second_by, second_total] = totals(out.second);
  for (const StageInfo& st : out.first.stages) {
    const core::Scale* scale = a.tmpl.find_scale(st.scale);
    if (!scale)
      continue;
    for (const core::ScaleValue& v : scale->values) {
      StageComparisonRow row{st.id, st.title, v.code};
      auto get = [&](const auto& m, const auto& k) {
        const auto it = m.find(k);
        return it == m.end() ? std::int64_t{0} : it->second;
      };
      row.first_count = get(first_by, std::make_pair(st.id, v.code));
      row.second_count = get(second_by, std::make_pair(st.id, v.code));
      row.first_total = get(first_total, st.id);
      row.second_total = get(second_total, st.id);
      out.rows.push_back(row);
    }
  }
  return out;
}

}  // namespace pathaudit::service
