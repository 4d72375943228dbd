// Errors as HTTP answers: application/problem+json (RFC 9457) with a stable `type` per error class
// (docs/api.md, "Errors", contract). The core error hierarchy (core/errors.h) is mapped here and
// nowhere else. Details come only from core::Error messages, which never carry an identifier, note
// text or key; anything else becomes a bare 500 whose detail says nothing. Stateless; thread-safe.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace pathaudit::http {

// Refusals the HTTP layer itself makes (no route, wrong method, body limits, media type, CSRF).
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string slug, std::string title, const std::string& detail)
      : std::runtime_error(detail),
        status_(status),
        slug_(std::move(slug)),
        title_(std::move(title)) {}
  int status() const { return status_; }
  const std::string& slug() const { return slug_; }
  const std::string& title() const { return title_; }

 private:
  int status_;
  std::string slug_;
  std::string title_;
};

struct Problem {
  int status = 500;
  std::string type;  // "urn:pathaudit:problem:<slug>"
  std::string title;
  std::string detail;
  std::vector<std::string> errors;  // one line per problem, for input rejected line by line
  // For the server's log: the error class and, for core::Error, its (safe) message.
  std::string log_text;

  std::string to_json() const;
};

inline constexpr const char* kProblemTypePrefix = "urn:pathaudit:problem:";

// Where a request's named inputs are: a JSON body, or the query string of a request without one.
enum class InputsIn { kBody, kQuery };

// Maps the exception in flight. `inputs` says how to name an input a service::InputError is
// about (`request body: $.reason: ...` or `query parameter from: ...`). Never throws.
Problem problem_for(std::exception_ptr error, InputsIn inputs = InputsIn::kBody) noexcept;

}  // namespace pathaudit::http
