#include "service/principal.h"

#include "core/errors.h"
#include "service/context.h"
#include "service/users.h"
#include "store/event_facts.h"

namespace pathaudit::service {

Principal Principal::operator_principal(std::string actor) {
  Principal p;
  p.operator_ = true;
  p.operator_actor = std::move(actor);
  return p;
}

std::string Principal::actor() const {
  if (operator_)
    return operator_actor;
  return "user:" + username + (via.empty() ? "" : " via " + via);
}

Principal load_principal(store::Session& s, const std::string& username) {
  const auto user = find_user(s, username);
  if (!user)
    throw core::NotFoundError("no user " + username + " (see `pathaudit users list`)");
  if (user->disabled)
    throw core::ForbiddenError("the account " + username + " is disabled");
  Principal p;
  p.user_id = user->id;
  p.username = user->username;
  p.role = user->role;
  p.agency = user->agency;
  if (!user->agency.empty()) {
    const auto id = store::load_agencies(s).id_of(user->agency);
    p.agency_id = id ? *id : 0;
  }
  return p;
}

Principal principal_for(Context& ctx, const std::string& as_username) {
  if (as_username.empty())
    return Principal::operator_principal(ctx.actor());
  Principal p = ctx.db().read([&](store::Session& s) { return load_principal(s, as_username); });
  p.via = ctx.actor();
  return p;
}

void audit_as(Context& ctx, store::Session& s, const Principal& who, const std::string& action,
              const std::string& object, const std::string& outcome) {
  store::append_audit(s, {who.actor(), action, object, outcome}, ctx.clock().now_utc());
}

void require_qa(const Principal& p, const char* what) {
  if (!p.is_qa())
    throw core::ForbiddenError(std::string(what) + " is for QA leads; " + p.username +
                               " has the role " + (p.role.empty() ? "none" : p.role));
}

void require_admin(const Principal& p, const char* what) {
  if (!p.is_admin())
    throw core::ForbiddenError(std::string(what) + " is for admins; " + p.username +
                               " has the role " + (p.role.empty() ? "none" : p.role));
}

}  // namespace pathaudit::service
