// pathaudit init
#include <Poco/Util/Option.h>

#include <iostream>

#include "cli/command.h"
#include "service/context.h"
#include "service/init.h"

namespace pathaudit::cli {
namespace {

int run_init(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("init takes no arguments");
  service::InitRequest request;
  request.data_dir = in.data_dir();
  request.partnership_file = in.value("partnership");
  request.master_key_file = in.value("master-key-file");
  request.actor = service::cli_actor();
  const service::InitResult result = service::initialise(request);
  for (const std::string& line : result.did)
    std::cout << line << "\n";
  return kExitOk;
}

const Registrar registrar{Command{
    .name = "init",
    .summary = "create and initialise a data directory",
    .usage = "[--data-dir DIR] [--partnership FILE.json] [--master-key-file FILE]",
    .define_options =
        [](Poco::Util::OptionSet& options) {
          options.addOption(
              Poco::Util::Option("partnership", "", "partnership file: name and agencies (JSON)")
                  .argument("FILE")
                  .repeatable(false));
        },
    .run = run_init,
}};

}  // namespace
}  // namespace pathaudit::cli
