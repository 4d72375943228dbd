// pathaudit keys status | rotate-master | rotate-data-key | shred
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Util/Option.h>

#include <cstdlib>
#include <iomanip>
#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "service/context.h"
#include "service/keys.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

std::unique_ptr<service::Context> open_without_arguments(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("this command takes no arguments");
  return open_context(in);
}

int run_status(const Invocation& in) {
  auto ctx = open_without_arguments(in);
  Table table({"id", "purpose", "state", "primary", "created_at", "sealed_fields"});
  for (const auto& k : service::key_status(*ctx, acting_principal(in, *ctx))) {
    table.add({std::to_string(k.id), k.purpose, k.state, k.primary ? "yes" : "no", k.created_at,
               std::to_string(k.sealed_fields)});
  }
  table.print(std::cout, in.format);
  return kExitOk;
}

int run_rotate_master(const Invocation& in) {
  auto ctx = open_without_arguments(in);
  const std::string file = in.required("new-master-key-file");
  const int n = service::rotate_master_key(*ctx, acting_principal(in, *ctx), file);
  std::cout << "re-wrapped " << n << " data keys under the new master key; "
            << ctx->settings().properties_path() << " now points at " << file << "\n"
            << "keep the old master key until every backup made with it has expired\n";
  if (std::getenv("PATHAUDIT_MASTER_KEY_FILE")) {
    std::cerr << "pathaudit: note: PATHAUDIT_MASTER_KEY_FILE is set and overrides the properties "
                 "file; point it at the new key\n";
  }
  return kExitOk;
}

int run_rotate_data_key(const Invocation& in) {
  auto ctx = open_without_arguments(in);
  const service::Principal who = acting_principal(in, *ctx);
  const bool tty = isatty(2);
  auto progress = [&](const service::RotationProgress& p) {
    if (tty)
      std::cerr << "\rre-sealed " << p.resealed << " fields" << std::flush;
  };
  const auto p =
      service::rotate_data_key(*ctx, who, in.value("purpose").value_or("field"), in.has("resume"),
                               in.integer("batch-size", 1000), progress);
  if (tty)
    std::cerr << "\n";
  std::cout << "primary key for " << in.value("purpose").value_or("field") << " is now "
            << p.new_key_id << "; re-sealed " << p.resealed << " fields";
  if (p.remaining == 0) {
    std::cout << "; no field is left under an older key\n";
    return kExitOk;
  }
  std::cout << "; " << p.remaining << " remain: run again with --resume\n";
  return kExitFailure;
}

int run_shred(const Invocation& in) {
  auto ctx = open_without_arguments(in);
  const int id = in.integer("key-id", 0);
  const int confirm = in.integer("confirm", -1);
  if (id <= 0)
    throw UsageError("--key-id expects a key id from `pathaudit keys status`");
  const auto lost =
      service::shred_data_key(*ctx, acting_principal(in, *ctx), static_cast<std::uint32_t>(id),
                              static_cast<std::uint32_t>(confirm < 0 ? 0 : confirm));
  std::cout << "data key " << id << " shredded; " << lost << " fields can never be opened again\n";
  return kExitOk;
}

const Registrar status{Command{
    .name = "keys status",
    .summary = "list data keys: ids, purposes, states (never key bytes)",
    .usage = "[--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_status,
}};

const Registrar rotate_master{Command{
    .name = "keys rotate-master",
    .summary = "re-wrap every data key under a new master key",
    .usage = "--new-master-key-file FILE [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("new-master-key-file", "", "the new master key (32 bytes, mode 0400)")
                          .argument("FILE")
                          .required(true)
                          .repeatable(false));
          as_option(o);
        },
    .run = run_rotate_master,
}};

const Registrar rotate_data{Command{
    .name = "keys rotate-data-key",
    .summary = "make a new field-encryption key and re-seal every field under it",
    .usage = "[--purpose field] [--resume] [--batch-size N] [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("purpose", "", "key purpose (only field can rotate)")
                          .argument("PURPOSE")
                          .repeatable(false));
          o.addOption(Option("resume", "", "continue an interrupted re-seal; make no new key"));
          o.addOption(Option("batch-size", "", "fields re-sealed per transaction (default 1000)")
                          .argument("N")
                          .repeatable(false));
          as_option(o);
        },
    .run = run_rotate_data_key,
}};

const Registrar shred{Command{
    .name = "keys shred",
    .summary = "crypto-shred a retired data key: what it sealed is gone for ever",
    .usage = "--key-id N --confirm N [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("key-id", "", "the retired key to destroy")
                          .argument("N")
                          .required(true)
                          .repeatable(false));
          o.addOption(Option("confirm", "", "repeat the key id to confirm")
                          .argument("N")
                          .required(true)
                          .repeatable(false));
          as_option(o);
        },
    .run = run_shred,
}};

}  // namespace
}  // namespace pathaudit::cli
