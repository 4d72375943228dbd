#include "service/exports.h"

#include <Poco/Data/Statement.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/errors.h"
#include "core/review.h"
#include "crypto/hash.h"
#include "export/board_workbook.h"
#include "export/csv_writer.h"
#include "export/xlsx.h"
#include "service/actions.h"
#include "service/audits.h"
#include "service/collation.h"
#include "service/files.h"
#include "service/input_error.h"
#include "service/metrics.h"
#include "service/reference_data.h"
#include "service/rule_set_file.h"
#include "service/templates.h"
#include "store/actions.h"
#include "store/event_facts.h"
#include "store/exports.h"
#include "store/flags.h"
#include "store/reviews.h"
#include "store/sealed_fields.h"
#include "store/templates.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::service {
namespace {

using exports::Cell;
using exports::CountTable;
using exports::Profile;
using exports::ProtectedTable;

constexpr std::size_t kMaxReason = 500;

std::string export_dir(const Context& ctx) {
  return ctx.settings().data_dir() + "/exports";
}

std::string extension(const std::string& kind) {
  return kind == "csv" ? "csv" : "xlsx";
}

std::string role_of(const Principal& who) {
  return who.operator_ ? std::string("operator (command line)") : who.role;
}

// A protected count as the words of a sentence: "12", or the suppression symbol.
std::string cell_text(const Cell& c, Profile p) {
  return c.suppressed() ? std::string(exports::suppression_symbol(p)) : std::to_string(*c.shown);
}

// An ISO timestamp `hours` after `at` (both "YYYY-MM-DDTHH:MM:SSZ").
std::string hours_after(const std::string& at, int hours) {
  std::tm tm{};
  if (!strptime(at.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm))
    return at;
  const std::time_t t = timegm(&tm) + static_cast<std::time_t>(hours) * 3600;
  std::tm out{};
  gmtime_r(&t, &out);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &out);
  return buf;
}

// ---- The board report -------------------------------------------------------------------------

struct PopulationFlags {
  std::map<std::string, std::map<int, std::int64_t>> by_rule_agency;  // rule -> agency -> count
  std::map<std::string, std::int64_t> timescale_checks;
  std::int64_t children = 0;
};

// The rule set run over the children of one audit's population: the flags a board sees are those
// of the population, not only of the sampled cases, counted from the same engine the stored flags
// come from. Flags and checks belong to the audit when the event they are measured from (the
// first of a flag's evidence) falls in its period, so two audits of different periods compare
// like with like. Fed child by child from the board's single pass over the events.
class PopulationCount {
 public:
  PopulationCount(store::Session& s, const AuditRecord& audit) : audit_(audit), filter_(s, audit) {
    stats_.count_from = audit.period_start;
    stats_.count_to = audit.period_end;
  }

  void add_child(std::int64_t child, const std::vector<core::Event>& events,
                 const core::RuleEngine& engine) {
    if (!filter_.member(child, events))
      return;
    ++out_.children;
    found_.clear();
    engine.evaluate(events, found_, stats_);
    if (found_.empty())
      return;
    date_of_.clear();
    for (const core::Event& e : events)
      date_of_[e.id] = e.date;
    for (const core::Flag& f : found_) {
      if (f.evidence.empty())
        continue;
      const core::Date first = date_of_.at(f.evidence.front());
      if (first >= audit_.period_start && first <= audit_.period_end)
        ++out_.by_rule_agency[f.rule->id][f.agency];
    }
  }

  PopulationFlags finish() {
    out_.timescale_checks = stats_.timescale_checks;
    return std::move(out_);
  }

 private:
  const AuditRecord& audit_;
  PopulationFilter filter_;
  core::EvaluationStats stats_;
  PopulationFlags out_;
  std::vector<core::Flag> found_;
  std::unordered_map<std::int64_t, core::Date> date_of_;
};

std::vector<std::string> grade_columns(const core::Template& t, const Collation& c) {
  std::vector<std::string> out;
  if (const core::Scale* scale = t.find_scale(t.default_scale)) {
    for (const auto& v : scale->values)
      out.push_back(v.code);
  }
  for (const GradeCell& g : c.grades) {
    if (g.grade != "not_applicable" && std::find(out.begin(), out.end(), g.grade) == out.end())
      out.push_back(g.grade);
  }
  return out;
}

std::string grade_label(const core::Template& t, const std::string& code) {
  for (const core::Scale& s : t.scales) {
    if (const core::ScaleValue* v = s.find(code))
      return v->label;
  }
  return code;
}

struct BoardInputs {
  AuditRecord audit;
  core::Template tmpl;
  std::string partnership;
  core::AgencyDirectory agencies;
  core::RuleSet rules;
  PopulationFlags flags;
  std::optional<AuditRecord> previous;
  PopulationFlags previous_flags;
  MetricsReport metrics;
  std::vector<store::DiscussionRow> discussions;
  std::vector<store::ActionRow> actions;
  std::int64_t sample_size = 0;
  std::string sample_method;
};

