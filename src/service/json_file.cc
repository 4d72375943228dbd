#include "service/json_file.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/errors.h"

namespace pathaudit::service {

std::string read_input_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw core::ValidationError(file + ": cannot be read (missing or not permitted)");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

JsonNode JsonNode::parse_file(const std::string& file) {
  return parse_text(read_input_file(file), file);
}

namespace {

// Poco's syntax errors quote the offending byte as it is ("unexpected byte '\n' in number"): a
// control byte would break the one-line error and could drive the reader's terminal, so anything
// outside printable ASCII is shown as \xNN.
std::string printable(const std::string& message) {
  std::string out;
  for (const unsigned char c : message) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace

JsonNode JsonNode::parse_text(const std::string& text, const std::string& source_name) {
  try {
    Poco::JSON::Parser parser;
    return JsonNode(parser.parse(text), source_name, "$");
  } catch (const Poco::Exception& e) {
    throw core::ValidationError(source_name + ": not valid JSON (" + printable(e.message()) + ")");
  }
}

bool JsonNode::is_object() const {
  return value_.type() == typeid(Poco::JSON::Object::Ptr);
}

bool JsonNode::is_null() const {
  return value_.isEmpty();
}

bool JsonNode::is_array() const {
  return value_.type() == typeid(Poco::JSON::Array::Ptr);
}

bool JsonNode::is_string() const {
  return value_.isString();
}

std::string JsonNode::member_path(const std::string& name) const {
  const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (plain)
    return path_ + "." + name;
  std::string quoted;
  // A control character (a JSON "\n" in a key, say) is written escaped: an error stays one line.
  static const char* const kHex = "0123456789abcdef";
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      quoted += "\\x";
      quoted += kHex[u >> 4];
      quoted += kHex[u & 0xf];
      continue;
    }
    if (c == '\\' || c == '\'')
      quoted += '\\';
    quoted += c;
  }
  return path_ + "['" + quoted + "']";
}

std::vector<std::pair<std::string, JsonNode>> JsonNode::members() const {
  if (!is_object())
    fail("expected an object");
  auto obj = value_.extract<Poco::JSON::Object::Ptr>();
  std::vector<std::pair<std::string, JsonNode>> out;
  for (const auto& [name, value] : *obj)
    out.emplace_back(name, JsonNode(value, source_, member_path(name)));
  return out;
}

void JsonNode::fail(const std::string& message) const {
  throw core::ValidationError(source_ + ": " + path_ + ": " + message);
}

JsonNode JsonNode::at(std::string_view key) const {
  auto found = find(key);
  if (!found)
    fail("required member \"" + std::string(key) + "\" is missing");
  return *found;
}

std::optional<JsonNode> JsonNode::find(std::string_view key) const {
  if (!is_object())
    fail("expected an object");
  auto obj = value_.extract<Poco::JSON::Object::Ptr>();
  const std::string k(key);
  if (!obj->has(k))
    return std::nullopt;
  return JsonNode(obj->get(k), source_, member_path(k));
}

std::vector<JsonNode> JsonNode::elements() const {
  if (value_.type() != typeid(Poco::JSON::Array::Ptr))
    fail("expected an array");
  auto arr = value_.extract<Poco::JSON::Array::Ptr>();
  std::vector<JsonNode> out;
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) {
    out.push_back(JsonNode(arr->get(static_cast<unsigned>(i)), source_,
                           path_ + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::string JsonNode::as_string() const {
  if (!value_.isString())
    fail("expected a string");
  return value_.extract<std::string>();
}

std::string JsonNode::as_nonempty_string() const {
  std::string s = as_string();
  if (s.find_first_not_of(" \t\r\n") == std::string::npos)
    fail("expected a non-empty string");
  return s;
}

std::int64_t JsonNode::as_int() const {
  if (!value_.isInteger() || value_.isBoolean())
    fail("expected an integer");
  return value_.convert<std::int64_t>();
}

bool JsonNode::as_bool() const {
  if (!value_.isBoolean())
    fail("expected true or false");
  return value_.extract<bool>();
}

void JsonNode::allow_only(std::initializer_list<std::string_view> allowed) const {
  if (!is_object())
    fail("expected an object");
  auto obj = value_.extract<Poco::JSON::Object::Ptr>();
  for (const auto& [name, _] : *obj) {
    bool ok = false;
    for (std::string_view a : allowed)
      ok = ok || a == name;
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
      JsonNode(Poco::Dynamic::Var(), source_, member_path(name))
          .fail("unknown member; expected one of " + list);
    }
  }
}

}  // namespace pathaudit::service
