#include "service/users.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include <algorithm>

#include "core/errors.h"
#include "crypto/password.h"
#include "service/input_error.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::service {
namespace {

constexpr const char* kSelectUsers =
    "SELECT u.id, u.username, u.display_name, u.role, coalesce(a.code, ''), u.disabled, "
    "u.created_at FROM users u LEFT JOIN agencies a ON a.id = u.agency_id ";

std::vector<UserRecord> query_users(store::Session& s, const std::string& where,
                                    std::vector<std::string> params) {
  Poco::Data::Statement st(s);
  st << kSelectUsers + where;
  for (auto& p : params)
    st, use(p);
  st.execute();
  Poco::Data::RecordSet rs(st);
  std::vector<UserRecord> out;
  for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
    UserRecord u;
    u.id = rs[0].convert<std::int64_t>();
    u.username = rs[1].convert<std::string>();
    u.display_name = rs[2].convert<std::string>();
    u.role = rs[3].convert<std::string>();
    u.agency = rs[4].convert<std::string>();
    u.disabled = rs[5].convert<int>() != 0;
    u.created_at = rs[6].convert<std::string>();
    out.push_back(std::move(u));
  }
  return out;
}

bool is_username(const std::string& u) {
  if (u.empty() || u.size() > 64)
    return false;
  auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
           c == '@';
  };
  const bool first = (u[0] >= 'a' && u[0] <= 'z') || (u[0] >= '0' && u[0] <= '9');
  return first && std::all_of(u.begin(), u.end(), ok);
}

void check_username(const std::string& username) {
  if (!is_username(username)) {
    throw core::ValidationError(
        "a username is 1 to 64 characters of a-z, 0-9, '.', '_', '-' and '@', starting with a "
        "letter or digit");
  }
}

std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void check_display_name(const std::string& name) {
  const bool control = std::any_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
  if (name.empty() || code_points(name) > 200 || control)
    throw core::ValidationError("a display name is 1 to 200 characters with no control characters");
}

// The scrypt hash, made before the write transaction so the database is not held while it runs.
std::string hash_new_password(const std::string& password) {
  if (code_points(password) < kMinPasswordLength) {
    throw core::ValidationError("the password is too short: use at least " +
                                std::to_string(kMinPasswordLength) + " characters");
  }
  if (password.size() > crypto::kMaxPasswordBytes) {
    throw core::ValidationError("the password is too long: use at most " +
                                std::to_string(crypto::kMaxPasswordBytes) + " bytes");
  }
  return crypto::hash_password(password);
}

UserRecord require_user(store::Session& s, const std::string& username) {
  auto u = find_user(s, username);
  if (!u)
    throw core::NotFoundError("no user is called " + username + "; see `pathaudit users list`");
  return *u;
}

void end_sessions(store::Session& s, std::int64_t user_id) {
  s << "DELETE FROM sessions WHERE user_id = ?", use(user_id), now;
}

}  // namespace

const std::vector<std::string>& user_roles() {
  static const std::vector<std::string> roles{"admin", "qa_lead", "auditor", "board"};
  return roles;
}

std::optional<UserRecord> find_user(store::Session& s, const std::string& username) {
  auto found = query_users(s, "WHERE u.username = ?", {username});
  if (found.empty())
    return std::nullopt;
  return found.front();
}

UserRecord add_user(Context& ctx, const Principal& who, const NewUser& user) {
  require_admin(who, "adding a user");
  check_username(user.username);
  check_display_name(user.display_name);
  const auto& roles = user_roles();
  if (std::find(roles.begin(), roles.end(), user.role) == roles.end())
    throw InputError("role", "expects one of admin, qa_lead, auditor, board");
  if (user.role == "auditor" && (!user.agency || user.agency->empty())) {
    throw InputError("agency",
                     "an auditor belongs to one agency: give its code, as in the partnership file");
  }
  const std::string hash = hash_new_password(user.password);
  return ctx.db().write([&](store::Session& s) {
    if (find_user(s, user.username))
      throw core::ConflictError("the username " + user.username + " is already taken");
    Poco::Nullable<std::int64_t> agency_id;
    if (user.agency && !user.agency->empty()) {
      std::int64_t id = 0;
      int found = 0;
      std::string code = *user.agency;
      s << "SELECT id, 1 FROM agencies WHERE code = ?", into(id), into(found), use(code), now;
      if (!found) {
        throw InputError("agency", code +
                                       " is not an agency of this partnership (see the "
                                       "partnership file given to `pathaudit init`)");
      }
      agency_id = id;
    }
    std::string username = user.username, display = user.display_name, role = user.role;
    std::string password_hash = hash, at = ctx.clock().now_utc();
    s << "INSERT INTO users (username, display_name, role, agency_id, password_hash, created_at) "
         "VALUES (?, ?, ?, ?, ?, ?)",
        use(username), use(display), use(role), use(agency_id), use(password_hash), use(at), now;
    UserRecord created = require_user(s, user.username);
    audit_as(ctx, s, who, "user.add", "user:" + std::to_string(created.id),
             "ok: role " + created.role +
                 (created.agency.empty() ? std::string() : ", agency " + created.agency));
    return created;
  });
}

bool disable_user(Context& ctx, const Principal& who, const std::string& username) {
  require_admin(who, "disabling a user");
  return ctx.db().write([&](store::Session& s) {
    const UserRecord u = require_user(s, username);
    const std::string object = "user:" + std::to_string(u.id);
    if (u.disabled) {
      audit_as(ctx, s, who, "user.disable", object, "ok: already disabled");
      return false;
    }
    std::int64_t id = u.id;
    s << "UPDATE users SET disabled = 1 WHERE id = ?", use(id), now;
    end_sessions(s, id);
    audit_as(ctx, s, who, "user.disable", object);
    return true;
  });
}

void reset_password(Context& ctx, const Principal& who, const std::string& username,
                    const std::string& password) {
  require_admin(who, "resetting a password");
  // Look the user up first so an unknown name is reported without waiting for scrypt.
  ctx.db().read([&](store::Session& s) { require_user(s, username); });
  const std::string hash = hash_new_password(password);
  ctx.db().write([&](store::Session& s) {
    const UserRecord u = require_user(s, username);
    std::int64_t id = u.id;
    std::string h = hash;
    s << "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
        use(h), use(id), now;
    end_sessions(s, id);
    audit_as(ctx, s, who, "user.reset-password", "user:" + std::to_string(id));
  });
}

std::vector<UserRecord> list_users(Context& ctx, const Principal& who) {
  require_admin(who, "listing users");
  return ctx.db().read([](store::Session& s) { return query_users(s, "ORDER BY u.username", {}); });
}

}  // namespace pathaudit::service
