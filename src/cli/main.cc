// The pathaudit executable: picks the subcommand from the first words of the command line, lets
// Poco::Util::Application parse that subcommand's options, runs it, and maps errors to exit
// statuses in this one place.
#include <Poco/Exception.h>
#include <Poco/Util/Application.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionSet.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "cli/command.h"
#include "core/errors.h"
#include "service/init.h"
#include "service/input_error.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

// The command whose name matches the longest prefix of the positional words, and how many words
// that name used ("keys status" uses two).
std::pair<const Command*, int> find_command(int argc, char** argv) {
  std::vector<std::string> words;
  for (int i = 1; i < argc && argv[i][0] != '-' && words.size() < 2; ++i)
    words.push_back(argv[i]);
  const Command* best = nullptr;
  int used = 0;
  for (const Command& c : commands()) {
    std::string joined;
    for (std::size_t n = 0; n < words.size(); ++n) {
      joined += (n ? " " : "") + words[n];
      if (c.name == joined && static_cast<int>(n + 1) > used) {
        best = &c;
        used = static_cast<int>(n + 1);
      }
    }
  }
  return {best, used};
}

void print_overview(std::ostream& out, const std::string& group) {
  out << "usage: pathaudit " << (group.empty() ? "COMMAND" : group + " COMMAND")
      << " [options] [arguments]\n\n"
         "A multi-agency audit service for the Child Sexual Abuse Response Pathway.\n\n"
         "commands:\n";
  std::vector<const Command*> sorted;
  for (const Command& c : commands())
    sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(),
            [](const Command* a, const Command* b) { return a->name < b->name; });
  for (const Command* cp : sorted) {
    const Command& c = *cp;
    if (!group.empty() && c.name.rfind(group + " ", 0) != 0)
      continue;
    out << "  " << c.name << std::string(c.name.size() < 24 ? 24 - c.name.size() : 1, ' ')
        << c.summary << "\n";
  }
  out << "\nRun `pathaudit COMMAND --help` for a command's options. Exit status: 0 success, 64 "
         "usage, 65 bad input data, 1 other failure.\n";
}

class App : public Poco::Util::Application {
 public:
  App(const Command* command, int words) : command_(command), words_(words) {
    setUnixOptions(true);
  }

  bool help_requested() const { return help_; }

 protected:
  void defineOptions(OptionSet& options) override {
    options.addOption(Option("help", "h", "show this help and exit"));
    if (!command_) {
      options.addOption(Option("version", "", "print the version and exit"));
      return;
    }
    if (command_->uses_data_dir) {
      options.addOption(Option("data-dir", "",
                               "data directory (default $PATHAUDIT_DATA_DIR, else "
                               "./pathaudit-data)")
                            .argument("DIR")
                            .repeatable(false));
      options.addOption(
          Option("master-key-file", "", "master key file (overrides pathaudit.properties)")
              .argument("FILE")
              .repeatable(false));
    }
    if (!command_->formats.empty()) {
      std::string list;
      for (const auto& f : command_->formats)
        list += (list.empty() ? "" : "|") + f;
      options.addOption(
          Option("format", "",
                 "output format: " + list + " (default " + command_->formats.front() + ")")
              .argument("FORMAT")
              .repeatable(false));
    }
    command_->define_options(options);
  }

  void handleOption(const std::string& name, const std::string& value) override {
    Application::handleOption(name, value);
    if (name == "help") {
      help_ = true;
      stopOptionsProcessing();
    }
    invocation_.options[name].push_back(value);
  }

  int main(const ArgVec& args) override {
    if (help_) {
      print_help();
      return kExitOk;
    }
    if (!command_) {
      if (invocation_.has("version")) {
        std::cout << "pathaudit " << PATHAUDIT_VERSION << " (database schema "
                  << service::schema_version_supported() << ")\n";
        return kExitOk;
      }
      if (args.empty()) {
        print_overview(std::cerr, "");
        return kExitUsage;
      }
      // A group word alone ("pathaudit keys") lists that group's commands.
      bool group = false;
      for (const Command& c : commands())
        group = group || c.name.rfind(args[0] + " ", 0) == 0;
      if (group) {
        print_overview(std::cerr, args[0]);
        return kExitUsage;
      }
      return usage_error("unknown command \"" + args[0] + "\"; run `pathaudit --help`");
    }
    invocation_.args.assign(args.begin() + words_, args.end());
    return dispatch();
  }

 private:
  int usage_error(const std::string& why) {
    std::cerr << "pathaudit: " << why << "\n";
    return kExitUsage;
  }

  void print_help() {
    Poco::Util::HelpFormatter help(options());
    help.setUnixStyle(true);
    help.setWidth(100);
    if (command_) {
      help.setCommand("pathaudit " + command_->name);
      help.setUsage(command_->usage);
      help.setHeader(command_->summary);
      help.format(std::cout);
    } else {
      print_overview(std::cout, "");
      std::cout << "\noptions:\n";
      help.setCommand("pathaudit");
      help.setUsage("");
      help.format(std::cout);
    }
  }

  int dispatch() {
    try {
      if (!command_->formats.empty()) {
        invocation_.format = invocation_.value("format").value_or(command_->formats.front());
        bool known = false;
        for (const auto& f : command_->formats)
          known = known || f == invocation_.format;
        if (!known)
          throw UsageError("--format " + invocation_.format + " is not one this command writes");
      }
      return command_->run(invocation_);
    } catch (const UsageError& e) {
      return usage_error(e.what());
    } catch (const service::InputError& e) {
      std::cerr << "pathaudit: " << e.option() << ": " << e.what() << "\n";
      return kExitDataError;
    } catch (const core::ValidationError& e) {
      std::cerr << "pathaudit: " << e.what() << "\n";
      return kExitDataError;
    } catch (const core::Error& e) {
      std::cerr << "pathaudit: " << e.what() << "\n";
      return kExitFailure;
    } catch (const Poco::Exception& e) {
      // Poco's messages name the failing operation and never the values bound to it.
      std::cerr << "pathaudit: " << e.displayText() << "\n";
      return kExitFailure;
    } catch (const std::exception& e) {
      std::cerr << "pathaudit: internal error: " << e.what() << "\n";
      return kExitFailure;
    }
  }

  const Command* command_;
  int words_;
  bool help_ = false;
  Invocation invocation_;
};

}  // namespace
}  // namespace pathaudit::cli

int main(int argc, char** argv) {
  using namespace pathaudit::cli;
  auto [command, words] = find_command(argc, argv);
  App app(command, words);
  try {
    app.init(argc, argv);
  } catch (const Poco::Util::OptionException& e) {
    std::cerr << "pathaudit: " << e.displayText() << "; run `pathaudit "
              << (command ? command->name + " " : std::string()) << "--help`\n";
    return kExitUsage;
  } catch (const Poco::Exception& e) {
    std::cerr << "pathaudit: " << e.displayText() << "\n";
    return kExitFailure;
  }
  return app.run();
}
