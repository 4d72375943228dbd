// The JSON shape of a case's chronology, one for the CLI's `review chronology --format json` and
// the API's GET /api/v1/cases/{id}/chronology (docs/api.md), so both say the same thing. Pure
// function of its argument; thread-safe.
#pragma once

#include <Poco/JSON/Object.h>

#include "service/cases.h"

namespace pathaudit::service {

Poco::JSON::Object::Ptr chronology_json(const Chronology& c);

}  // namespace pathaudit::service
