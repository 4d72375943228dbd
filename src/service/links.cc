#include "service/links.h"

#include "store/events.h"

namespace pathaudit::service {

std::vector<LinkReportRow> link_report(Context& ctx, const Principal& who) {
  require_qa(who, "reading the linkage report");
  auto rows = ctx.db().read([](store::Session& s) { return store::list_links(s); });
  std::vector<LinkReportRow> out;
  out.reserve(rows.size());
  for (auto& r : rows) {
    out.push_back({r.agency,
                   ctx.open_field(r.event_ref_sealed, "events", "event_ref_sealed", r.event_id),
                   r.child_key, r.tier});
  }
  ctx.db().write([&](store::Session& s) {
    audit_as(ctx, s, who, "links.read", "events",
             "ok: " + std::to_string(out.size()) + " references opened");
  });
  return out;
}

}  // namespace pathaudit::service
