// pathaudit backup | restore
#include <Poco/Util/Option.h>

#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "service/backup.h"
#include "service/context.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

int run_backup(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("this command takes no arguments; give the backup file with -o FILE");
  const std::string output = in.required("output");
  auto ctx = open_context(in);
  const auto m = service::create_backup(*ctx, acting_principal(in, *ctx), output);
  std::cout << "backup written to " << m.file << " (" << m.bytes << " bytes, schema "
            << m.schema_version << ", " << m.audit_log_entries << " audit-log entries)\n"
            << "manifest " << m.manifest_file << "\nsha256 " << m.sha256 << "\naudit log head "
            << m.audit_log_head << "\n"
            << "the master key is not in the backup: keep it, separately, for as long as the "
               "backup\n";
  return kExitOk;
}

int run_restore(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("this command takes no arguments; give the backup file with --from FILE");
  service::RestoreRequest r;
  r.data_dir = in.data_dir();
  r.overrides = in.setting_overrides();
  r.from = in.required("from");
  r.confirm = in.has("confirm");
  r.as_username = in.value("as").value_or("");
  r.actor = service::cli_actor();
  const auto result = service::restore_backup(r);
  const auto& m = result.backup;
  std::cout << "verified " << m.file << ": sha256 matches its manifest, integrity check ok, schema "
            << m.schema_version << ", audit log intact (" << m.audit_log_entries
            << " entries, head " << m.audit_log_head << "), " << result.data_keys_unwrapped
            << " data keys unwrap under the master key\n";
  if (!result.done) {
    std::cout << "dry run: would " << (result.replaces ? "replace " : "create ") << result.database
              << " with this backup (made " << m.created_at << ")";
    if (result.replaces)
      std::cout << ", keeping the current database as " << result.previous_kept;
    std::cout << "; nothing changed. Stop every pathaudit process using the data directory, then "
                 "run again with --confirm\n";
    return kExitOk;
  }
  std::cout << "restored " << result.database << " from the backup made " << m.created_at << "\n";
  if (result.replaces)
    std::cout << "the previous database is kept as " << result.previous_kept
              << ": delete it once you are satisfied (it holds case content too)\n";
  return kExitOk;
}

const Registrar backup{Command{
    .name = "backup",
    .summary = "copy the database, consistently while in use, to a new file with a manifest",
    .usage = "-o FILE [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("output", "o",
                             "the backup file to create (never overwritten); its manifest is "
                             "FILE.manifest.json")
                          .argument("FILE")
                          .required(true)
                          .repeatable(false));
          as_option(o);
        },
    .run = run_backup,
}};

const Registrar restore{Command{
    .name = "restore",
    .summary = "verify a backup and, with --confirm, replace the database with it",
    .usage = "--from FILE [--confirm] [--master-key-file FILE] [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("from", "", "the backup file (with FILE.manifest.json beside it)")
                          .argument("FILE")
                          .required(true)
                          .repeatable(false));
          o.addOption(Option("confirm", "",
                             "replace the database; without it, verify and say what would happen"));
          as_option(o);
        },
    .run = run_restore,
}};

}  // namespace
}  // namespace pathaudit::cli
