#include "service/links.h"

#include "store/events.h"

namespace pathaudit::service {

std::vector<LinkReportRow> link_report(Context& ctx) {
  auto rows = ctx.db().read([](store::Session& s) { return store::list_links(s); });
  std::vector<LinkReportRow> out;
  out.reserve(rows.size());
  for (auto& r : rows) {
    out.push_back({r.agency,
                   ctx.open_field(r.event_ref_sealed, "events", "event_ref_sealed", r.event_id),
                   r.child_key, r.tier});
  }
  ctx.db().write([&](store::Session& s) {
    ctx.audit(s, "links.read", "events",
              "ok: " + std::to_string(out.size()) + " references opened");
  });
  return out;
}

}  // namespace pathaudit::service