// Everything the board workbook shows but the collation, read in one transaction. The events are
// read once: each child's feed the audit's population flags, the previous audit's, and the
// baseline measures over the audit's quarters. (Three separate passes made the export's time
// follow the partnership's size three times over.)
BoardInputs load_board_inputs(Context& ctx, const Principal& who, store::Session& s,
                              std::int64_t audit_id) {
  BoardInputs in;
  in.audit = load_audit(s, audit_id);
  const auto rec = store::find_template_by_id(s, in.audit.template_id);
  in.tmpl = parse_template(store::template_body(s, in.audit.template_id),
                           rec ? rec->key + "@" + std::to_string(rec->version) : "template");
  s << "SELECT name FROM partnership WHERE id = 1", into(in.partnership), now;
  in.agencies = store::load_agencies(s);
  in.rules = load_rule_set(rule_set_path(ctx.settings()));
  MetricsOptions mo;
  mo.from = in.audit.period_start.iso();
  mo.to = in.audit.period_end.iso();
  MetricsPass metrics(ctx, who, mo, in.agencies);
  // The previous audit on the same template: the latest created before this one.
  in.previous = previous_audit(s, in.audit);
  PopulationCount current(s, in.audit);
  std::optional<PopulationCount> previous;
  if (in.previous)
    previous.emplace(s, *in.previous);
  const store::LinkedEvents linked = store::read_linked_events(s, in.agencies);
  if (const auto& horizon = linked.latest_event_date()) {
    const core::WorkingDayCalendar calendar =
        load_calendar(calendar_path(ctx.settings(), in.rules.calendar));
    const core::RuleEngine engine(in.rules, calendar, in.agencies, *horizon);
    std::vector<core::Event> events;
    for (std::size_t i = 0; i < linked.child_count(); ++i) {
      const std::int64_t child = linked.child(i, events);
      metrics.add_child(events);
      current.add_child(child, events, engine);
      if (previous)
        previous->add_child(child, events, engine);
    }
  }
  in.flags = current.finish();
  if (previous)
    in.previous_flags = previous->finish();
  in.metrics = metrics.finish();
  in.discussions = store::list_discussions(s, audit_id);
  store::ActionFilter f;
  f.audit_id = audit_id;
  in.actions = store::list_actions(s, f);
  std::int64_t id = audit_id;
  s << "SELECT coalesce(max(size), 0), coalesce(max(method), '') FROM samples WHERE id = "
       "(SELECT max(id) FROM samples WHERE audit_id = ?)",
      into(in.sample_size), into(in.sample_method), use(id), now;
  return in;
}

