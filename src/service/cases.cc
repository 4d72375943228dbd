#include "service/cases.h"

#include <algorithm>
#include <map>

#include "core/errors.h"
#include "store/events.h"
#include "store/flags.h"
#include "store/reviews.h"

namespace pathaudit::service {

Chronology case_chronology(Context& ctx, const Principal& who, std::int64_t case_id) {
  if (!who.sees_case_content())
    throw core::ForbiddenError("a case's chronology is case content: for QA leads and auditors");
  struct Loaded {
    store::DiscussionRow discussion;
    std::vector<store::ChildEventRow> events;
    std::map<std::int64_t, std::vector<std::int64_t>> flags_by_event;
  };
  Loaded l = ctx.db().read([&](store::Session& s) {
    const auto d = store::find_discussion(s, case_id);
    bool reachable = d.has_value();
    if (reachable && who.is_auditor()) {
      store::ReviewFilter f;
      f.case_id = case_id;
      f.user_id = who.user_id;
      reachable = !store::list_reviews(s, f).empty();
    }
    if (!reachable) {
      throw core::NotFoundError("no case " + std::to_string(case_id) +
                                " (see `pathaudit review list`, column case)");
    }
    Loaded out{*d, store::list_child_events(s, d->child_id), {}};
    store::FlagFilter filter;
    filter.child_id = d->child_id;
    for (const store::StoredFlag& flag : store::list_flags(s, filter)) {
      for (const store::FlagEvidence& e : flag.evidence)
        out.flags_by_event[e.event_id].push_back(flag.id);
    }
    return out;
  });

  Chronology c;
  c.case_id = case_id;
  c.audit_id = l.discussion.audit_id;
  c.child_key = l.discussion.child_key;
  std::size_t opened = 0;
  for (store::ChildEventRow& r : l.events) {
    ChronologyEvent e;
    e.event_id = r.id;
    e.agency = std::move(r.agency);
    e.date = std::move(r.event_date);
    e.type = std::move(r.event_type);
    e.sex = std::move(r.sex);
    e.age_years = r.age_years;
    e.entry_point = std::move(r.entry_point);
    e.to_agency = std::move(r.to_agency);
    e.to_service = std::move(r.to_service);
    e.outcome = std::move(r.outcome);
    e.participants = std::move(r.participants);
    e.category = std::move(r.category);
    e.event_ref = ctx.open_field(r.event_ref_sealed, "events", "event_ref_sealed", r.id);
    ++opened;
    if (r.notes_sealed) {
      e.notes = ctx.open_field(*r.notes_sealed, "events", "notes_sealed", r.id);
      ++opened;
    }
    if (auto it = l.flags_by_event.find(r.id); it != l.flags_by_event.end()) {
      e.flag_ids = it->second;
      std::sort(e.flag_ids.begin(), e.flag_ids.end());
    }
    c.events.push_back(std::move(e));
  }
  ctx.db().write([&](store::Session& s) {
    audit_as(ctx, s, who, "case.chronology", "case:" + std::to_string(case_id),
             "ok: " + std::to_string(c.events.size()) + " events, " + std::to_string(opened) +
                 " fields opened");
  });
  // Records its own "flags.read" entry, as show_review's flags do.
  store::FlagFilter filter;
  filter.child_id = l.discussion.child_id;
  c.flags = flag_report(ctx, who, filter);
  return c;
}

}  // namespace pathaudit::service
