// The JSON shape of a return, one for the CLI's `review show --format json` and the API's
// GET /api/v1/reviews/{id} (docs/api.md): built from the service's views, so both say the same
// thing. Pure functions of their arguments; thread-safe.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "service/flags.h"
#include "service/reviews.h"

namespace pathaudit::service {

Poco::JSON::Array::Ptr json_strings(const std::vector<std::string>& values);

Poco::JSON::Object::Ptr review_summary_json(const ReviewSummary& r);
Poco::JSON::Object::Ptr review_detail_json(const ReviewDetail& d);
// A flag as a list shows it; `with_child` adds the child key (the case's own flags omit it).
Poco::JSON::Object::Ptr flag_json(const FlagReportRow& f, bool with_child);

}  // namespace pathaudit::service
