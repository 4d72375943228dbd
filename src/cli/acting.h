// What a subcommand needs to act on a data directory: the Context, the Principal it acts as
// (`--as USER`, else the operator) and free text read from a file or standard input, never from
// the command line, where other users see it in the process list. Used by every cmd_*.cc that
// opens a data directory. Not thread-safe (one invocation, one thread).
#pragma once

#include <Poco/Util/OptionSet.h>

#include <memory>
#include <string>

#include "cli/command.h"
#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::cli {

std::unique_ptr<service::Context> open_context(const Invocation& in);

// Declares --as USER.
void as_option(Poco::Util::OptionSet& options);
// The account named by --as (acting with its role and objects only), else the operator.
service::Principal acting_principal(const Invocation& in, service::Context& ctx);

// The whole content of the file named by --<option> ("-" for standard input), at most `limit`
// bytes. UsageError when the option is missing; ValidationError naming the file when it cannot be
// read or is too long.
std::string read_text_option(const Invocation& in, const std::string& option,
                             std::size_t limit = 1 << 20);
// Declares --<refused> only to refuse it: free text given on the command line (where the process
// list shows it) must come through --<instead> as a file. Without the declaration Poco would read
// --<refused> as an abbreviation of --<instead> and take the text for a file name.
void refused_text_option(Poco::Util::OptionSet& options, const std::string& refused,
                         const std::string& instead);
// UsageError if --<refused> was given.
void refuse_text_on_command_line(const Invocation& in, const std::string& refused,
                                 const std::string& instead);

// The name errors should use for that input: the file name, or "stdin".
std::string text_source(const Invocation& in, const std::string& option);

}  // namespace pathaudit::cli
