// pathaudit synth
#include <Poco/Util/Option.h>

#include <charconv>
#include <cstdint>
#include <iostream>
#include <string>
#include <system_error>

#include "cli/command.h"
#include "core/date.h"
#include "core/errors.h"
#include "service/synth.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;

template <class N>
bool parse_whole(const std::string& text, N& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && ptr == end;
}

core::Date parse_date(const char* option, const std::string& text) {
  const auto d = core::Date::parse_iso(text);
  if (!d)
    throw core::ValidationError(std::string("--") + option + " expects a date as YYYY-MM-DD");
  return *d;
}

int run_synth(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("synth takes no arguments");
  service::SynthOptions options;
  if (!parse_whole(in.required("seed"), options.seed))
    throw core::ValidationError("--seed expects a whole number from 0 to 18446744073709551615");
  if (!parse_whole(in.required("children"), options.children))
    throw core::ValidationError("--children expects a whole number from 1 to " +
                                std::to_string(service::kSynthMaxChildren));
  options.out_dir = in.required("out");
  if (auto start = in.value("start"))
    options.start = parse_date("start", *start);
  if (auto end = in.value("end"))
    options.end = parse_date("end", *end);

  const service::SynthSummary s = service::generate_synthetic_partnership(options);
  std::cout << "wrote " << s.children << " synthetic children (" << s.families << " families), "
            << s.events << " events and " << s.injected_gaps() << " injected gaps to " << s.out_dir
            << "\n  events:";
  for (const auto& [agency, n] : s.events_per_agency)
    std::cout << " " << agency << " " << n;
  std::cout << "\n  gaps:";
  for (const auto& g : s.gaps)
    std::cout << " " << g.rule << " " << g.injected;
  std::cout << "\n  truth: " << s.out_dir << "/truth/ (events.csv, gaps.csv, summary.json)\n";
  return kExitOk;
}

const Registrar registrar{Command{
    .name = "synth",
    .summary = "generate a synthetic partnership (import CSVs and truth files)",
    .usage = "--seed S --children N --out DIR [--start YYYY-MM-DD] [--end YYYY-MM-DD]",
    .uses_data_dir = false,
    .define_options =
        [](Poco::Util::OptionSet& options) {
          options.addOption(Option("seed", "", "random seed: the same seed writes the same bytes")
                                .argument("S")
                                .repeatable(false));
          options.addOption(Option("children", "", "number of children (1 to 900000)")
                                .argument("N")
                                .repeatable(false));
          options.addOption(
              Option("out", "",
                     "output directory: created if missing; may hold only an earlier synth's "
                     "output, which is replaced")
                  .argument("DIR")
                  .repeatable(false));
          options.addOption(Option("start", "", "first event date (default 2023-01-01)")
                                .argument("YYYY-MM-DD")
                                .repeatable(false));
          options.addOption(
              Option("end", "", "last event date (default 2025-12-31; at least 730 days on)")
                  .argument("YYYY-MM-DD")
                  .repeatable(false));
        },
    .run = run_synth,
}};

}  // namespace
}  // namespace pathaudit::cli
