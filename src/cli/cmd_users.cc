// pathaudit users add | disable | reset-password | list
#include <Poco/Util/Option.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "core/errors.h"
#include "service/context.h"
#include "service/users.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

// A usage error, so it is checked before the data directory is opened.
void require_password_stdin(const Invocation& in) {
  if (!in.has("password-stdin")) {
    throw UsageError(
        "passwords are read from standard input only: pass --password-stdin (never put a "
        "password on the command line)");
  }
}

// One line from standard input, without its line end. On a terminal, echo is off while it is
// typed. The password is never printed, logged or put in an error message.
std::string read_password(const Invocation& in) {
  require_password_stdin(in);
  const bool tty = ::isatty(0) == 1;
  termios saved{};
  if (tty && ::tcgetattr(0, &saved) == 0) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(0, TCSANOW, &quiet);
    std::cerr << "password: " << std::flush;
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(0, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!got && line.empty())
    throw core::ValidationError("no password on standard input (one line expected)");
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  return line;
}

std::string one_username(const Invocation& in, const char* command) {
  if (in.args.size() != 1)
    throw UsageError(std::string("users ") + command + " takes one username");
  return in.args[0];
}

int run_add(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("users add takes no arguments");
  service::NewUser user;
  user.username = in.required("username");
  user.display_name = in.required("display-name");
  user.role = in.required("role");
  user.agency = in.value("agency");
  require_password_stdin(in);
  auto ctx = open_context(in);
  // Before the password is typed: an unknown or disabled --as account fails at once.
  const service::Principal who = acting_principal(in, *ctx);
  user.password = read_password(in);
  const auto u = service::add_user(*ctx, who, user);
  std::cout << "user " << u.username << " added: role " << u.role
            << (u.agency.empty() ? "" : ", agency " + u.agency) << "\n";
  return kExitOk;
}

int run_disable(const Invocation& in) {
  const std::string username = one_username(in, "disable");
  auto ctx = open_context(in);
  if (service::disable_user(*ctx, acting_principal(in, *ctx), username)) {
    std::cout << "user " << username << " disabled; their sessions are ended\n";
  } else {
    std::cout << "user " << username << " was already disabled; nothing changed\n";
  }
  return kExitOk;
}

int run_reset(const Invocation& in) {
  const std::string username = one_username(in, "reset-password");
  require_password_stdin(in);
  auto ctx = open_context(in);
  const service::Principal who = acting_principal(in, *ctx);
  const std::string password = read_password(in);
  service::reset_password(*ctx, who, username, password);
  std::cout << "password of " << username << " reset; their sessions are ended\n";
  return kExitOk;
}

int run_list(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("users list takes no arguments");
  auto ctx = open_context(in);
  Table table({"username", "display_name", "role", "agency", "status", "created_at"});
  for (const auto& u : service::list_users(*ctx, acting_principal(in, *ctx))) {
    table.add({u.username, u.display_name, u.role, u.agency, u.disabled ? "disabled" : "active",
               u.created_at});
  }
  table.print(std::cout, in.format);
  return kExitOk;
}

void password_option(OptionSet& o) {
  o.addOption(Option("password-stdin", "", "read the password (one line) from standard input"));
}

const Registrar add{Command{
    .name = "users add",
    .summary = "add a local account (password from standard input)",
    .usage = "--username U --display-name N --role admin|qa_lead|auditor|board [--agency CODE] "
             "--password-stdin [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("username", "", "a-z 0-9 . _ - @, up to 64 characters")
                          .argument("U")
                          .repeatable(false));
          o.addOption(Option("display-name", "", "the person's name as shown to colleagues")
                          .argument("N")
                          .repeatable(false));
          o.addOption(Option("role", "", "admin, qa_lead, auditor or board")
                          .argument("ROLE")
                          .repeatable(false));
          o.addOption(Option("agency", "", "agency code (required for auditors)")
                          .argument("CODE")
                          .repeatable(false));
          password_option(o);
          as_option(o);
        },
    .run = run_add,
}};

const Registrar disable{Command{
    .name = "users disable",
    .summary = "disable an account and end its sessions",
    .usage = "USERNAME [--as USER] [--data-dir DIR]",
    .define_options = as_option,
    .run = run_disable,
}};

const Registrar reset{Command{
    .name = "users reset-password",
    .summary = "set a new password (from standard input) and end the account's sessions",
    .usage = "USERNAME --password-stdin [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          password_option(o);
          as_option(o);
        },
    .run = run_reset,
}};

const Registrar list{Command{
    .name = "users list",
    .summary = "list accounts: username, name, role, agency, status (never passwords)",
    .usage = "[--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_list,
}};

}  // namespace
}  // namespace pathaudit::cli