exports::BoardReport build_board(Context& ctx, const Principal& who, const BoardInputs& in,
                                 const Collation& c, Profile p, const ExportManifest& m,
                                 const std::string& reason, std::size_t& learning_opened) {
  const MetricsReport& metrics = in.metrics;
  exports::BoardReport r;
  r.profile = p;
  const core::Template& t = in.tmpl;
  const std::string period = in.audit.period_start.iso() + " to " + in.audit.period_end.iso();
  r.properties.title = "Audit " + std::to_string(in.audit.id) + ": " + in.audit.title;
  r.properties.subject = "CSA Response Pathway audit: board workbook";
  r.properties.author = "pathaudit";
  r.properties.company = in.partnership;
  r.properties.comments = "Disclosure controlled (" + std::string(exports::profile_name(p)) +
                          "): " + exports::profile_rule(p);
  r.properties.keywords = "audit, board, disclosure controlled";

  auto count = [&](std::int64_t n) { return exports::protect_count(n, p); };
  const Cell sampled = count(c.cases);
  r.cover = {
      {"Partnership", in.partnership},
      {"Audit", std::to_string(in.audit.id) + ": " + in.audit.title},
      {"Period", period},
      {"Review template", t.key + " version " + std::to_string(t.version) + " (stage list " +
                              t.pathway.stage_list + ")"},
      {"Sample", cell_text(sampled, p) + " cases, drawn at random (" + in.sample_method + ")"},
      {"Generated at", m.created_at + " (UTC)"},
      {"Generated by role", role_of(who)},
      {"Reason for this export", reason},
      {"Disclosure control",
       std::string(exports::profile_name(p)) + ": " + exports::profile_rule(p)},
      {"Manifest id", std::to_string(m.id)},
      {"File integrity",
       "The SHA-256 of this file is recorded in pathaudit's audit log against manifest " +
           std::to_string(m.id) + "."},
  };

  // Summary headlines: figures that appear nowhere else, or the very cell shown elsewhere, so no
  // sheet can give away what another hides.
  std::int64_t confirmed = 0;
  for (const FlagTally& f : c.flags)
    confirmed += f.confirmed;
  r.headlines = {
      {"Children in the audit's population", count(in.flags.children)},
      {"Cases sampled", sampled},
      {"Cases locked after moderation",
       count(c.cases_by_state.count("locked") ? c.cases_by_state.at("locked") : 0)},
      {"Flags on sampled cases confirmed by auditors", count(confirmed)},
  };

  // Grades: stage x grade over every agency, and agency x grade over every stage.
  const std::vector<std::string> grades = grade_columns(t, c);
  std::vector<std::string> grade_labels;
  for (const auto& g : grades)
    grade_labels.push_back(grade_label(t, g));
  auto column_of = [&](const std::string& grade) -> std::optional<std::size_t> {
    if (grade == "not_applicable")
      return grades.size();
    const auto it = std::find(grades.begin(), grades.end(), grade);
    if (it == grades.end())
      return std::nullopt;
    return static_cast<std::size_t>(it - grades.begin());
  };
  CountTable stages;
  stages.columns = grade_labels;
  stages.columns.push_back("Not applicable");
  std::map<std::string, std::size_t> stage_row;
  for (const StageInfo& st : c.stages) {
    stage_row[st.id] = stages.rows.size();
    stages.rows.push_back(st.id);
    r.stage_titles.push_back(st.title);
    stages.counts.emplace_back(stages.columns.size(), 0);
  }
  CountTable by_agency;
  by_agency.columns = stages.columns;
  std::map<std::string, std::size_t> agency_row;
  for (const std::string& code : c.agencies) {
    agency_row[code] = by_agency.rows.size();
    by_agency.rows.push_back(code);
    const auto id = in.agencies.id_of(code);
    const core::Agency* a = id ? in.agencies.find(*id) : nullptr;
    r.agency_names.push_back(a ? a->name : code);
    by_agency.counts.emplace_back(by_agency.columns.size(), 0);
  }
  CountTable overall;
  overall.rows = {"All stages"};
  overall.columns = grade_labels;
  overall.counts.emplace_back(grades.size(), 0);
  for (const GradeCell& g : c.grades) {
    const auto col = column_of(g.grade);
    if (!col)
      continue;
    stages.counts[stage_row.at(g.stage)][*col] += g.count;
    if (agency_row.count(g.agency))
      by_agency.counts[agency_row.at(g.agency)][*col] += g.count;
    if (*col < grades.size())
      overall.counts[0][*col] += g.count;
  }
  r.graded_columns = grades.size();
  // Stages and agencies break the same grades down two ways and share their totals: protected
  // together, so neither shows a total the other hides. The summary's row is those very totals.
  auto both = exports::protect_together({stages, by_agency}, p);
  r.stages = std::move(both[0]);
  r.agencies = std::move(both[1]);
  r.overall_grades.rows = overall.rows;
  r.overall_grades.columns = overall.columns;
  r.overall_grades.cells = {std::vector<Cell>(
      r.stages.column_totals.begin(),
      r.stages.column_totals.begin() + static_cast<std::ptrdiff_t>(grades.size()))};
  r.overall_grades.column_totals = r.overall_grades.cells[0];
  // Every stage's grades together: the grand total less the not-applicable total, when both show.
  Cell graded = r.stages.grand_total;
  const Cell& na = r.stages.column_totals[grades.size()];
  if (graded.shown && na.shown)
    *graded.shown -= *na.shown;
  else
    graded.shown.reset();
  r.overall_grades.row_totals = {graded};
  r.overall_grades.grand_total = graded;

  // Flags: rule x agency for the population, with the previous audit's totals.
  CountTable flags;
  std::vector<int> flag_agencies;
  for (const auto& [id, a] : in.agencies.all())
    flag_agencies.push_back(id);
  std::sort(flag_agencies.begin(), flag_agencies.end(),
            [&](int a, int b) { return in.agencies.code(a) < in.agencies.code(b); });
  for (int a : flag_agencies)
    flags.columns.push_back(in.agencies.code(a));
  for (const core::Rule& rule : in.rules.rules) {
    flags.rows.push_back(rule.id);
    r.rule_titles.push_back(rule.title);
    std::vector<std::int64_t> row;
    const auto it = in.flags.by_rule_agency.find(rule.id);
    for (int a : flag_agencies) {
      std::int64_t n = 0;
      if (it != in.flags.by_rule_agency.end() && it->second.count(a))
        n = it->second.at(a);
      row.push_back(n);
    }
    flags.counts.push_back(std::move(row));
  }
  r.flags = exports::protect(flags, p);
  r.headlines.push_back({"Flags raised for the population in the period", r.flags.grand_total});
  if (in.previous) {
    r.previous_audit = std::to_string(in.previous->id) + ": " + in.previous->title + " (" +
                       in.previous->period_start.iso() + " to " + in.previous->period_end.iso() +
                       ")";
    // The previous audit's table protected as its own workbook protected it, so its totals hide
    // exactly what that workbook hid.
    CountTable before = flags;
    for (std::size_t i = 0; i < in.rules.rules.size(); ++i) {
      const auto it = in.previous_flags.by_rule_agency.find(in.rules.rules[i].id);
      for (std::size_t a = 0; a < flag_agencies.size(); ++a) {
        std::int64_t n = 0;
        if (it != in.previous_flags.by_rule_agency.end() && it->second.count(flag_agencies[a]))
          n = it->second.at(flag_agencies[a]);
        before.counts[i][a] = n;
      }
    }
    r.previous_totals = exports::protect(before, p).row_totals;
  }

  // Timeliness: of the checks whose outcome is known, on time and late. Late is each rule's flag
  // total, so it is the very cell the Flags sheet shows (or hides); on time and checks are then
  // hidden with it, or together, so that none follows from the other two.
  for (std::size_t i = 0; i < in.rules.rules.size(); ++i) {
    const core::Rule& rule = in.rules.rules[i];
    const auto checks = in.flags.timescale_checks.find(rule.id);
    if (checks == in.flags.timescale_checks.end())
      continue;
    const Cell late = r.flags.row_totals[i];
    std::int64_t true_late = 0;
    for (std::int64_t n : flags.counts[i])
      true_late += n;
    const std::int64_t on_time_count = std::max<std::int64_t>(0, checks->second - true_late);
    Cell on_time = count(on_time_count), all = count(checks->second);
    auto hide = [](Cell& cell) {
      cell.shown.reset();
      cell.exact = false;
    };
    if (!late.suppressed()) {
      // With late known, on time and checks stand or fall together.
      if (on_time.suppressed() != all.suppressed()) {
        hide(on_time);
        hide(all);
      }
    } else if (!on_time.suppressed() && !all.suppressed()) {
      hide(on_time);  // else late = checks - on time
    }
    r.timeliness.push_back({rule.id, rule.title, rule.basis, on_time, late, all,
                            exports::protected_percent(on_time, all)});
  }

  // Baseline measures.
  std::map<std::string, const MeasureSummary*> measures;
  for (const MeasureSummary& ms : metrics.measures)
    measures[ms.id] = &ms;
  for (const core::MetricRow& row : metrics.rows) {
    const MeasureSummary* ms = measures.count(row.measure) ? measures.at(row.measure) : nullptr;
    exports::BoardReport::Measure out;
    out.id = row.measure;
    out.title = ms ? ms->title : row.measure;
    out.quarter = row.quarter.label();
    out.proportion = row.denominator.has_value();
    out.complete = metrics.last_event && row.quarter.last_day() <= *metrics.last_event;
    out.value = count(row.numerator);
    if (row.denominator) {
      out.denominator = count(*row.denominator);
      out.percent = exports::protected_percent(out.value, out.denominator);
    }
    r.baseline.push_back(std::move(out));
  }

  // Actions: owner x status, overdue apart, and the lines without their wording.
  CountTable actions;
  actions.columns = action_statuses();
  std::map<std::string, std::size_t> owner_row;
  std::vector<std::int64_t> overdue;
  for (const ActionTally& a : c.actions) {
    owner_row[a.owner] = actions.rows.size();
    actions.rows.push_back(a.owner.empty() ? "(none)" : a.owner);
    std::vector<std::int64_t> row;
    for (const std::string& status : actions.columns)
      row.push_back(a.by_status.count(status) ? a.by_status.at(status) : 0);
    actions.counts.push_back(std::move(row));
    overdue.push_back(a.overdue);
  }
  r.actions = exports::protect(actions, p);
  for (std::int64_t n : overdue)
    r.overdue.push_back(count(n));
  // Learning marked board-safe: opened here, and counted in the export's audit-log entry.
  for (const store::DiscussionRow& d : in.discussions) {
    if (!d.learning_board_safe || !d.learning_sealed)
      continue;
    std::string themes;
    for (const std::string& tag : d.learning_tags)
      themes += (themes.empty() ? "" : ", ") + tag;
    r.learning.push_back(
        {ctx.open_field(*d.learning_sealed, "discussions", "learning_sealed", d.id), themes});
    ++learning_opened;
  }

  // Notes and definitions.
  const std::string symbol(exports::suppression_symbol(p));
  r.notes = {
      {"Disclosure control", exports::profile_rule(p)},
      {symbol,
       "A count too small to show, or one suppressed so that a small count cannot be "
       "worked out from the totals."},
      {"Percentages",
       "Shown only where both the count and the total it is a share of are "
       "shown; blank otherwise."},
      {"Population",
       "Children with at least one event in the audit period that match the "
       "audit's scope."},
      {"Grade",
       "The moderated grade where a QA lead moderated the case, otherwise the "
       "auditor's grade; counted from agency returns a QA lead accepted."},
      {"Not applicable",
       "A stage an agency's auditor marked not applicable to their agency's "
       "involvement with the case."},
      {"Flag",
       "A pattern in the agencies' records that an audit would look at; not a finding "
       "until an auditor confirms it."},
      {"Timeliness",
       "Statutory and local timescale checks whose outcome is known by the date "
       "the data ends; checks still open are not counted."},
      {"Overdue action", "An action past its due date that is neither done nor cancelled."},
      {"Actions",
       "Counted by owner agency and status; their wording and due dates stay with the "
       "QA lead, who can give the board any that are ready to share."},
  };
  for (const core::Rule& rule : in.rules.rules)
    r.notes.push_back({"Rule " + rule.id, rule.title + ". Basis: " + rule.basis});
  for (const MeasureSummary& ms : metrics.measures)
    r.notes.push_back(
        {"Measure " + ms.id, ms.title + ": " + ms.definition + " Source: " + ms.source});
  (void)who;
  return r;
}

