// pathaudit review list | show | answer | submit | return | accept | flag | concern | concerns |
// acknowledge, and for a case: review case | discuss | moderate | lock.
#include <Poco/JSON/Stringifier.h>
#include <Poco/Util/Option.h>

#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "service/review_json.h"
#include "service/reviews.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : sep) + p;
  return out;
}

std::int64_t one_id(const Invocation& in, const char* what) {
  if (in.args.size() != 1)
    throw UsageError(std::string("give one ") + what);
  return parse_id(in.args[0], what);
}

std::string value_text(const std::optional<core::AnswerValue>& v) {
  if (!v)
    return "";
  return v->is_list ? join(v->codes, ";") : v->text;
}

void file_option(OptionSet& o, const char* help) {
  o.addOption(Option("file", "", help).argument("FILE|-").repeatable(false));
  as_option(o);
}

// ---- returns -----------------------------------------------------------------------------------

int run_list(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("review list takes no arguments");
  service::ReviewQuery q;
  q.audit_id = in.has("audit") ? parse_id(in.required("audit"), "an audit id") : 0;
  q.case_id = in.has("case") ? parse_id(in.required("case"), "a case id") : 0;
  q.state = in.value("state").value_or("");
  q.assignee = in.value("assignee").value_or("");
  auto ctx = open_context(in);
  Table t({"id", "audit", "case", "child_key", "agency", "slot", "auditor", "state", "returned",
           "updated_at"});
  for (const auto& r : service::list_reviews(*ctx, acting_principal(in, *ctx), q)) {
    t.add({std::to_string(r.id), std::to_string(r.audit_id), std::to_string(r.case_id), r.child_key,
           r.agency, std::to_string(r.slot), r.auditor, r.state, std::to_string(r.times_returned),
           r.updated_at});
  }
  t.print(std::cout, in.format);
  return kExitOk;
}

void print_review_json(const service::ReviewDetail& d) {
  Poco::JSON::Stringifier::stringify(*service::review_detail_json(d), std::cout, 2);
  std::cout << "\n";
}

int run_show(const Invocation& in) {
  const std::int64_t id = one_id(in, "review id");
  auto ctx = open_context(in);
  const auto d = service::show_review(*ctx, acting_principal(in, *ctx), id);
  if (in.format == "json") {
    print_review_json(d);
    return kExitOk;
  }
  const auto& r = d.summary;
  std::cout << "review " << r.id << ": audit " << r.audit_id << ", case " << r.case_id << ", child "
            << r.child_key << ", agency " << r.agency << (r.slot == 2 ? " (second review)" : "")
            << ", auditor " << (r.auditor.empty() ? "none" : r.auditor) << "\n"
            << "state " << r.state << " (returned " << r.times_returned << " times); template "
            << d.template_ref << "\n"
            << "next: " << (d.allowed_actions.empty() ? "nothing" : join(d.allowed_actions, ", "))
            << "\n";
  if (!d.not_applicable.empty())
    std::cout << "sections not applicable: " << join(d.not_applicable, ", ") << "\n";
  std::cout << "\nanswers\n";
  Table answers({"question", "type", "value", "tags", "comment", "moderated_grade"});
  for (const auto& a : d.answers)
    answers.add({a.question_id, a.type, value_text(a.value), join(a.tags, ";"), a.comment,
                 a.moderated_grade});
  answers.print(std::cout, "table");
  std::cout << "\nrequired and not answered: " << d.missing_required.size() << "\n";
  for (const auto& q : d.missing_required)
    std::cout << "  " << q << "\n";
  std::cout << "\nflags on this case\n";
  Table flags({"id", "rule", "severity", "status", "agency", "event_refs", "detail"});
  for (const auto& f : d.flags)
    flags.add({std::to_string(f.id), f.rule, f.severity, f.status, f.agency,
               join(f.event_refs, ";"), f.detail});
  flags.print(std::cout, "table");
  if (!d.concerns.empty()) {
    std::cout << "\nlive safeguarding concerns raised from this review\n";
    Table concerns({"id", "raised_by", "raised_at", "status", "description"});
    for (const auto& c : d.concerns)
      concerns.add({std::to_string(c.id), c.raised_by, c.raised_at, c.status, c.description});
    concerns.print(std::cout, "table");
  }
  return kExitOk;
}

