#include "service/actions.h"

#include <algorithm>

#include "core/date.h"
#include "core/errors.h"
#include "core/review.h"
#include "service/input_error.h"
#include "store/actions.h"
#include "store/event_facts.h"
#include "store/sealed_fields.h"
#include "store/sqlite_statement.h"

namespace pathaudit::service {
namespace {

bool is_status(const std::string& s) {
  const auto& all = action_statuses();
  return std::find(all.begin(), all.end(), s) != all.end();
}

bool is_overdue(const store::ActionRow& a, core::Date today) {
  if (a.due.empty() || a.status == "done" || a.status == "cancelled")
    return false;
  const auto due = core::Date::parse_iso(a.due);
  return due && *due < today;
}

void check_audit_case(store::Session& s, std::int64_t audit_id, std::int64_t case_id) {
  store::Statement q(store::connection(s),
                     "SELECT (SELECT count(*) FROM audits WHERE id = ?1), "
                     "(SELECT count(*) FROM sample_cases c JOIN samples sm ON sm.id = c.sample_id "
                     "WHERE c.id = ?2 AND sm.audit_id = ?1)");
  sqlite3_bind_int64(q.get(), 1, audit_id);
  sqlite3_bind_int64(q.get(), 2, case_id);
  q.row();
  if (sqlite3_column_int(q.get(), 0) == 0)
    throw core::NotFoundError("no audit " + std::to_string(audit_id) +
                              " (see `pathaudit audit list`)");
  if (case_id != 0 && sqlite3_column_int(q.get(), 1) == 0)
    throw core::NotFoundError("no case " + std::to_string(case_id) + " in audit " +
                              std::to_string(audit_id));
}

}  // namespace

const std::vector<std::string>& action_statuses() {
  static const std::vector<std::string> all{"open", "in_progress", "done", "cancelled"};
  return all;
}

std::vector<std::string> action_problems(store::Session& s, const NewAction& a) {
  std::vector<std::string> out;
  if (auto why = core::text_problem(a.description))
    out.push_back(a.path + ".description: " + *why);
  if (!store::load_agencies(s).id_of(a.owner))
    out.push_back(a.path + ".owner: expected an agency code of the partnership");
  if (!a.due.empty() && !core::Date::parse_iso(a.due))
    out.push_back(a.path + ".due: expected a date YYYY-MM-DD");
  return out;
}

std::int64_t insert_action(Context& ctx, store::Session& s, const crypto::Keyring& keyring,
                           const Principal& who, std::int64_t audit_id, std::int64_t case_id,
                           const NewAction& a) {
  const auto owner = store::load_agencies(s).id_of(a.owner);
  const std::int64_t id = store::insert_action(s, audit_id, case_id, owner ? *owner : 0, a.due,
                                               who.actor(), ctx.clock().now_utc());
  store::set_action_description(
      s, id,
      keyring.seal("field", a.description,
                   store::sealed_field_aad("actions", "description_sealed", id)));
  audit_as(ctx, s, who, "action.add", "action:" + std::to_string(id),
           "ok: audit " + std::to_string(audit_id) +
               (case_id ? ", case " + std::to_string(case_id) : std::string()));
  return id;
}

std::int64_t add_action(Context& ctx, const Principal& who, std::int64_t audit_id,
                        std::int64_t case_id, const NewAction& a) {
  require_qa(who, "adding actions");
  const auto keyring = ctx.keyring();
  return ctx.db().write([&](store::Session& s) {
    check_audit_case(s, audit_id, case_id);
    const auto problems = action_problems(s, a);
    if (!problems.empty()) {
      std::string message;
      for (const auto& p : problems)
        message += (message.empty() ? "" : "\n") + p;
      throw core::ValidationError(message);
    }
    return insert_action(ctx, s, *keyring, who, audit_id, case_id, a);
  });
}

std::vector<ActionView> list_actions(Context& ctx, const Principal& who, const ActionQuery& q) {
  if (!who.sees_case_content())
    throw core::ForbiddenError("actions are for QA leads and auditors");
  if (!q.status.empty() && !is_status(q.status))
    throw core::ValidationError("an action status is open, in_progress, done or cancelled");
  const core::Date today = ctx.clock().today();
  auto rows = ctx.db().read([&](store::Session& s) {
    store::ActionFilter f;
    f.audit_id = q.audit_id;
    f.status = q.status;
    if (!q.owner.empty()) {
      const auto id = store::load_agencies(s).id_of(q.owner);
      if (!id)
        throw InputError("owner", "expects an agency code of the partnership");
      f.owner_agency_id = *id;
    }
    // An auditor sees their own agency's actions, whatever they asked for.
    if (who.is_auditor()) {
      if (f.owner_agency_id != 0 && f.owner_agency_id != who.agency_id)
        return std::vector<store::ActionRow>{};
      f.owner_agency_id = who.agency_id;
    }
    return store::list_actions(s, f);
  });
  std::vector<ActionView> out;
  for (const store::ActionRow& a : rows) {
    const bool overdue = is_overdue(a, today);
    if (q.overdue_only && !overdue)
      continue;
    out.push_back({a.id, a.audit_id, a.case_id, a.child_key, a.owner, a.due, a.status,
                   ctx.open_field(a.description_sealed, "actions", "description_sealed", a.id),
                   a.created_by, a.created_at, a.updated_at, overdue});
  }
  ctx.db().write([&](store::Session& s) {
    audit_as(ctx, s, who, "actions.read",
             q.audit_id ? "audit:" + std::to_string(q.audit_id) : std::string("actions"),
             "ok: " + std::to_string(out.size()) + " actions opened");
  });
  return out;
}

ActionView update_action(Context& ctx, const Principal& who, std::int64_t id,
                         const ActionChange& change) {
  require_qa(who, "updating actions");
  if (change.status && !is_status(*change.status))
    throw core::ValidationError("an action status is open, in_progress, done or cancelled");
  if (change.due && !change.due->empty() && !core::Date::parse_iso(*change.due))
    throw core::ValidationError("a due date is YYYY-MM-DD");
  if (!change.status && !change.due && !change.owner)
    throw core::ValidationError("nothing to change: give a status, due date or owner");
  ctx.db().write([&](store::Session& s) {
    const auto a = store::find_action(s, id);
    if (!a)
      throw core::NotFoundError("no action " + std::to_string(id) +
                                " (see `pathaudit actions list`)");
    int owner = a->owner_agency_id;
    if (change.owner) {
      const auto found = store::load_agencies(s).id_of(*change.owner);
      if (!found)
        throw InputError("owner", "expects an agency code of the partnership");
      owner = *found;
    }
    const std::string status = change.status.value_or(a->status);
    const std::string due = change.due.value_or(a->due);
    store::update_action(s, id, status, due, owner, ctx.clock().now_utc());
    std::string what;
    if (change.status)
      what += " status " + status;
    if (change.due)
      what += " due " + (due.empty() ? std::string("cleared") : due);
    if (change.owner)
      what += " owner " + *change.owner;
    audit_as(ctx, s, who, "action.update", "action:" + std::to_string(id), "ok:" + what);
  });
  // The changed action only, opened and recorded like any read.
  const auto a = ctx.db().read([&](store::Session& s) { return store::find_action(s, id); });
  if (!a)
    throw core::NotFoundError("no action " + std::to_string(id));
  ActionView v{
      a->id,         a->audit_id,
      a->case_id,    a->child_key,
      a->owner,      a->due,
      a->status,     ctx.open_field(a->description_sealed, "actions", "description_sealed", a->id),
      a->created_by, a->created_at,
      a->updated_at, is_overdue(*a, ctx.clock().today())};
  ctx.db().write([&](store::Session& s) {
    audit_as(ctx, s, who, "actions.read", "action:" + std::to_string(id), "ok: 1 action opened");
  });
  return v;
}

}  // namespace pathaudit::service