const std::vector<std::string>& export_kinds_list() {
  static const std::vector<std::string> kinds{"board", "detail", "csv"};
  return kinds;
}

// ---- Detail exports (QA leads) -----------------------------------------------------------------

struct DetailInputs {
  AuditRecord audit;
  core::Template tmpl;
  std::vector<store::ReviewRow> reviews;
  std::map<std::int64_t, std::vector<store::AnswerRow>> answers;
  std::vector<store::DiscussionRow> discussions;
  std::vector<store::StoredFlag> flags;
  std::vector<store::ActionRow> actions;
};

DetailInputs load_detail_inputs(store::Session& s, std::int64_t audit_id) {
  DetailInputs in;
  in.audit = load_audit(s, audit_id);
  const auto rec = store::find_template_by_id(s, in.audit.template_id);
  in.tmpl = parse_template(store::template_body(s, in.audit.template_id),
                           rec ? rec->key + "@" + std::to_string(rec->version) : "template");
  store::ReviewFilter rf;
  rf.audit_id = audit_id;
  in.reviews = store::list_reviews(s, rf);
  for (const auto& r : in.reviews)
    in.answers[r.id] = store::load_answers(s, r.id);
  in.discussions = store::list_discussions(s, audit_id);
  std::set<std::int64_t> sampled;
  for (const auto& d : in.discussions)
    sampled.insert(d.child_id);
  for (auto& f : store::list_flags(s, {})) {
    if (sampled.count(f.child_id))
      in.flags.push_back(std::move(f));
  }
  store::ActionFilter af;
  af.audit_id = audit_id;
  in.actions = store::list_actions(s, af);
  return in;
}

