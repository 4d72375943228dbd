#include "service/flags.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

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

// Children per block of work: small enough for the threads to share the work evenly, large
// enough that taking a block costs nothing next to evaluating it.
constexpr std::size_t kChildrenPerBlock = 256;

// Evaluates every child, spread over the machine's cores (at most four threads): the engine is
// immutable and LinkedEvents const, so threads share them; each takes the next block of children
// and keeps that block's flags and counts apart. Blocks are joined in child order, so the flags,
// their order (and so the ids they are stored under) and the counts are those of one thread.
std::vector<store::NewFlag> evaluate_children(const store::LinkedEvents& linked,
                                              const core::RuleEngine& engine,
                                              FlagComputation& result) {
  struct Block {
    std::vector<store::NewFlag> flags;
    core::EvaluationStats stats;
  };
  const std::size_t children = linked.child_count();
  std::vector<Block> blocks((children + kChildrenPerBlock - 1) / kChildrenPerBlock);
  for (Block& block : blocks) {  // counted over the same window as the caller's
    block.stats.count_from = result.stats.count_from;
    block.stats.count_to = result.stats.count_to;
  }
  std::atomic<std::size_t> next{0};
  std::mutex failed_mutex;
  std::exception_ptr failed;
  auto work = [&] {
    try {
      std::vector<core::Event> events;
      std::vector<core::Flag> found;
      for (std::size_t b; (b = next++) < blocks.size();) {
        Block& block = blocks[b];
        const std::size_t end = std::min(children, (b + 1) * kChildrenPerBlock);
        for (std::size_t i = b * kChildrenPerBlock; i < end; ++i) {
          linked.child(i, events);
          found.clear();
          engine.evaluate(events, found, block.stats);
          for (core::Flag& f : found) {
            block.flags.push_back({f.rule->id, result.rule_set,
                                   std::string(core::severity_name(f.rule->severity)), f.child_id,
                                   f.agency, std::move(f.evidence),
                                   crypto::sha256_hex(f.evidence_signature), std::move(f.detail)});
          }
        }
      }
    } catch (...) {
      const std::lock_guard lock(failed_mutex);
      if (!failed)
        failed = std::current_exception();
      next = blocks.size();  // the others stop at their next block
    }
  };
  const unsigned cores = std::thread::hardware_concurrency();
  const std::size_t helpers = std::min<std::size_t>(
      {cores > 1 ? cores - 1 : 0, 3, blocks.size() > 1 ? blocks.size() - 1 : 0});
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < helpers; ++t) {
    try {
      threads.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no thread to be had: fewer threads, the same result
    }
  }
  work();
  for (std::thread& t : threads)
    t.join();
  if (failed)
    std::rethrow_exception(failed);

  std::vector<store::NewFlag> flags;
  std::size_t total = 0;
  for (const Block& block : blocks)
    total += block.flags.size();
  flags.reserve(total);
  for (Block& block : blocks) {
    result.stats.add(block.stats);
    for (store::NewFlag& f : block.flags) {
      ++result.by_rule[f.rule_id];
      flags.push_back(std::move(f));
    }
    std::vector<store::NewFlag>().swap(block.flags);  // freed as it goes: never all twice
  }
  return flags;
}

FlagComputation compute_flags(Context& ctx, store::Session& s, const Principal& who) {
  const core::RuleSet rules = load_rule_set(rule_set_path(ctx.settings()));
  const core::WorkingDayCalendar calendar =
      load_calendar(calendar_path(ctx.settings(), rules.calendar));
  FlagComputation result;
  result.rule_set = rules.version_label();
  for (const core::Rule& r : rules.rules)
    result.by_rule[r.id] = 0;

  const core::AgencyDirectory agencies = store::load_agencies(s);
  std::vector<store::NewFlag> flags;
  {
    // Scoped: the events are freed before the flags are written (the import's peak memory).
    const store::LinkedEvents linked =
        store::read_linked_events(s, agencies, store::EventDetail::rules);
    result.horizon = linked.latest_event_date();
    if (result.horizon) {
      const core::RuleEngine engine(rules, calendar, agencies, *result.horizon);
      flags = evaluate_children(linked, engine, result);
    }
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
