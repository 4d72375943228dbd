// pathaudit sample
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

int run_sample(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("sample takes no arguments");
  service::SampleOptions options;
  options.audit_id = parse_id(in.required("audit"), "--audit");
  in.required("size");  // a UsageError when absent
  options.size = in.int64("size", 0);
  in.required("seed");
  options.seed = in.uint64("seed", 0);
  options.strata = in.value("strata").value_or("");
  options.include_flagged = in.int64("include-flagged", 0);

  auto ctx = open_context(in);
  const auto r = service::draw_audit_sample(*ctx, acting_principal(in, *ctx), options);
  Table table({"child_key", "stratum", "flagged"});
  for (const auto& c : r.cases)
    table.add({c.child_key, c.stratum, c.flagged ? "yes" : "no"});
  table.print(std::cout, in.format);
  std::cerr << "sample " << r.sample_id << " of audit " << options.audit_id << ": "
            << r.cases.size() << " of " << r.population_size << " children, seed " << r.seed << ", "
            << r.method << "; population sha256 " << r.population_hash << "\n";
  if (r.replaced_sample_id)
    std::cerr << "replaced sample " << *r.replaced_sample_id << " (recorded in the audit log)\n";
  return kExitOk;
}

const Registrar registrar{Command{
    .name = "sample",
    .summary = "draw an audit's sample: seeded, optionally stratified, reproducible",
    .usage = "--audit ID --size N --seed S [--strata agency|entry_point|age_band|category] "
             "[--include-flagged K] [--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("audit", "", "the audit (see `pathaudit audit list`)")
                          .argument("ID")
                          .repeatable(false));
          o.addOption(
              Option("size", "", "number of children to sample").argument("N").repeatable(false));
          o.addOption(Option("seed", "",
                             "random seed, 0 to 18446744073709551615: the same population and "
                             "seed draw the same sample")
                          .argument("S")
                          .repeatable(false));
          o.addOption(Option("strata", "",
                             "stratify by agency, entry_point, age_band or category, with "
                             "proportional allocation (default: no strata)")
                          .argument("KIND")
                          .repeatable(false));
          o.addOption(Option("include-flagged", "",
                             "draw K children with open or confirmed flags first (default 0)")
                          .argument("K")
                          .repeatable(false));
          as_option(o);
        },
    .run = run_sample,
}};

}  // namespace
}  // namespace pathaudit::cli
