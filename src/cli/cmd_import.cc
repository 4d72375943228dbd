// pathaudit import, pathaudit links
#include <Poco/Util/Option.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "service/context.h"
#include "service/import.h"
#include "service/links.h"

namespace pathaudit::cli {
namespace {

// A one-line progress bar on a terminal; silent otherwise (logs and pipes get the summary only).
class ProgressBar {
 public:
  ProgressBar() : enabled_(::isatty(2) == 1), start_(std::chrono::steady_clock::now()) {}
  void update(std::uint64_t done, std::uint64_t total, std::uint64_t rows) {
    if (!enabled_ || total == 0)
      return;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double fraction = static_cast<double>(done) / static_cast<double>(total);
    const double rate = secs > 0 ? static_cast<double>(rows) / secs : 0;
    const double eta = fraction > 0 ? secs * (1 - fraction) / fraction : 0;
    const int width = 30, filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r[%s%s] %3d%%  %llu rows  %.0f rows/s  ETA %.0fs ",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(),
                 static_cast<int>(fraction * 100), static_cast<unsigned long long>(rows), rate,
                 eta);
    drawn_ = true;
  }
  ~ProgressBar() {
    if (drawn_)
      std::fprintf(stderr, "\r%80s\r", "");
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

int run_import(const Invocation& in) {
  if (in.args.empty())
    throw UsageError("import needs at least one CSV file");
  auto ctx = open_context(in);
  service::ImportOptions options;
  options.ignore_unknown_columns = in.has("ignore-unknown-columns");
  service::ImportResult result;
  {
    ProgressBar bar;
    options.progress = [&](std::uint64_t done, std::uint64_t total, std::uint64_t rows) {
      bar.update(done, total, rows);
    };
    result = service::import_files(*ctx, acting_principal(in, *ctx), in.args, options);
  }
  for (const auto& f : result.files) {
    std::cout << f.file << ": " << f.rows << " rows, sha256 " << f.sha256 << "\n";
  }
  std::cout << "import " << result.import_id << ": " << result.inserted << " events added, "
            << result.updated << " updated; " << result.children << " children after linkage ("
            << result.links_changed << " links changed)\n";
  return kExitOk;
}

int run_links(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("links takes no arguments");
  auto ctx = open_context(in);
  Table table({"agency", "event_ref", "child_key", "tier"});
  for (auto& r : service::link_report(*ctx, acting_principal(in, *ctx))) {
    table.add({r.agency, r.event_ref, r.child_key, r.tier});
  }
  table.print(std::cout, in.format);
  return kExitOk;
}

const Registrar import_command{Command{
    .name = "import",
    .summary = "import agency extracts (CSV): all files or nothing",
    .usage = "[--data-dir DIR] [--ignore-unknown-columns] [--as USER] FILE.csv [FILE.csv ...]",
    .define_options =
        [](Poco::Util::OptionSet& options) {
          options.addOption(Poco::Util::Option("ignore-unknown-columns", "",
                                               "skip columns the import format does not define"));
          as_option(options);
        },
    .run = run_import,
}};

const Registrar links_command{Command{
    .name = "links",
    .summary = "how each event was linked to a child (agency, event_ref, child_key, tier)",
    .usage = "[--data-dir DIR] [--as USER] [--format csv|table|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_links,
}};

}  // namespace
}  // namespace pathaudit::cli
