#include "core/event.h"

#include <algorithm>

#include "core/vocabulary.h"

namespace pathaudit::core {

std::optional<EventType> parse_event_type(std::string_view name) {
  const auto& names = event_types();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name)
      return static_cast<EventType>(i);
  }
  return std::nullopt;
}

std::string_view event_type_name(EventType type) {
  return event_types().at(static_cast<std::size_t>(type));
}

bool Event::has_category(std::string_view code) const {
  return std::find(category.begin(), category.end(), code) != category.end();
}

void AgencyDirectory::add(int id, Agency agency) {
  by_code_[agency.code] = id;
  by_id_[id] = std::move(agency);
}

const Agency* AgencyDirectory::find(int id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

std::optional<int> AgencyDirectory::id_of(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  if (it == by_code_.end())
    return std::nullopt;
  return it->second;
}

const std::string& AgencyDirectory::code(int id) const {
  static const std::string none;
  const Agency* a = find(id);
  return a ? a->code : none;
}

const std::string& AgencyDirectory::kind(int id) const {
  static const std::string none;
  const Agency* a = find(id);
  return a ? a->kind : none;
}

void sort_events(std::vector<Event>& events, const AgencyDirectory& agencies) {
  std::sort(events.begin(), events.end(), [&](const Event& a, const Event& b) {
    if (a.date != b.date)
      return a.date < b.date;
    if (a.agency != b.agency) {
      const int c = agencies.code(a.agency).compare(agencies.code(b.agency));
      if (c != 0)
        return c < 0;
    }
    return a.id < b.id;
  });
}

}  // namespace pathaudit::core
