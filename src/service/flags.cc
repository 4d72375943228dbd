#include "service/flags.h"

#include "core/errors.h"
#include "core/review.h"
#include "crypto/hash.h"
#include "service/reference_data.h"
#include "service/rule_set_file.h"
#include "store/event_facts.h"
#include "store/reviews.h"
#include "store/sealed_fields.h"

namespace pathaudit::service {
namespace {

FlagComputation compute_flags(Context& ctx, store::Session& s, const Principal& who) {
  const core::RuleSet rules = load_rule_set(rule_set_path(ctx.settings()));
  const core::WorkingDayCalendar calendar =
      load_calendar(calendar_path(ctx.settings(), rules.calendar));
  FlagComputation result;
  result.rule_set = rules.version_label();
  for (const core::Rule& r : rules.rules)
    result.by_rule[r.id] = 0;

  const core::AgencyDirectory agencies = store::load_agencies(s);
  result.horizon = store::latest_event_date(s);
  std::vector<store::NewFlag> flags;
  if (result.horizon) {
    const core::RuleEngine engine(rules, calendar, agencies, *result.horizon);
    std::vector<core::Flag> found;
    store::for_each_child(s, agencies, [&](std::int64_t, std::vector<core::Event>& events) {
      found.clear();
      engine.evaluate(events, found, result.stats);
      for (core::Flag& f : found) {
        ++result.by_rule[f.rule->id];
        flags.push_back({f.rule->id, result.rule_set,
                         std::string(core::severity_name(f.rule->severity)), f.child_id, f.agency,
                         std::move(f.evidence), crypto::sha256_hex(f.evidence_signature),
                         std::move(f.detail)});
      }
    });
  }
  result.sync = store::sync_flags(s, flags, ctx.clock().now_utc());
  audit_as(ctx, s, who, "flags.compute", "ruleset:" + result.rule_set,
           "ok: " + std::to_string(flags.size()) + " flags (" +
               std::to_string(result.sync.inserted) + " new, " +
               std::to_string(result.sync.removed) + " withdrawn, of which " +
               std::to_string(result.sync.removed_reviewed) + " had been reviewed)");
  return result;
}

}  // namespace

FlagComputation recompute_flags(Context& ctx, store::Session& s, const Principal& who) {
  return compute_flags(ctx, s, who);
}

FlagComputation recompute_flags(Context& ctx, const Principal& who) {
  require_qa(who, "recomputing flags");
  return ctx.db().write([&](store::Session& s) { return compute_flags(ctx, s, who); });
}

std::vector<FlagReportRow> flag_report(Context& ctx, const Principal& who,
                                       const store::FlagFilter& filter) {
  if (!who.sees_case_content())
    throw core::ForbiddenError("flags hold case references: they are for QA leads and auditors");
  auto flags = ctx.db().read([&](store::Session& s) {
    auto all = store::list_flags(s, filter);
    if (who.is_auditor()) {
      const auto mine = store::children_assigned_to(s, who.user_id);
      std::erase_if(all, [&](const store::StoredFlag& f) { return !mine.count(f.child_id); });
    }
    return all;
  });
  std::vector<FlagReportRow> out;
  out.reserve(flags.size());
  std::int64_t opened = 0;
  for (store::StoredFlag& f : flags) {
    FlagReportRow row{f.id, f.rule_id, f.severity, f.agency, {}, f.child_key, f.detail, f.status};
    for (const store::FlagEvidence& e : f.evidence) {
      row.event_refs.push_back(
          e.agency + ":" +
          ctx.open_field(e.event_ref_sealed, "events", "event_ref_sealed", e.event_id));
      ++opened;
    }
    out.push_back(std::move(row));
  }
  ctx.db().write([&](store::Session& s) {
    audit_as(ctx, s, who, "flags.read", "flags",
             "ok: " + std::to_string(out.size()) + " flags, " + std::to_string(opened) +
                 " references opened");
  });
  return out;
}

std::vector<store::FlagCount> flag_summary(Context& ctx, const Principal& who) {
  require_qa(who, "the flag summary");
  return ctx.db().read([](store::Session& s) { return store::count_flags(s); });
}

void review_flag(Context& ctx, const Principal& who, std::int64_t flag_id,
                 const std::string& status, const std::string& reason) {
  if (!who.sees_case_content())
    throw core::ForbiddenError("flags are confirmed or dismissed by QA leads and auditors");
  if (status != "confirmed" && status != "dismissed")
    throw core::ValidationError("a flag can be confirmed or dismissed, not \"" + status + "\"");
  if (auto why = core::text_problem(reason))
    throw core::ValidationError("a reason is required to " +
                                std::string(status == "confirmed" ? "confirm" : "dismiss") +
                                " a flag: " + *why);
  const auto keyring = ctx.keyring();
  ctx.db().write([&](store::Session& s) {
    const auto flag = store::find_flag(s, flag_id);
    if (!flag ||
        (who.is_auditor() && !store::children_assigned_to(s, who.user_id).count(flag->child_id)))
      throw core::NotFoundError("flag " + std::to_string(flag_id) + " does not exist");
    const crypto::Bytes sealed = keyring->seal(
        "field", reason, store::sealed_field_aad("flags", "status_reason_sealed", flag_id));
    store::set_flag_status(s, flag_id, status, sealed);
    audit_as(ctx, s, who, "flags." + std::string(status == "confirmed" ? "confirm" : "dismiss"),
             "flag:" + std::to_string(flag_id));
  });
}

}  // namespace pathaudit::service