// One row per return: the columns both detail exports share.
struct ReturnRows {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

ReturnRows return_rows(const DetailInputs& in) {
  ReturnRows out;
  out.header = {"audit", "case",    "child_key", "review",         "agency",
                "slot",  "auditor", "state",     "times_returned", "submitted_at"};
  std::map<std::string, std::string> stage_of;
  for (const core::Section& sec : in.tmpl.sections) {
    for (const core::Question& q : sec.questions) {
      if (q.type == core::QuestionType::grade)
        stage_of[q.id] = q.stage;
    }
  }
  std::vector<std::string> stages;
  for (const core::Stage& st : in.tmpl.stages)
    stages.push_back(st.id);
  for (const std::string& st : stages)
    out.header.push_back("grade " + st);
  out.header.push_back("grades_moderated_differently");
  out.header.push_back("flags_open");
  out.header.push_back("flags_confirmed");
  out.header.push_back("flags_dismissed");
  out.header.push_back("actions");
  std::map<std::int64_t, std::map<std::string, int>> flags_of_child;
  for (const auto& f : in.flags)
    ++flags_of_child[f.child_id][f.status];
  std::map<std::int64_t, int> actions_of_case;
  for (const auto& a : in.actions)
    ++actions_of_case[a.case_id];
  for (const store::ReviewRow& r : in.reviews) {
    std::vector<std::string> row{std::to_string(r.audit_id),
                                 std::to_string(r.case_id),
                                 r.child_key,
                                 std::to_string(r.id),
                                 r.agency_code,
                                 std::to_string(r.slot),
                                 r.username,
                                 r.state,
                                 std::to_string(r.times_returned),
                                 r.submitted_at};
    std::map<std::string, std::string> grade;
    for (const std::string& section : r.not_applicable) {
      if (const core::Section* sec = in.tmpl.find_section(section))
        grade[sec->stage] = "not_applicable";
    }
    int changed = 0;
    for (const store::AnswerRow& a : in.answers.at(r.id)) {
      if (a.auditor_grade.empty() || !stage_of.count(a.question_id))
        continue;
      grade[stage_of.at(a.question_id)] =
          a.moderated_grade.empty() ? a.auditor_grade : a.moderated_grade;
      changed += !a.moderated_grade.empty() && a.moderated_grade != a.auditor_grade ? 1 : 0;
    }
    for (const std::string& st : stages)
      row.push_back(grade.count(st) ? grade.at(st) : "");
    row.push_back(std::to_string(changed));
    auto& fl = flags_of_child[r.child_id];
    row.push_back(std::to_string(fl["open"]));
    row.push_back(std::to_string(fl["confirmed"]));
    row.push_back(std::to_string(fl["dismissed"]));
    row.push_back(std::to_string(actions_of_case[r.case_id]));
    out.rows.push_back(std::move(row));
  }
  return out;
}

void write_table(exports::Sheet& sheet, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, std::int64_t& written) {
  sheet.header(0, header);
  int r = 1;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c)
      sheet.text(r, static_cast<int>(c), row[c]);
    ++r;
    ++written;
  }
  sheet.freeze(1, 0);
  if (!rows.empty())
    sheet.autofilter(0, 0, static_cast<int>(rows.size()), static_cast<int>(header.size()) - 1);
}