int run_form(const Invocation& in) {
  const std::int64_t id = one_id(in, "review id");
  auto ctx = open_context(in);
  Table t({"id", "section", "stage", "type", "required", "choices", "value", "text", "help",
           "resource"});
  for (const auto& q : service::review_form(*ctx, acting_principal(in, *ctx), id))
    t.add({q.id, q.section, q.stage, q.type, q.required ? "yes" : "no", join(q.choices, ";"),
           value_text(q.value), q.text, q.help, q.resource});
  t.print(std::cout, in.format);
  return kExitOk;
}

int run_answer(const Invocation& in) {
  const std::int64_t id = one_id(in, "review id");
  const std::string text = read_text_option(in, "file");
  const auto set = service::parse_answer_set(text, text_source(in, "file"));
  auto ctx = open_context(in);
  const auto r = service::save_answers(*ctx, acting_principal(in, *ctx), id, set);
  std::cout << "review " << id << ": " << r.saved << " answers saved, " << r.cleared
            << " cleared; state " << r.state << "; " << r.missing_required.size()
            << " required questions not answered yet\n";
  return kExitOk;
}

int run_submit(const Invocation& in) {
  const std::int64_t id = one_id(in, "review id");
  auto ctx = open_context(in);
  const auto state = service::submit_review(*ctx, acting_principal(in, *ctx), id);
  std::cout << "review " << id << " " << state << "\n";
  return kExitOk;
}

int run_return(const Invocation& in) {
  const std::int64_t id = one_id(in, "review id");
  const std::string text = read_text_option(in, "file");
  const auto comments = service::parse_comments(text, text_source(in, "file"));
  auto ctx = open_context(in);
  const auto state = service::return_review(*ctx, acting_principal(in, *ctx), id, comments);
  std::cout << "review " << id << " " << state << " with " << comments.size() << " comments\n";
  return kExitOk;
}

int run_accept(const Invocation& in) {
  const std::int64_t id = one_id(in, "review id");
  auto ctx = open_context(in);
  const auto state = service::accept_review(*ctx, acting_principal(in, *ctx), id);
  std::cout << "review " << id << " " << state << "\n";
  return kExitOk;
}

int run_flag(const Invocation& in) {
  if (in.args.size() != 2)
    throw UsageError("give a review id and a flag id");
  const std::int64_t review = parse_id(in.args[0], "a review id");
  const std::int64_t flag = parse_id(in.args[1], "a flag id");
  const std::string status = in.required("status");
  if (status != "confirmed" && status != "dismissed")
    throw UsageError("--status expects confirmed or dismissed");
  refuse_text_on_command_line(in, "reason", "reason-file");
  std::string reason = read_text_option(in, "reason-file", 64 * 1024);
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r'))
    reason.pop_back();
  auto ctx = open_context(in);
  service::decide_flag(*ctx, acting_principal(in, *ctx), review, flag, status, reason);
  std::cout << "flag " << flag << " " << status << "\n";
  return kExitOk;
}

int run_concern(const Invocation& in) {
  const std::int64_t id = one_id(in, "review id");
  std::string text = read_text_option(in, "file", 64 * 1024);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  auto ctx = open_context(in);
  const auto r = service::raise_concern(*ctx, acting_principal(in, *ctx), id, text);
  std::cout << "live safeguarding concern " << r.id << " recorded and escalated to "
            << r.qa_leads_notified << (r.qa_leads_notified == 1 ? " QA lead\n" : " QA leads\n");
  if (r.qa_leads_notified == 0)
    std::cerr << "warning: there is no active QA lead to escalate to: follow your agency's "
                 "safeguarding procedure and tell the audit's QA lead now\n";
  std::cout << "this does not replace your agency's safeguarding procedure: if a child may be at "
               "risk now, act on it today\n";
  return kExitOk;
}

