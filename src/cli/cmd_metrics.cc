// pathaudit metrics
#include <Poco/Util/Option.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/date.h"
#include "service/context.h"
#include "service/metrics.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;

std::string proportion_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", value);
  return buf;
}

int run_metrics(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("metrics takes no arguments");
  service::MetricsOptions options;
  options.from = in.value("from");
  options.to = in.value("to");
  if (auto q = in.value("quarters")) {
    options.quarters = core::parse_quarter_scheme(*q);
    if (!options.quarters)
      throw UsageError("--quarters expects financial or calendar");
  }
  auto overrides = in.setting_overrides();
  if (auto file = in.value("definitions"))
    overrides["metrics_definitions"] = *file;
  auto ctx = service::Context::open({in.data_dir(), overrides, service::cli_actor()});
  const service::MetricsReport report =
      service::compute_metrics(*ctx, acting_principal(in, *ctx), options);

  Table table({"measure", "quarter", "value", "numerator", "denominator"});
  for (const core::MetricRow& r : report.rows) {
    if (!r.denominator) {
      table.add({r.measure, r.quarter.label(), std::to_string(r.numerator), "", ""});
      continue;
    }
    const auto value = r.value();
    table.add({r.measure, r.quarter.label(), value ? proportion_text(*value) : "",
               std::to_string(r.numerator), std::to_string(*r.denominator)});
  }
  table.print(std::cout, in.format);
  if (in.format != "table")
    return kExitOk;

  // For people: what each number counts, and where the extract ends.
  std::cout << "\nquarters: "
            << (report.quarters == core::QuarterScheme::financial
                    ? "UK financial year (Q1 = April to June)"
                    : "calendar year (Q1 = January to March)")
            << "; definitions " << report.definitions_id << " version "
            << report.definitions_version << " (" << report.definitions_file << ")\n";
  if (report.last_event && !report.rows.empty() &&
      report.rows.back().quarter.last_day() > *report.last_event) {
    std::cout << "the latest imported event is dated " << report.last_event->iso() << ": "
              << report.rows.back().quarter.label() << " is incomplete\n";
  }
  for (const service::MeasureSummary& m : report.measures) {
    std::cout << "\n" << m.id << ": " << m.title << "\n  " << m.definition << "\n";
    if (!m.source.empty())
      std::cout << "  Source: " << m.source << "\n";
  }
  return kExitOk;
}

const Registrar registrar{Command{
    .name = "metrics",
    .summary = "baseline measures by quarter (CSA referrals, CP and CIN plans, police, referrals)",
    .usage = "[--data-dir DIR] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--definitions FILE] "
             "[--quarters financial|calendar] [--as USER] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options =
        [](Poco::Util::OptionSet& options) {
          options.addOption(
              Option("from", "",
                     "first quarter: the one containing this date (default: earliest event)")
                  .argument("YYYY-MM-DD")
                  .repeatable(false));
          options.addOption(
              Option("to", "", "last quarter: the one containing this date (default: latest event)")
                  .argument("YYYY-MM-DD")
                  .repeatable(false));
          options.addOption(
              Option("definitions", "",
                     "local measure definitions (default: setting "
                     "metrics_definitions, else audit-templates/metrics/default.json)")
                  .argument("FILE")
                  .repeatable(false));
          options.addOption(Option("quarters", "",
                                   "financial (Q1 = April to June) or calendar; default from the "
                                   "definitions file")
                                .argument("SCHEME")
                                .repeatable(false));
          as_option(options);
        },
    .run = run_metrics,
}};

}  // namespace
}  // namespace pathaudit::cli
