#pragma once

#include <string>
#include <utility>

#include "core/errors.h"

namespace pathaudit::service {

// A ValidationError about one named input of a use case: the message says what was wrong and
// what was expected, without saying how the input was given. Each front end names it its own
// way: the CLI as its option (`--include-flagged: ...`), the HTTP API as the JSON member or query
// parameter (`request body: $.include_flagged: ...`), so a browser user never reads a CLI option.
// `input` is the use case's name for it, lower case with underscores. Immutable; thread-safe.
class InputError : public core::ValidationError {
 public:
  InputError(std::string input, const std::string& message)
      : core::ValidationError(message), input_(std::move(input)) {}
  const std::string& input() const { return input_; }
  // The CLI's option for the input: "--" with '-' for '_'.
  std::string option() const {
    std::string o = "--" + input_;
    for (char& c : o)
      if (c == '_')
        c = '-';
    return o;
  }

 private:
  std::string input_;
};

}  // namespace pathaudit::service
