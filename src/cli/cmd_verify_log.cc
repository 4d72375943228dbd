// pathaudit verify-log
#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "service/context.h"
#include "service/verify_log.h"

namespace pathaudit::cli {
namespace {

int run_verify_log(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("verify-log takes no arguments");
  auto ctx = open_context(in);
  const store::AuditLogVerification v = service::verify_log(*ctx, acting_principal(in, *ctx));
  if (v.ok) {
    std::cout << "OK: " << v.entries << " entries, chain intact; head " << v.head_hash << "\n";
    return kExitOk;
  }
  std::cout << "BROKEN at entry " << *v.first_bad_seq << ": " << v.problem << "\n";
  return kExitFailure;
}

const Registrar registrar{Command{
    .name = "verify-log",
    .summary = "check the audit log's hash chain",
    .usage = "[--as USER] [--data-dir DIR]",
    .define_options = as_option,
    .run = run_verify_log,
}};

}  // namespace
}  // namespace pathaudit::cli
