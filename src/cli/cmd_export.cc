// pathaudit export board | detail | csv
#include <Poco/Util/Option.h>

#include <filesystem>
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
    const auto p = exports::parse_profile(*profile);
    if (!p)
      throw UsageError("--profile expects dfe or nhs");
    request.profile = *p;
  }
  // Refused before anything is made: an export is never left waiting for want of a free name.
  if (std::filesystem::exists(std::filesystem::symlink_status(output)))
    throw core::ValidationError(output + ": exists already; pathaudit never overwrites a file");
  auto ctx = open_context(in);
  const service::Principal who = acting_principal(in, *ctx);
  const auto m = service::create_export(*ctx, who, request);
  try {
    service::deliver_export(*ctx, who, m.id, output);
  } catch (const core::Error& e) {
    std::cerr << "pathaudit: export " << m.id << " was made but not delivered; fetch it with "
              << "`pathaudit export fetch " << m.id << " -o FILE` before it expires at "
              << m.expires_at << "\n";
    throw;
  }
  std::cout << "export " << m.id << " (" << kind << ", audit " << m.audit_id
            << (kind == "board" ? ", disclosure control " + m.profile : std::string()) << ", "
            << m.rows << " rows) written to " << output << "\nsha256 " << m.sha256
            << " (in the audit log, with the manifest that holds the reason)\n";
  if (kind != "board")
    std::cout << "this file holds case data: keep it where only QA leads can read it\n";
  return kExitOk;
}

int run_fetch(const Invocation& in) {
  if (in.args.size() != 1)
    throw UsageError("export fetch takes one export (manifest) id");
  const std::int64_t id = parse_id(in.args[0], "an export id");
  const std::string output = in.required("output");
  auto ctx = open_context(in);
  service::deliver_export(*ctx, acting_principal(in, *ctx), id, output);
  std::cout << "export " << id << " written to " << output << "\n";
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

const Registrar fetch{Command{
    .name = "export fetch",
    .summary = "collect an export that is waiting in the data directory (QA lead, or board for "
               "board workbooks)",
    .usage = "ID -o FILE [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("output", "o", "the file to write (never overwritten)")
                          .argument("FILE")
                          .repeatable(false));
          as_option(o);
        },
    .run = run_fetch,
}};

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