int run_concerns(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("review concerns takes no arguments");
  const std::int64_t audit = in.has("audit") ? parse_id(in.required("audit"), "an audit id") : 0;
  auto ctx = open_context(in);
  Table t({"id", "audit", "case", "review", "child_key", "agency", "raised_by", "raised_at",
           "status", "acknowledged_by", "description"});
  for (const auto& c :
       service::list_concerns(*ctx, acting_principal(in, *ctx), audit, !in.has("all"))) {
    t.add({std::to_string(c.id), std::to_string(c.audit_id), std::to_string(c.case_id),
           std::to_string(c.review_id), c.child_key, c.agency, c.raised_by, c.raised_at, c.status,
           c.acknowledged_by, c.description});
  }
  t.print(std::cout, in.format);
  return kExitOk;
}

int run_acknowledge(const Invocation& in) {
  const std::int64_t id = one_id(in, "concern id");
  auto ctx = open_context(in);
  service::acknowledge_concern(*ctx, acting_principal(in, *ctx), id);
  std::cout << "live safeguarding concern " << id << " acknowledged\n";
  return kExitOk;
}

// ---- cases -------------------------------------------------------------------------------------

int run_case(const Invocation& in) {
  const std::int64_t id = one_id(in, "case id");
  auto ctx = open_context(in);
  const auto c = service::show_case(*ctx, acting_principal(in, *ctx), id);
  Table t({"field", "value"});
  t.add({"case", std::to_string(c.case_id)});
  t.add({"audit", std::to_string(c.audit_id)});
  t.add({"child_key", c.child_key});
  t.add({"state", c.state});
  t.add({"qa_lead", c.owner});
  t.add({"held_on", c.held_on});
  t.add({"attendees", join(c.attendees, ";")});
  std::vector<std::string> grades;
  for (const auto& [stage, grade] : c.agreed_grades)
    grades.push_back(stage + "=" + grade);
  t.add({"agreed_grades", join(grades, ";")});
  t.add({"learning", c.learning});
  t.add({"learning_tags", join(c.learning_tags, ";")});
  t.add({"learning_board_safe", c.learning_board_safe ? "yes" : "no"});
  for (const auto& r : c.returns)
    t.add({"return " + std::to_string(r.review_id),
           r.agency + (r.slot == 2 ? " (second review)" : "") + ": " + r.state});
  t.print(std::cout, in.format);
  return kExitOk;
}

int run_discuss(const Invocation& in) {
  const std::int64_t id = one_id(in, "case id");
  const std::string text = read_text_option(in, "file");
  const auto d = service::parse_discussion(text, text_source(in, "file"));
  auto ctx = open_context(in);
  const auto r = service::record_discussion(*ctx, acting_principal(in, *ctx), id, d);
  std::cout << "case " << id << " " << r.state << "; " << r.actions_added << " actions added\n";
  return kExitOk;
}

int run_moderate(const Invocation& in) {
  const std::int64_t id = one_id(in, "case id");
  std::vector<service::ModerationEntry> entries;
  if (in.has("file"))
    entries = service::parse_moderation(read_text_option(in, "file"), text_source(in, "file"));
  auto ctx = open_context(in);
  const auto r = service::moderate_case(*ctx, acting_principal(in, *ctx), id, entries);
  std::cout << "case " << id << " moderated: " << r.grades << " grades, " << r.changed
            << " differ from the auditor's\n";
  return kExitOk;
}

int run_lock(const Invocation& in) {
  const std::int64_t id = one_id(in, "case id");
  auto ctx = open_context(in);
  service::lock_case(*ctx, acting_principal(in, *ctx), id);
  std::cout << "case " << id << " locked with its returns\n";
  return kExitOk;
}

const Registrar list{Command{
    .name = "review list",
    .summary = "returns you may see, with their states",
    .usage = "[--audit ID] [--case ID] [--state STATE] [--assignee USER] [--as USER] "
             "[--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("audit", "", "only this audit").argument("ID").repeatable(false));
          o.addOption(Option("case", "", "only this case").argument("ID").repeatable(false));
          o.addOption(Option("state", "", "only returns in this state")
                          .argument("STATE")
                          .repeatable(false));
          o.addOption(Option("assignee", "", "only returns assigned to this user")
                          .argument("USER")
                          .repeatable(false));
          as_option(o);
        },
    .run = run_list,
}};