std::int64_t write_detail_workbook(Context& ctx, const DetailInputs& in, const std::string& path,
                                   std::size_t& opened) {
  exports::Workbook wb(path, /*constant_memory=*/true);
  exports::WorkbookProperties props;
  props.title = "Audit " + std::to_string(in.audit.id) + ": " + in.audit.title + " (QA detail)";
  props.subject = "CSA Response Pathway audit: QA detail, case data";
  props.author = "pathaudit";
  props.comments = "Case data for QA leads: not for boards.";
  wb.set_properties(props);
  std::int64_t written = 0;

  // Cases.
  {
    std::vector<std::string> header{"case",    "child_key", "state",         "qa_lead",
                                    "held_on", "attendees", "learning_tags", "learning_board_safe"};
    for (const core::Stage& st : in.tmpl.stages)
      header.push_back("agreed " + st.id);
    std::vector<std::vector<std::string>> rows;
    for (const store::DiscussionRow& d : in.discussions) {
      std::vector<std::string> row{std::to_string(d.case_id),
                                   d.child_key,
                                   d.state,
                                   d.owner,
                                   d.held_on,
                                   store::join_list(d.attendees),
                                   store::join_list(d.learning_tags),
                                   d.learning_board_safe ? "yes" : "no"};
      for (const core::Stage& st : in.tmpl.stages)
        row.push_back(d.grades.count(st.id) ? d.grades.at(st.id) : "");
      rows.push_back(std::move(row));
    }
    write_table(wb.add_sheet("Cases"), header, rows, written);
  }
  // Returns.
  {
    const ReturnRows rr = return_rows(in);
    write_table(wb.add_sheet("Returns"), rr.header, rr.rows, written);
  }
  // Flags of the sampled children.
  {
    std::vector<std::vector<std::string>> rows;
    for (const store::StoredFlag& f : in.flags)
      rows.push_back(
          {std::to_string(f.id), f.rule_id, f.severity, f.status, f.agency, f.child_key, f.detail});
    write_table(wb.add_sheet("Flags"),
                {"flag", "rule", "severity", "status", "agency", "child_key", "detail"}, rows,
                written);
  }
  // Actions, with their wording (opened, and counted in the export's audit-log entry).
  {
    const core::Date today = ctx.clock().today();
    std::vector<std::vector<std::string>> rows;
    for (const store::ActionRow& a : in.actions) {
      const auto due = core::Date::parse_iso(a.due);
      const bool overdue = due && *due < today && a.status != "done" && a.status != "cancelled";
      rows.push_back({std::to_string(a.id), a.case_id ? std::to_string(a.case_id) : "", a.child_key,
                      a.owner, a.due, a.status, overdue ? "yes" : "no",
                      ctx.open_field(a.description_sealed, "actions", "description_sealed", a.id),
                      a.created_by, a.updated_at});
      ++opened;
    }
    write_table(wb.add_sheet("Actions"),
                {"action", "case", "child_key", "owner", "due", "status", "overdue", "description",
                 "created_by", "updated_at"},
                rows, written);
  }
  wb.close();
  return written;
}

std::int64_t write_detail_csv(const DetailInputs& in, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    throw core::Error("the export file could not be created in the data directory");
  exports::CsvWriter csv(out);
  const ReturnRows rr = return_rows(in);
  csv.row(rr.header);
  for (const auto& row : rr.rows)
    csv.row(row);
  out.flush();
  if (!out)
    throw core::Error("the export file could not be written in full");
  return csv.rows() - 1;
}

// Creates `path` empty with mode 0600 before a writer opens it by name, so an export is never
// readable by others even for a moment.
void create_private(const std::string& path) {
  create_private_file(path, "the export file in the data directory");
}

void remove_file(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
}

ExportManifest manifest_of(const store::ExportRow& r) {
  ExportManifest m;
  m.id = r.id;
  m.audit_id = r.audit_id;
  m.kind = r.kind;
  m.profile = r.profile;
  m.actor = r.actor;
  m.role = r.role;
  m.created_at = r.created_at;
  m.expires_at = r.expires_at;
  m.rows = r.rows;
  m.sha256 = r.sha256;
  return m;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw core::Error("an export file could not be read");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    throw core::Error("an export file could not be read in full");
  return bytes;
}

// Deliveries in flight in this process, by data directory and manifest id: one at a time per
// export, so two downloads started together cannot both hand the file out. Guarded by `mutex`;
// `released` is notified whenever a claim ends.
struct Claims {
  std::mutex mutex;
  std::condition_variable released;
  std::set<std::pair<std::string, std::int64_t>> in_flight;
};

Claims& claims() {
  static Claims c;
  return c;
}

// How long a delivery waits for another one of the same export to end. A client can have the
// whole file before the server has recorded the delivery; one asking again straight away must be
// told the export is gone, not that it is busy.
constexpr auto kClaimWait = std::chrono::seconds(30);

// Claims the export, waiting (up to kClaimWait) while another delivery of it is in flight. False
// when that delivery is still going on.
bool claim(const Context& ctx, std::int64_t id) {
  const std::pair<std::string, std::int64_t> key{ctx.settings().data_dir(), id};
  std::unique_lock<std::mutex> lock(claims().mutex);
  if (!claims().released.wait_for(lock, kClaimWait,
                                  [&] { return claims().in_flight.count(key) == 0; }))
    return false;
  claims().in_flight.insert(key);
  return true;
}

