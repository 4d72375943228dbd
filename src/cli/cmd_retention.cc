// pathaudit retention set | list | apply
#include <Poco/Util/Option.h>

#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "service/context.h"
#include "service/retention.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

void no_arguments(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("this command takes no arguments");
}

int run_set(const Invocation& in) {
  no_arguments(in);
  const std::int64_t audit = parse_id(in.required("audit"), "the audit id");
  const std::string until = in.required("until");
  auto ctx = open_context(in);
  service::set_retention(*ctx, acting_principal(in, *ctx), audit, until);
  std::cout << "audit " << audit << " is kept until " << until
            << "; `pathaudit retention apply` removes its case content from the day after\n";
  return kExitOk;
}

int run_list(const Invocation& in) {
  no_arguments(in);
  auto ctx = open_context(in);
  Table table({"audit", "title", "until", "state", "content_removed_at"});
  for (const auto& r : service::retention_status(*ctx, acting_principal(in, *ctx)))
    table.add({std::to_string(r.audit_id), r.title, r.until, r.state, r.content_removed_at});
  table.print(std::cout, in.format);
  return kExitOk;
}

int run_apply(const Invocation& in) {
  no_arguments(in);
  auto ctx = open_context(in);
  const auto result = service::apply_retention(*ctx, acting_principal(in, *ctx), in.has("confirm"));
  Table table({"audit", "until", "answers", "qa_comments", "rationales", "learning", "concerns",
               "actions", "export_reasons"});
  for (const auto& a : result.audits) {
    const auto& c = a.removed;
    table.add({std::to_string(a.audit_id), a.until, std::to_string(c.answers),
               std::to_string(c.qa_comments), std::to_string(c.rationales),
               std::to_string(c.learning), std::to_string(c.concerns), std::to_string(c.actions),
               std::to_string(c.export_reasons)});
  }
  table.print(std::cout, in.format);
  if (!result.applied) {
    std::cerr << "pathaudit: dry run: " << result.audits.size()
              << " audit(s) past their retention date; these sealed fields would be removed. "
                 "Nothing changed; run again with --confirm\n";
    return kExitOk;
  }
  std::cerr << "pathaudit: removed the case content of " << result.audits.size()
            << " audit(s); grades, states and the audit log are kept\n";
  if (!result.checkpointed) {
    std::cerr << "pathaudit: the write-ahead log could not be checkpointed because another "
                 "process is reading the database: the removed bytes may remain in the -wal file "
                 "until it is; run `pathaudit retention apply --confirm` again when it is idle\n";
    return kExitFailure;
  }
  return kExitOk;
}

const Registrar set{Command{
    .name = "retention set",
    .summary = "set the date until which an audit's case content is kept",
    .usage = "--audit ID --until YYYY-MM-DD [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("audit", "", "the audit (see `pathaudit audit list`)")
                          .argument("ID")
                          .required(true)
                          .repeatable(false));
          o.addOption(Option("until", "", "keep the case content through this date")
                          .argument("YYYY-MM-DD")
                          .required(true)
                          .repeatable(false));
          as_option(o);
        },
    .run = run_set,
}};

const Registrar list{Command{
    .name = "retention list",
    .summary = "audits with their retention dates and states",
    .usage = "[--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_list,
}};

const Registrar apply{Command{
    .name = "retention apply",
    .summary = "remove the case content of audits past their retention date (dry run by default)",
    .usage = "[--confirm] [--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("confirm", "", "remove the content; without it, only count"));
          as_option(o);
        },
    .run = run_apply,
}};

}  // namespace
}  // namespace pathaudit::cli
