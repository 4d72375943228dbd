// pathaudit actions list | add | update
#include <Poco/Util/Option.h>

#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "service/actions.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

void print_actions(const std::vector<service::ActionView>& actions, const std::string& format) {
  Table t({"id", "audit", "case", "child_key", "owner", "due", "status", "overdue", "description",
           "created_by", "updated_at"});
  for (const auto& a : actions) {
    t.add({std::to_string(a.id), std::to_string(a.audit_id),
           a.case_id ? std::to_string(a.case_id) : "", a.child_key, a.owner, a.due, a.status,
           a.overdue ? "yes" : "no", a.description, a.created_by, a.updated_at});
  }
  t.print(std::cout, format);
}

int run_list(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("actions list takes no arguments");
  service::ActionQuery q;
  q.audit_id = in.has("audit") ? parse_id(in.required("audit"), "an audit id") : 0;
  q.owner = in.value("owner").value_or("");
  q.status = in.value("status").value_or("");
  q.overdue_only = in.has("overdue");
  auto ctx = open_context(in);
  print_actions(service::list_actions(*ctx, acting_principal(in, *ctx), q), in.format);
  return kExitOk;
}

int run_add(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("actions add takes no arguments");
  const std::int64_t audit = parse_id(in.required("audit"), "an audit id");
  const std::int64_t case_id = in.has("case") ? parse_id(in.required("case"), "a case id") : 0;
  service::NewAction a;
  a.path = "action";
  a.owner = in.required("owner");
  a.due = in.value("due").value_or("");
  a.description = read_text_option(in, "description-file", 64 * 1024);
  while (!a.description.empty() && (a.description.back() == '\n' || a.description.back() == '\r'))
    a.description.pop_back();
  auto ctx = open_context(in);
  const auto id = service::add_action(*ctx, acting_principal(in, *ctx), audit, case_id, a);
  std::cout << "action " << id << " added for " << a.owner
            << (a.due.empty() ? "" : ", due " + a.due) << "\n";
  return kExitOk;
}

int run_update(const Invocation& in) {
  if (in.args.size() != 1)
    throw UsageError("actions update takes one action id");
  const std::int64_t id = parse_id(in.args[0], "an action id");
  service::ActionChange change;
  change.status = in.value("status");
  change.owner = in.value("owner");
  if (in.has("due") && in.has("no-due"))
    throw UsageError("give --due or --no-due, not both");
  if (in.has("due"))
    change.due = in.required("due");
  if (in.has("no-due"))
    change.due = "";
  auto ctx = open_context(in);
  const auto a = service::update_action(*ctx, acting_principal(in, *ctx), id, change);
  std::cout << "action " << a.id << ": " << a.status << ", owner " << a.owner
            << (a.due.empty() ? ", no due date" : ", due " + a.due)
            << (a.overdue ? " (overdue)" : "") << "\n";
  return kExitOk;
}

const Registrar list{Command{
    .name = "actions list",
    .summary = "actions from audit findings: owner, due date, status, overdue",
    .usage = "[--audit ID] [--owner AGENCY] [--status STATUS] [--overdue] [--as USER] "
             "[--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("audit", "", "only this audit").argument("ID").repeatable(false));
          o.addOption(
              Option("owner", "", "only this agency's").argument("AGENCY").repeatable(false));
          o.addOption(Option("status", "", "open, in_progress, done or cancelled")
                          .argument("STATUS")
                          .repeatable(false));
          o.addOption(Option("overdue", "", "only actions past their due date"));
          as_option(o);
        },
    .run = run_list,
}};

const Registrar add{Command{
    .name = "actions add",
    .summary = "add an action for an audit or one of its cases (QA lead)",
    .usage = "--audit ID [--case ID] --owner AGENCY [--due YYYY-MM-DD] --description-file FILE|- "
             "[--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("audit", "", "the audit").argument("ID").repeatable(false));
          o.addOption(
              Option("case", "", "the case it arose from").argument("ID").repeatable(false));
          o.addOption(
              Option("owner", "", "agency that owns it").argument("AGENCY").repeatable(false));
          o.addOption(Option("due", "", "due date").argument("YYYY-MM-DD").repeatable(false));
          o.addOption(Option("description-file", "",
                             "file holding what is to be done, or - for standard input")
                          .argument("FILE")
                          .repeatable(false));
          as_option(o);
        },
    .run = run_add,
}};

const Registrar update{Command{
    .name = "actions update",
    .summary = "change an action's status, due date or owner (QA lead)",
    .usage = "ID [--status STATUS] [--due YYYY-MM-DD | --no-due] [--owner AGENCY] [--as USER] "
             "[--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("status", "", "open, in_progress, done or cancelled")
                          .argument("STATUS")
                          .repeatable(false));
          o.addOption(Option("due", "", "new due date").argument("YYYY-MM-DD").repeatable(false));
          o.addOption(Option("no-due", "", "remove the due date"));
          o.addOption(
              Option("owner", "", "agency that owns it").argument("AGENCY").repeatable(false));
          as_option(o);
        },
    .run = run_update,
}};

}  // namespace
}  // namespace pathaudit::cli
