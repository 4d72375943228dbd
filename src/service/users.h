// Local user accounts (DESIGN.md section 7): adding, disabling, resetting passwords, listing, for
// admins (and the operator) only: each use case throws ForbiddenError for any other principal. The
// password is hashed with scrypt (crypto/password.h) and never logged, echoed or returned; each
// change is recorded in the audit log by user id, never with the password.
//
// Stateless functions; results are values owned by the caller. Those taking a Context run their own
// transaction and are thread-safe as far as the Context is: writes queue on the database's writer,
// and add_user and reset_password run scrypt before their write, so they never hold the writer
// while hashing (crypto/password.h bounds concurrent hashes per process).
// find_user borrows the caller's store::Session inside its transaction, on the caller's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

// admin, qa_lead, auditor, board.
const std::vector<std::string>& user_roles();

// At least this many characters (Unicode code points); at most crypto::kMaxPasswordBytes bytes.
inline constexpr std::size_t kMinPasswordLength = 12;

struct NewUser {
  std::string username;      // 1 to 64 of a-z 0-9 . _ - @, starting with a letter or digit
  std::string display_name;  // 1 to 200 characters, no control characters
  std::string role;
  std::optional<std::string> agency;  // agency code; required for auditors
  std::string password;
};

struct UserRecord {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string role;
  std::string agency;  // code, "" when none
  bool disabled = false;
  std::string created_at;
};

// Throws ValidationError for a bad username, display name, role, agency or password (messages
// never include the password); ConflictError if the username is taken. Returns the new user.
UserRecord add_user(Context& ctx, const Principal& who, const NewUser& user);

// Disables the account and ends its sessions. Disabling a disabled account changes nothing and
// returns false. NotFoundError for an unknown username.
bool disable_user(Context& ctx, const Principal& who, const std::string& username);

// Sets a new password, clears failed logins and any lockout, and ends the account's sessions.
void reset_password(Context& ctx, const Principal& who, const std::string& username,
                    const std::string& password);

// Every account, by username.
std::vector<UserRecord> list_users(Context& ctx, const Principal& who);

// The account with that username, or nullopt. For use inside a transaction.
std::optional<UserRecord> find_user(store::Session& s, const std::string& username);

}  // namespace pathaudit::service
