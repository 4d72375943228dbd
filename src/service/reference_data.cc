#include "service/reference_data.h"

#include <set>

#include "core/date.h"
#include "service/json_file.h"

namespace pathaudit::service {
namespace {

core::Date date_at(const JsonNode& node) {
  auto d = core::Date::parse_iso(node.as_string());
  if (!d)
    node.fail("expected a date as YYYY-MM-DD");
  return *d;
}

}  // namespace

core::Partnership load_partnership(const std::string& file) {
  const JsonNode root = JsonNode::parse_file(file);
  root.allow_only({"name", "agencies"});
  core::Partnership p;
  p.name = root.at("name").as_nonempty_string();
  std::set<std::string> codes;
  const auto agencies = root.at("agencies").elements();
  if (agencies.empty())
    root.at("agencies").fail("expected at least one agency");
  for (const JsonNode& a : agencies) {
    a.allow_only({"code", "name", "kind"});
    core::Agency agency;
    const JsonNode code = a.at("code");
    agency.code = code.as_string();
    if (!core::is_agency_code(agency.code)) {
      code.fail("expected an agency code of 1 to 32 upper-case letters, digits, '-' or '_'");
    }
    if (!codes.insert(agency.code).second)
      code.fail("agency code " + agency.code + " appears twice");
    agency.name = a.at("name").as_nonempty_string();
    const JsonNode kind = a.at("kind");
    agency.kind = kind.as_string();
    if (!core::is_agency_kind(agency.kind)) {
      std::string list;
      for (const auto& k : core::agency_kinds())
        list += (list.empty() ? "" : ", ") + k;
      kind.fail("expected one of " + list);
    }
    p.agencies.push_back(std::move(agency));
  }
  return p;
}

core::WorkingDayCalendar load_calendar(const std::string& file) {
  const JsonNode root = JsonNode::parse_file(file);
  root.allow_only({"id", "version", "name", "source", "valid_from", "valid_to", "holidays"});
  const std::string id = root.at("id").as_nonempty_string();
  root.at("version").as_int();
  const core::Date from = date_at(root.at("valid_from"));
  const core::Date to = date_at(root.at("valid_to"));
  if (to < from)
    root.at("valid_to").fail("expected a date on or after valid_from");
  std::vector<core::Holiday> holidays;
  std::set<core::Date> seen;
  for (const JsonNode& h : root.at("holidays").elements()) {
    h.allow_only({"date", "name"});
    const JsonNode date = h.at("date");
    core::Holiday holiday{date_at(date), h.at("name").as_nonempty_string()};
    if (holiday.date < from || holiday.date > to) {
      date.fail("expected a date between valid_from and valid_to");
    }
    if (!seen.insert(holiday.date).second)
      date.fail("this date appears twice");
    holidays.push_back(std::move(holiday));
  }
  return core::WorkingDayCalendar(id, from, to, std::move(holidays));
}

}  // namespace pathaudit::service
