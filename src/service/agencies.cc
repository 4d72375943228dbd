#include "service/agencies.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include <algorithm>

#include "core/errors.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::service {
namespace {

std::vector<AgencyRecord> query_agencies(store::Session& s) {
  Poco::Data::Statement st(s);
  st << "SELECT code, name, kind, active FROM agencies ORDER BY code";
  st.execute();
  Poco::Data::RecordSet rs(st);
  std::vector<AgencyRecord> out;
  for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
    out.push_back({rs[0].convert<std::string>(), rs[1].convert<std::string>(),
                   rs[2].convert<std::string>(), rs[3].convert<int>() != 0});
  }
  return out;
}

std::string kinds_list() {
  std::string out;
  for (const auto& k : core::agency_kinds())
    out += (out.empty() ? "" : ", ") + k;
  return out;
}

}  // namespace

std::vector<AgencyRecord> list_agencies(Context& ctx, const Principal&) {
  return ctx.db().read([](store::Session& s) { return query_agencies(s); });
}

AgencyRecord add_agency(Context& ctx, const Principal& who, const core::Agency& agency) {
  require_admin(who, "adding an agency");
  if (!core::is_agency_code(agency.code)) {
    throw core::ValidationError(
        "an agency code is 1 to 32 characters of A-Z, 0-9, '-' and '_' (as in the partnership "
        "file)");
  }
  if (!core::is_agency_kind(agency.kind))
    throw core::ValidationError("an agency kind is one of " + kinds_list());
  const std::size_t points = static_cast<std::size_t>(std::count_if(
      agency.name.begin(), agency.name.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  const bool control = std::any_of(agency.name.begin(), agency.name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
  if (points == 0 || points > 200 || control)
    throw core::ValidationError("an agency name is 1 to 200 characters with no control characters");
  return ctx.db().write([&](store::Session& s) {
    std::string code = agency.code, name = agency.name, kind = agency.kind;
    int taken = 0;
    s << "SELECT count(*) FROM agencies WHERE code = ?", into(taken), use(code), now;
    if (taken)
      throw core::ConflictError("the agency code " + code + " is already taken");
    s << "INSERT INTO agencies (code, name, kind) VALUES (?, ?, ?)", use(code), use(name),
        use(kind), now;
    std::int64_t id = 0;
    s << "SELECT id FROM agencies WHERE code = ?", into(id), use(code), now;
    audit_as(ctx, s, who, "agency.add", "agency:" + std::to_string(id),
             "ok: " + code + ", " + kind);
    return AgencyRecord{code, name, kind, true};
  });
}

}  // namespace pathaudit::service
