// The exception hierarchy every layer throws for errors that abort an operation. Mapped once to CLI
// exit codes (src/cli) and, later, to HTTP application/problem+json (src/http). Messages must never
// contain an identifier, note text or key: they are shown to users and written to logs.
#pragma once

#include <stdexcept>
#include <string>

namespace pathaudit::core {

// Base of every error pathaudit reports on purpose. Anything else escaping is a bug.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Input that breaks a documented contract (file, column, JSON path and what was expected).
class ValidationError : public Error {
 public:
  using Error::Error;
};

class NotFoundError : public Error {
 public:
  using Error::Error;
};

// Authenticated, but the role or the object does not allow it.
class ForbiddenError : public Error {
 public:
  using Error::Error;
};

// The request is valid but the current state refuses it (illegal transition, newer schema, ...).
class ConflictError : public Error {
 public:
  using Error::Error;
};

class UnauthenticatedError : public Error {
 public:
  using Error::Error;
};

// Cryptographic failure: a ciphertext that does not open, a key that cannot be unwrapped. Never
// answered with garbage; the service records it and reports an internal error.
class CryptoError : public Error {
 public:
  using Error::Error;
};

}  // namespace pathaudit::core
