// The subcommand registry. Each subcommand lives in its own cmd_*.cc, declares its options and
// translates them into one service call: no business logic here. Registration happens during static
// initialisation of the pathaudit executable; the registry is read-only afterwards.
#pragma once

#include <Poco/Util/OptionSet.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pathaudit::cli {

// A command line that cannot be understood: exit 64 with a one-line reason.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the user typed, after option parsing.
class Invocation {
 public:
  std::map<std::string, std::vector<std::string>> options;
  std::vector<std::string> args;  // positional arguments after the command words

  bool has(const std::string& name) const { return options.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::string required(const std::string& name) const;  // UsageError when absent
  // Whole numbers: digits only (no sign, spaces or leading '+'), in range, else UsageError naming
  // the option. `fallback` when the option is absent.
  int integer(const std::string& name, int fallback) const;
  std::int64_t int64(const std::string& name, std::int64_t fallback) const;
  std::uint64_t uint64(const std::string& name, std::uint64_t fallback) const;

  // --data-dir, else $PATHAUDIT_DATA_DIR, else ./pathaudit-data.
  std::string data_dir() const;
  // Command-line settings that override pathaudit.properties and the environment.
  std::map<std::string, std::string> setting_overrides() const;
  // --format, already checked against the command's formats; the first format when absent.
  std::string format;
};

// An object id typed on the command line (an audit, a flag, ...): a whole number from 1, digits
// only. Otherwise UsageError "<what> must be a whole number from 1", e.g. what = "the audit id".
std::int64_t parse_id(const std::string& text, const char* what);

struct Command {
  std::string name;     // "init", "keys status"
  std::string summary;  // one line for `pathaudit --help`
  std::string usage;    // what follows "pathaudit <name>" in its help
  bool uses_data_dir = true;
  std::vector<std::string> formats;  // allowed --format values, default first; empty: no --format
  std::function<void(Poco::Util::OptionSet&)> define_options = [](Poco::Util::OptionSet&) {};
  std::function<int(const Invocation&)> run;
};

const std::vector<Command>& commands();

// Registers a command at static initialisation: `static Registrar r{Command{...}};`.
struct Registrar {
  explicit Registrar(Command command);
};

// Exit statuses (DESIGN.md section 6, contract).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 64;
constexpr int kExitDataError = 65;

}  // namespace pathaudit::cli