void release_claim(const Context& ctx, std::int64_t id) noexcept {
  {
    std::lock_guard<std::mutex> lock(claims().mutex);
    claims().in_flight.erase({ctx.settings().data_dir(), id});
  }
  claims().released.notify_all();
}

}  // namespace

const std::vector<std::string>& export_kinds() {
  return export_kinds_list();
}

ExportManifest create_export(Context& ctx, const Principal& who, const ExportRequest& request) {
  require_qa(who, "exporting an audit");
  const auto& kinds = export_kinds();
  if (std::find(kinds.begin(), kinds.end(), request.kind) == kinds.end())
    throw core::ValidationError("an export is board, detail or csv");
  if (auto why = core::text_problem(request.reason))
    throw InputError("reason", "every export needs a reason: " + *why);
  if (request.reason.size() > kMaxReason)
    throw InputError("reason", "at most " + std::to_string(kMaxReason) + " characters");
  expire_exports(ctx);

  // A board workbook's figures are worked out before anything is recorded: the collation checks
  // the role and that the audit exists, and nothing half-made is left if the rest fails.
  std::optional<Collation> collation;
  std::optional<BoardInputs> board;
  if (request.kind == "board") {
    collation = collate(ctx, who, request.audit_id);
    board = ctx.db().read(
        [&](store::Session& s) { return load_board_inputs(ctx, who, s, request.audit_id); });
  }

  const auto keyring = ctx.keyring();
  ExportManifest m;
  m.audit_id = request.audit_id;
  m.kind = request.kind;
  // Detail exports are not disclosure controlled: they are case data for QA leads.
  m.profile =
      request.kind == "board" ? std::string(exports::profile_name(request.profile)) : "none";
  m.actor = who.actor();
  m.role = role_of(who);
  m.created_at = ctx.clock().now_utc();
  m.expires_at = hours_after(m.created_at, kExportHours);
  m.id = ctx.db().write([&](store::Session& s) {
    load_audit(s, request.audit_id);  // NotFoundError before anything is recorded
    store::ExportRow row;
    row.audit_id = m.audit_id;
    row.kind = m.kind;
    row.profile = m.profile;
    row.actor = m.actor;
    row.role = m.role;
    row.created_at = m.created_at;
    const std::int64_t id = store::insert_export(s, row);
    store::set_export_reason(
        s, id,
        keyring->seal("field", request.reason,
                      store::sealed_field_aad("exports", "reason_sealed", id)));
    return id;
  });

  std::filesystem::create_directories(export_dir(ctx));
  ::chmod(export_dir(ctx).c_str(), 0700);
  m.file = export_dir(ctx) + "/" + std::to_string(m.id) + "-" + m.kind + "." + extension(m.kind);
  const std::string part = m.file + ".part";
  std::size_t opened = 0;
  try {
    remove_file(part);
    create_private(part);
    if (request.kind == "board") {
      const exports::BoardReport report =
          build_board(ctx, who, *board, *collation, request.profile, m, request.reason, opened);
      m.rows = exports::write_board_workbook(report, part);
    } else {
      const DetailInputs in =
          ctx.db().read([&](store::Session& s) { return load_detail_inputs(s, m.audit_id); });
      m.rows = request.kind == "csv" ? write_detail_csv(in, part)
                                     : write_detail_workbook(ctx, in, part, opened);
    }
    std::filesystem::rename(part, m.file);
    ::chmod(m.file.c_str(), 0600);
    m.sha256 = file_sha256(m.file, "an export file");
  } catch (const std::exception& e) {
    remove_file(part);
    remove_file(m.file);
    ctx.db().write([&](store::Session& s) {
      store::mark_export_removed(s, m.id, ctx.clock().now_utc());
      audit_as(ctx, s, who, "export." + m.kind, "export:" + std::to_string(m.id),
               "refused: the file could not be written");
    });
    throw;
  }
  ctx.db().write([&](store::Session& s) {
    store::finish_export(s, m.id, m.file, m.rows, m.sha256, m.expires_at);
    audit_as(ctx, s, who, "export." + m.kind, "export:" + std::to_string(m.id),
             "ok: audit " + std::to_string(m.audit_id) + ", profile " + m.profile + ", " +
                 std::to_string(m.rows) + " rows, " + std::to_string(opened) +
                 " sealed fields opened, sha256 " + m.sha256);
  });
  return m;
}

std::vector<ExportManifest> waiting_exports_for(Context& ctx, const Principal& who) {
  if (!who.is_qa() && who.role != "board")
    throw core::ForbiddenError("exports are for QA leads, and board workbooks for board members");
  expire_exports(ctx);
  const auto rows = ctx.db().read([](store::Session& s) { return store::waiting_exports(s); });
  std::vector<ExportManifest> out;
  for (const store::ExportRow& r : rows) {
    const bool mine =
        who.operator_ || (who.role == "board" ? r.kind == "board" : r.actor == who.actor());
    if (mine)
      out.push_back(manifest_of(r));
  }
  return out;
}