const Registrar show{Command{
    .name = "review show",
    .summary = "one return: answers, comments, missing questions, the case's flags",
    .usage = "ID [--as USER] [--data-dir DIR] [--format table|json]",
    .formats = {"table", "json"},
    .define_options = as_option,
    .run = run_show,
}};

const Registrar form{Command{
    .name = "review form",
    .summary = "the questions of a return as its agency is asked them, with saved answers",
    .usage = "ID [--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_form,
}};

const Registrar answer{Command{
    .name = "review answer",
    .summary = "save answers from an answers file (all or nothing)",
    .usage = "ID --file FILE|- [--as USER] [--data-dir DIR]",
    .define_options = [](OptionSet& o) { file_option(o, "answers file (JSON), or - for stdin"); },
    .run = run_answer,
}};

const Registrar submit{Command{
    .name = "review submit",
    .summary = "submit (or resubmit) a return to the QA lead",
    .usage = "ID [--as USER] [--data-dir DIR]",
    .define_options = as_option,
    .run = run_submit,
}};

const Registrar return_command{Command{
    .name = "review return",
    .summary = "return a submitted review to its auditor with comments (QA lead)",
    .usage = "ID --file FILE|- [--as USER] [--data-dir DIR]",
    .define_options = [](OptionSet& o) { file_option(o, "comments file (JSON), or - for stdin"); },
    .run = run_return,
}};

const Registrar accept{Command{
    .name = "review accept",
    .summary = "accept a submitted review (QA lead)",
    .usage = "ID [--as USER] [--data-dir DIR]",
    .define_options = as_option,
    .run = run_accept,
}};

const Registrar flag{Command{
    .name = "review flag",
    .summary = "confirm or dismiss one of the case's flags, with a reason",
    .usage = "REVIEW_ID FLAG_ID --status confirmed|dismissed --reason-file FILE|- [--as USER] "
             "[--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(
              Option("status", "", "confirmed or dismissed").argument("STATUS").repeatable(false));
          o.addOption(Option("reason-file", "",
                             "file holding why, or - for standard input (stored encrypted)")
                          .argument("FILE")
                          .repeatable(false));
          refused_text_option(o, "reason", "reason-file");
          as_option(o);
        },
    .run = run_flag,
}};

const Registrar concern{Command{
    .name = "review concern",
    .summary = "raise a live safeguarding concern from a review: QA leads are told at once",
    .usage = "ID --file FILE|- [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) { file_option(o, "what the concern is, or - for standard input"); },
    .run = run_concern,
}};

const Registrar concerns{Command{
    .name = "review concerns",
    .summary = "live safeguarding concerns waiting for a QA lead (QA lead)",
    .usage = "[--audit ID] [--all] [--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("audit", "", "only this audit").argument("ID").repeatable(false));
          o.addOption(Option("all", "", "acknowledged concerns too"));
          as_option(o);
        },
    .run = run_concerns,
}};

const Registrar acknowledge{Command{
    .name = "review acknowledge",
    .summary = "acknowledge a live safeguarding concern (QA lead)",
    .usage = "CONCERN_ID [--as USER] [--data-dir DIR]",
    .define_options = as_option,
    .run = run_acknowledge,
}};

const Registrar case_command{Command{
    .name = "review case",
    .summary = "one case: its returns, discussion, agreed grades and learning (QA lead)",
    .usage = "CASE_ID [--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_case,
}};

const Registrar discuss{Command{
    .name = "review discuss",
    .summary = "record a case's multi-agency discussion once its returns are accepted (QA lead)",
    .usage = "CASE_ID --file FILE|- [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) { file_option(o, "discussion file (JSON), or - for stdin"); },
    .run = run_discuss,
}};

const Registrar moderate{Command{
    .name = "review moderate",
    .summary = "moderate a discussed case's grades; unlisted grades stand as given (QA lead)",
    .usage = "CASE_ID [--file FILE|-] [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) { file_option(o, "moderation file (JSON), or - for stdin"); },
    .run = run_moderate,
}};

const Registrar lock{Command{
    .name = "review lock",
    .summary = "lock a moderated case and its returns (QA lead)",
    .usage = "CASE_ID [--as USER] [--data-dir DIR]",
    .define_options = as_option,
    .run = run_lock,
}};

}  // namespace
}  // namespace pathaudit::cli
