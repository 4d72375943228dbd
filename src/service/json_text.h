// Writing JSON: the compact text of a Poco::JSON value, byte for byte what
// Poco::JSON::Stringifier::stringify writes with its defaults (members in the object's own order,
// strings escaped as Poco::toJSON does: quote, backslash and control characters only, numbers as
// Poco converts them), at a fraction of its cost: Poco streams every value through std::ostream and
// Dynamic::Var conversions, which was a fifth of an authenticated list request's CPU
// (docs/benchmarks.md, "HTTP"). Value types other than objects, arrays, strings, integers, booleans
// and null are handed to Poco's Stringifier. Stateless; thread-safe for values no other thread is
// changing.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <string>
#include <string_view>

namespace pathaudit::service {

// Appends the JSON of `value` to `out`.
void append_json(std::string& out, const Poco::Dynamic::Var& value);
void append_json(std::string& out, const Poco::JSON::Object& object);
void append_json(std::string& out, const Poco::JSON::Array& array);
// Appends `text` as a quoted JSON string.
void append_json_string(std::string& out, std::string_view text);

std::string json_text(const Poco::JSON::Object& object);

}  // namespace pathaudit::service