ExportDelivery::ExportDelivery(Context& ctx, Principal who, ExportManifest manifest,
                               std::string file, std::string bytes)
    : ctx_(&ctx),
      who_(std::move(who)),
      manifest_(std::move(manifest)),
      file_(std::move(file)),
      bytes_(std::move(bytes)) {}

ExportDelivery::ExportDelivery(ExportDelivery&& other) noexcept
    : ctx_(other.ctx_),
      who_(std::move(other.who_)),
      manifest_(std::move(other.manifest_)),
      file_(std::move(other.file_)),
      bytes_(std::move(other.bytes_)),
      claimed_(other.claimed_) {
  other.claimed_ = false;
}

ExportDelivery::~ExportDelivery() {
  if (claimed_)
    release_claim(*ctx_, manifest_.id);
}

std::string ExportDelivery::file_name() const {
  return "pathaudit-audit-" + std::to_string(manifest_.audit_id) + "-" + manifest_.kind + "-" +
         std::to_string(manifest_.id) + "." + extension(manifest_.kind);
}

std::string ExportDelivery::media_type() const {
  return manifest_.kind == "csv"
             ? "text/csv"
             : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

void ExportDelivery::delivered() {
  if (!claimed_)
    throw core::ConflictError("export " + std::to_string(manifest_.id) + " was delivered already");
  remove_file(file_);
  ctx_->db().write([&](store::Session& s) {
    store::mark_export_delivered(s, manifest_.id, ctx_->clock().now_utc());
    audit_as(*ctx_, s, who_, "export.deliver", "export:" + std::to_string(manifest_.id),
             "ok: sha256 " + manifest_.sha256);
  });
  release_claim(*ctx_, manifest_.id);
  claimed_ = false;
}

ExportDelivery open_export(Context& ctx, const Principal& who, std::int64_t manifest_id) {
  expire_exports(ctx);
  auto waiting = [&] {
    const auto row =
        ctx.db().read([&](store::Session& s) { return store::find_export(s, manifest_id); });
    const bool allowed = row && (who.is_qa() || row->actor == who.actor() ||
                                 (row->kind == "board" && who.role == "board"));
    if (!allowed)
      throw core::NotFoundError("no export " + std::to_string(manifest_id) + " waiting");
    // Delivered once, then gone: not found, as for an export that never was (HTTP 404).
    if (row->file.empty())
      throw core::NotFoundError(
          "export " + std::to_string(manifest_id) + " was " +
          (row->delivered_at.empty() ? "removed when it expired" : "delivered already") +
          "; make a new one");
    return *row;
  };
  waiting();  // refusals first, without waiting for a claim
  if (!claim(ctx, manifest_id))
    throw core::ConflictError("export " + std::to_string(manifest_id) +
                              " is being delivered now; wait for that delivery");
  // From here the claim is the delivery's: released by its destructor if anything below throws.
  ExportManifest claimed;
  claimed.id = manifest_id;  // what the destructor releases
  ExportDelivery d(ctx, who, std::move(claimed), "", {});
  // Read again under the claim: a delivery that ended while this one waited may have delivered it.
  const store::ExportRow row = waiting();
  d.manifest_ = manifest_of(row);
  d.file_ = row.file;
  d.bytes_ = read_whole(row.file);
  // The digest of the very bytes handed on, not of the file read a second time.
  if (crypto::sha256_hex(d.bytes_) != row.sha256)
    throw core::CryptoError("export " + std::to_string(manifest_id) +
                            " no longer matches the SHA-256 recorded when it was made");
  return d;
}

void deliver_export(Context& ctx, const Principal& who, std::int64_t manifest_id,
                    const std::string& destination) {
  ExportDelivery d = open_export(ctx, who, manifest_id);
  const int fd =
      ::open(destination.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    throw core::ValidationError(destination + ": cannot be created (" +
                                std::string(errno == EEXIST ? "it exists already: pathaudit "
                                                              "never overwrites a file"
                                                            : std::strerror(errno)) +
                                ")");
  }
  const char* p = d.bytes().data();
  std::size_t left = d.bytes().size();
  bool ok = true;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (!ok || ::fsync(fd) != 0) {
    ::close(fd);
    remove_file(destination);
    throw core::Error(destination + ": could not be written in full");
  }
  ::close(fd);
  d.delivered();
}

int expire_exports(Context& ctx) {
  const std::string now_at = ctx.clock().now_utc();
  const auto waiting = ctx.db().read([](store::Session& s) { return store::waiting_exports(s); });
  int removed = 0;
  for (const store::ExportRow& e : waiting) {
    if (e.expires_at.empty() || e.expires_at > now_at)
      continue;
    remove_file(e.file);
    ctx.db().write([&](store::Session& s) {
      store::mark_export_removed(s, e.id, now_at);
      ctx.audit(s, "export.expire", "export:" + std::to_string(e.id), "ok: removed unread");
    });
    ++removed;
  }
  return removed;
}

}  // namespace pathaudit::service
