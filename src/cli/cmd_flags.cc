// pathaudit flags, flags summary, flags recompute, flags confirm, flags dismiss
#include <Poco/Util/Option.h>

#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "service/context.h"
#include "service/flags.h"

namespace pathaudit::cli {
namespace {

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : sep) + p;
  return out;
}

int run_flags(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("flags takes no arguments (did you mean `flags summary`?)");
  store::FlagFilter filter;
  filter.rule_id = in.value("rule").value_or("");
  filter.status = in.value("status").value_or("");
  if (!filter.status.empty() && filter.status != "open" && filter.status != "confirmed" &&
      filter.status != "dismissed")
    throw UsageError("--status expects open, confirmed or dismissed");
  auto ctx = open_context(in);
  const auto rows = service::flag_report(*ctx, acting_principal(in, *ctx), filter);
  // The csv columns are the contract of DESIGN.md section 5; table and json add id and status,
  // which `flags confirm|dismiss` need.
  const bool contract = in.format == "csv";
  Table table(contract ? std::vector<std::string>{"rule", "severity", "agency", "event_refs",
                                                  "child_key", "detail"}
                       : std::vector<std::string>{"id", "rule", "severity", "status", "agency",
                                                  "event_refs", "child_key", "detail"});
  for (const auto& r : rows) {
    const std::string refs = join(r.event_refs, ";");
    if (contract)
      table.add({r.rule, r.severity, r.agency, refs, r.child_key, r.detail});
    else
      table.add({std::to_string(r.id), r.rule, r.severity, r.status, r.agency, refs, r.child_key,
                 r.detail});
  }
  table.print(std::cout, in.format);
  return kExitOk;
}

int run_summary(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("flags summary takes no arguments");
  auto ctx = open_context(in);
  Table table({"rule", "severity", "status", "count"});
  for (const auto& c : service::flag_summary(*ctx, acting_principal(in, *ctx)))
    table.add({c.rule_id, c.severity, c.status, std::to_string(c.count)});
  table.print(std::cout, in.format);
  return kExitOk;
}

int run_recompute(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("flags recompute takes no arguments");
  auto ctx = open_context(in);
  const auto r = service::recompute_flags(*ctx, acting_principal(in, *ctx));
  std::cout << "rule set " << r.rule_set << ": " << r.stats.events << " events of "
            << r.stats.children << " children";
  if (r.horizon)
    std::cout << " (data up to " << r.horizon->iso() << ")";
  std::cout << "\n";
  for (const auto& [rule, n] : r.by_rule)
    std::cout << "  " << rule << std::string(rule.size() < 26 ? 26 - rule.size() : 1, ' ') << n
              << "\n";
  std::cout << r.sync.inserted << " new, " << r.sync.kept << " unchanged, " << r.sync.removed
            << " withdrawn (" << r.sync.removed_reviewed << " of them had been reviewed)\n";
  if (r.stats.outside_calendar > 0)
    std::cout << "warning: " << r.stats.outside_calendar
              << " timescale checks not made: dates outside the working-day calendar\n";
  return kExitOk;
}

int run_review(const Invocation& in, const std::string& status) {
  if (in.args.size() != 1)
    throw UsageError("give one flag id");
  const std::int64_t id = parse_id(in.args[0], "a flag id");
  refuse_text_on_command_line(in, "reason", "reason-file");
  std::string reason = read_text_option(in, "reason-file", 64 * 1024);
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r'))
    reason.pop_back();
  auto ctx = open_context(in);
  service::review_flag(*ctx, acting_principal(in, *ctx), id, status, reason);
  std::cout << "flag " << id << " " << status << "\n";
  return kExitOk;
}

void reason_option(Poco::Util::OptionSet& options) {
  options.addOption(Poco::Util::Option("reason-file", "",
                                       "file holding why, or - for standard input (required; "
                                       "stored encrypted; never on the command line)")
                        .argument("FILE")
                        .repeatable(false));
  refused_text_option(options, "reason", "reason-file");
  as_option(options);
}

const Registrar flags_command{Command{
    .name = "flags",
    .summary = "the gaps the rules found, with their evidence",
    .usage = "[--data-dir DIR] [--rule RULE] [--status open|confirmed|dismissed] "
             "[--as USER] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options =
        [](Poco::Util::OptionSet& options) {
          options.addOption(Poco::Util::Option("rule", "", "only this rule id")
                                .argument("RULE")
                                .repeatable(false));
          options.addOption(Poco::Util::Option("status", "", "only flags with this status")
                                .argument("STATUS")
                                .repeatable(false));
          as_option(options);
        },
    .run = run_flags,
}};

const Registrar summary_command{Command{
    .name = "flags summary",
    .summary = "flag counts by rule, severity and status (no case content)",
    .usage = "[--data-dir DIR] [--as USER] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_summary,
}};

const Registrar recompute_command{Command{
    .name = "flags recompute",
    .summary = "recompute every flag with the current rule set",
    .usage = "[--data-dir DIR] [--rules FILE] [--as USER]",
    .define_options =
        [](Poco::Util::OptionSet& options) {
          options.addOption(
              Poco::Util::Option("rules", "", "rule set file (default: the `rules` setting)")
                  .argument("FILE")
                  .repeatable(false));
          as_option(options);
        },
    .run = run_recompute,
}};

const Registrar confirm_command{Command{
    .name = "flags confirm",
    .summary = "confirm a flag as a real gap, with a reason",
    .usage = "[--data-dir DIR] ID --reason-file FILE|- [--as USER]",
    .define_options = reason_option,
    .run = [](const Invocation& in) { return run_review(in, "confirmed"); },
}};

const Registrar dismiss_command{Command{
    .name = "flags dismiss",
    .summary = "dismiss a flag, with a reason",
    .usage = "[--data-dir DIR] ID --reason-file FILE|- [--as USER]",
    .define_options = reason_option,
    .run = [](const Invocation& in) { return run_review(in, "dismissed"); },
}};

}  // namespace
}  // namespace pathaudit::cli
