#include "service/chronology_json.h"

#include <Poco/JSON/Array.h>

#include "service/review_json.h"

namespace pathaudit::service {

Poco::JSON::Object::Ptr chronology_json(const Chronology& c) {
  using Poco::JSON::Array;
  using Poco::JSON::Object;
  Object::Ptr o = new Object;
  o->set("case_id", c.case_id);
  o->set("audit_id", c.audit_id);
  o->set("child_key", c.child_key);
  Array::Ptr events = new Array;
  for (const auto& e : c.events) {
    Object::Ptr row = new Object;
    row->set("event_id", e.event_id);
    row->set("agency", e.agency);
    row->set("date", e.date);
    row->set("type", e.type);
    row->set("event_ref", e.event_ref);
    row->set("sex", e.sex);
    row->set("age_years", e.age_years ? Poco::Dynamic::Var(*e.age_years) : Poco::Dynamic::Var());
    row->set("entry_point", e.entry_point);
    row->set("to_agency", e.to_agency);
    row->set("to_service", e.to_service);
    row->set("participants", json_strings(e.participants));
    row->set("outcome", e.outcome);
    row->set("category", json_strings(e.category));
    row->set("notes", e.notes);
    Array::Ptr ids = new Array;
    for (const auto id : e.flag_ids)
      ids->add(id);
    row->set("flag_ids", ids);
    events->add(row);
  }
  o->set("events", events);
  Array::Ptr flags = new Array;
  for (const auto& f : c.flags)
    flags->add(flag_json(f, false));
  o->set("flags", flags);
  return o;
}

}  // namespace pathaudit::service
