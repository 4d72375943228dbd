#include "cli/acting.h"

#include <Poco/Util/Option.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include "core/errors.h"
#include "service/reviews.h"

namespace pathaudit::cli {

std::unique_ptr<service::Context> open_context(const Invocation& in) {
  return service::Context::open({in.data_dir(), in.setting_overrides(), service::cli_actor()});
}

void as_option(Poco::Util::OptionSet& options) {
  options.addOption(Poco::Util::Option("as", "",
                                       "act as this account, with its role and only the objects "
                                       "it may reach (default: the operator)")
                        .argument("USER")
                        .repeatable(false));
}

service::Principal acting_principal(const Invocation& in, service::Context& ctx) {
  service::Principal who = service::principal_for(ctx, in.value("as").value_or(""));
  // Escalation reaches a QA lead whatever command they run next, not only `review concerns`.
  if (const std::int64_t unread = service::unread_concerns(ctx, who); unread > 0) {
    std::cerr << "pathaudit: " << unread << " live safeguarding concern"
              << (unread == 1 ? " has" : "s have")
              << " not been read yet: run `pathaudit review concerns --as " << who.username
              << "` now\n";
  }
  return who;
}

void refused_text_option(Poco::Util::OptionSet& options, const std::string& refused,
                         const std::string& instead) {
  options.addOption(Poco::Util::Option(refused, "", "refused: use --" + instead)
                        .argument("TEXT")
                        .repeatable(true));
}

void refuse_text_on_command_line(const Invocation& in, const std::string& refused,
                                 const std::string& instead) {
  if (in.has(refused))
    throw UsageError("--" + refused +
                     " is refused: the process list would show it to other users; "
                     "put the text in a file and give --" +
                     instead +
                     " FILE (or - for standard "
                     "input)");
}

std::string text_source(const Invocation& in, const std::string& option) {
  const std::string name = in.required(option);
  return name == "-" ? "stdin" : name;
}

std::string read_text_option(const Invocation& in, const std::string& option, std::size_t limit) {
  const std::string name = in.required(option);
  std::string text;
  auto read_all = [&](std::istream& is) {
    char buf[8192];
    while (is.read(buf, sizeof buf) || is.gcount() > 0) {
      text.append(buf, static_cast<std::size_t>(is.gcount()));
      if (text.size() > limit)
        throw core::ValidationError(text_source(in, option) + ": longer than " +
                                    std::to_string(limit) + " bytes");
    }
  };
  if (name == "-") {
    read_all(std::cin);
  } else {
    std::ifstream f(name, std::ios::binary);
    if (!f)
      throw core::ValidationError(name + ": cannot be read (missing or not permitted)");
    read_all(f);
  }
  return text;
}

}  // namespace pathaudit::cli
