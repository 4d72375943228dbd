#include "service/retention.h"

#include "core/date.h"
#include "core/errors.h"
#include "service/audits.h"
#include "store/actions.h"
#include "store/sealed_fields.h"

namespace pathaudit::service {
namespace {

void require_qa_or_admin(const Principal& who, const char* what) {
  if (!who.is_qa() && !who.is_admin())
    throw core::ForbiddenError(std::string(what) + " is for QA leads and admins; " + who.username +
                               " has the role " + (who.role.empty() ? "none" : who.role));
}

std::string state_of(const store::RetentionRow& r, const std::string& today) {
  if (!r.content_removed_at.empty())
    return "removed";
  if (r.retention_until.empty())
    return "no date";
  // Kept through its retention date; due from the day after.
  return r.retention_until < today ? "expired" : "kept";
}

std::string describe(const store::AuditContentCounts& c) {
  return std::to_string(c.answers) + " answers, " + std::to_string(c.qa_comments) +
         " QA comments, " + std::to_string(c.rationales) + " moderation rationales, " +
         std::to_string(c.learning) + " discussion learning, " + std::to_string(c.concerns) +
         " live concerns, " + std::to_string(c.actions) + " action descriptions, " +
         std::to_string(c.export_reasons) + " export reasons removed";
}

std::vector<RetentionItem> due(store::Session& s, const std::string& today) {
  std::vector<RetentionItem> out;
  for (const store::RetentionRow& r : store::list_retention(s)) {
    if (state_of(r, today) == "expired")
      out.push_back({r.audit_id, r.retention_until, store::count_audit_content(s, r.audit_id)});
  }
  return out;
}

}  // namespace

std::vector<RetentionStatus> retention_status(Context& ctx, const Principal& who) {
  require_qa_or_admin(who, "listing retention dates");
  const std::string today = ctx.clock().today().iso();
  std::vector<RetentionStatus> out;
  for (const auto& r : ctx.db().read([](store::Session& s) { return store::list_retention(s); }))
    out.push_back(
        {r.audit_id, r.title, r.retention_until, r.content_removed_at, state_of(r, today)});
  return out;
}

void set_retention(Context& ctx, const Principal& who, std::int64_t audit_id,
                   const std::string& until) {
  require_qa(who, "setting an audit's retention date");
  if (!core::Date::parse_iso(until))
    throw core::ValidationError("--until: expected a date YYYY-MM-DD, not \"" + until + "\"");
  ctx.db().write([&](store::Session& s) {
    load_audit(s, audit_id);  // NotFoundError for an unknown audit
    for (const auto& r : store::list_retention(s)) {
      if (r.audit_id == audit_id && !r.content_removed_at.empty())
        throw core::ConflictError("audit " + std::to_string(audit_id) +
                                  "'s case content was removed on " + r.content_removed_at +
                                  "; its retention date no longer changes anything");
    }
    store::set_retention_until(s, audit_id, until);
    audit_as(ctx, s, who, "retention.set", "audit:" + std::to_string(audit_id),
             "ok: until " + until);
  });
}

RetentionResult apply_retention(Context& ctx, const Principal& who, bool confirm) {
  require_admin(who, "applying retention");
  const std::string today = ctx.clock().today().iso();
  RetentionResult result;
  result.audits = ctx.db().read([&](store::Session& s) { return due(s, today); });
  if (!confirm)
    return result;

  // Actions' descriptions cannot be NULL: each is re-sealed as a placeholder, which needs the field
  // key. Loaded first, outside the write transaction, and only when there is an action to replace.
  std::shared_ptr<const crypto::Keyring> keyring;
  for (const auto& item : result.audits) {
    if (item.removed.actions > 0 && !keyring)
      keyring = ctx.keyring();
  }
  const std::string at = ctx.clock().now_utc();
  result.audits = ctx.db().write([&](store::Session& s) {
    // Counted again inside the transaction, so what is recorded is exactly what was removed.
    std::vector<RetentionItem> items = due(s, today);
    for (const RetentionItem& item : items) {
      const std::string placeholder =
          "[removed on " + today + ": the audit's retention date " + item.until + " had passed]";
      for (const std::int64_t id : store::audit_action_ids(s, item.audit_id)) {
        if (!keyring)
          keyring = ctx.keyring();
        store::set_action_description(
            s, id,
            keyring->seal("field", placeholder,
                          store::sealed_field_aad("actions", "description_sealed", id)));
      }
      store::remove_audit_content(s, item.audit_id, at);
      audit_as(ctx, s, who, "retention.apply", "audit:" + std::to_string(item.audit_id),
               "ok: retention date " + item.until + "; " + describe(item.removed));
    }
    if (items.empty())
      audit_as(ctx, s, who, "retention.apply", "", "ok: no audit past its retention date");
    return items;
  });
  result.applied = true;
  // secure_delete has zeroed the removed bytes in the database pages; the WAL still holds the
  // pages as they were before. Truncating it leaves no copy in either file.
  try {
    ctx.db().write_checkpoint();
    result.checkpointed = true;
  } catch (const core::ConflictError&) {
    result.checkpointed = false;
  }
  return result;
}

}  // namespace pathaudit::service
