// pathaudit export board | detail | csv
#include <Poco/Util/Option.h>

#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "core/errors.h"
#include "service/exports.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

int run_export(const Invocation& in, const std::string& kind) {
  if (!in.args.empty())
    throw UsageError("export " + kind + " takes no arguments");
  service::ExportRequest request;
  request.kind = kind;
  request.audit_id = parse_id(in.required("audit"), "an audit id");
  request.reason = in.required("reason");
  const std::string output = in.required("output");
  if (auto profile = in.value("profile")) {
    if (kind != "board")
      throw UsageError("--profile applies to board workbooks only");
    const auto p = exports::parse_profile(*profile);
    if (!p)
      throw UsageError("--profile expects dfe or nhs");
    request.profile = *p;
  }
  auto ctx = open_context(in);
  const service::Principal who = acting_principal(in, *ctx);
  const auto m = service::create_export(*ctx, who, request);
  service::deliver_export(*ctx, who, m.id, output);
  std::cout << "export " << m.id << " (" << kind << ", audit " << m.audit_id
            << (kind == "board" ? ", disclosure control " + m.profile : std::string()) << ", "
            << m.rows << " rows) written to " << output << "\nsha256 " << m.sha256
            << " (recorded in the audit log with the reason)\n";
  if (kind != "board")
    std::cout << "this file holds case data: keep it where only QA leads can read it\n";
  return kExitOk;
}

void export_options(OptionSet& o, bool board) {
  o.addOption(Option("audit", "", "the audit to export").argument("ID").repeatable(false));
  o.addOption(Option("reason", "",
                     "why this export is needed (required; recorded, and shown on a board "
                     "workbook's cover: never case details)")
                  .argument("TEXT")
                  .repeatable(false));
  o.addOption(Option("output", "o", "the file to write (never overwritten)")
                  .argument("FILE")
                  .repeatable(false));
  if (board)
    o.addOption(Option("profile", "", "disclosure control: dfe (default) or nhs")
                    .argument("PROFILE")
                    .repeatable(false));
  as_option(o);
}

const Registrar board{Command{
    .name = "export board",
    .summary = "the board workbook of an audit, disclosure controlled (.xlsx)",
    .usage = "--audit ID --reason TEXT -o FILE.xlsx [--profile dfe|nhs] [--as USER] "
             "[--data-dir DIR]",
    .define_options = [](OptionSet& o) { export_options(o, true); },
    .run = [](const Invocation& in) { return run_export(in, "board"); },
}};

const Registrar detail{Command{
    .name = "export detail",
    .summary = "the QA detail workbook of an audit: cases, returns, flags, actions (.xlsx)",
    .usage = "--audit ID --reason TEXT -o FILE.xlsx [--as USER] [--data-dir DIR]",
    .define_options = [](OptionSet& o) { export_options(o, false); },
    .run = [](const Invocation& in) { return run_export(in, "detail"); },
}};

const Registrar csv{Command{
    .name = "export csv",
    .summary = "one row per return of an audit, with grades by stage (.csv, QA leads)",
    .usage = "--audit ID --reason TEXT -o FILE.csv [--as USER] [--data-dir DIR]",
    .define_options = [](OptionSet& o) { export_options(o, false); },
    .run = [](const Invocation& in) { return run_export(in, "csv"); },
}};

}  // namespace
}  // namespace pathaudit::cli
