// pathaudit assign
#include <Poco/Util/Option.h>

#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "service/context.h"
#include "service/sampling.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

int run_assign(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("assign takes no arguments");
  service::AssignOptions options;
  options.audit_id = parse_id(in.required("audit"), "--audit");
  options.qa_lead = in.required("qa-lead");
  if (const auto it = in.options.find("auditor"); it != in.options.end()) {
    for (const std::string& pair : it->second) {
      const auto eq = pair.find('=');
      if (eq == 0 || eq == std::string::npos || eq + 1 == pair.size())
        throw UsageError("--auditor expects AGENCY=USERNAME, e.g. --auditor CSC=asmith");
      options.auditors[pair.substr(0, eq)].push_back(pair.substr(eq + 1));
    }
  }

  auto ctx = open_context(in);
  const auto r = service::assign_audit(*ctx, acting_principal(in, *ctx), options);
  Table table({"kind", "agency", "cases", "created", "assigned", "unassigned", "assignees"});
  for (const auto& row : r.rows) {
    table.add({row.kind, row.agency, std::to_string(row.cases), std::to_string(row.created),
               std::to_string(row.assigned), std::to_string(row.unassigned), row.assignees});
  }
  table.print(std::cout, in.format);
  if (!r.agencies_without.empty()) {
    std::string codes;
    for (const auto& c : r.agencies_without)
      codes += (codes.empty() ? "" : ", ") + c;
    std::cerr << "pathaudit: note: no active auditor for " << codes
              << ": their returns are unassigned. Add one with `pathaudit users add --role "
                 "auditor --agency CODE ...`, then run assign again\n";
  }
  return kExitOk;
}

const Registrar registrar{Command{
    .name = "assign",
    .summary = "assign an audit's sampled cases: a return per involved agency, a discussion each",
    .usage = "--audit ID --qa-lead USERNAME [--auditor AGENCY=USERNAME ...] [--as USER] "
             "[--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("audit", "", "the audit (see `pathaudit audit list`)")
                          .argument("ID")
                          .repeatable(false));
          o.addOption(Option("qa-lead", "", "active qa_lead who owns each case's discussion")
                          .argument("USERNAME")
                          .repeatable(false));
          o.addOption(Option("auditor", "",
                             "only these auditors take the agency's returns (repeatable; "
                             "default: every active auditor of the agency, round robin)")
                          .argument("AGENCY=USERNAME")
                          .repeatable(true));
          as_option(o);
        },
    .run = run_assign,
}};

}  // namespace
}  // namespace pathaudit::cli
