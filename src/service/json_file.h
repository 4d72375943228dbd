// Reading JSON configuration files (partnership, calendars, and later templates and rule sets) with
// errors that name the file and the JSON path ("partnership.json: $.agencies[2].kind: expected one
// of csc, police, ..."). The one way the project reads structured files; built on Poco::JSON.
//
// A JsonNode is a cheap value (shares the parsed document); not thread-safe to mutate, but nothing
// here mutates.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pathaudit::service {

// A small input file's bytes, whole (templates, rule sets, request files). Throws
// core::ValidationError "<file>: cannot be read (missing or not permitted)".
std::string read_input_file(const std::string& file);

class JsonNode {
 public:
  // Throws core::ValidationError naming the file for a missing file or a syntax error.
  static JsonNode parse_file(const std::string& file);
  static JsonNode parse_text(const std::string& text, const std::string& source_name);

  const std::string& path() const { return path_; }

  // A required member of an object; error if this is not an object or the member is missing.
  JsonNode at(std::string_view key) const;
  std::optional<JsonNode> find(std::string_view key) const;
  std::vector<JsonNode> elements() const;  // error unless an array
  // Every member of an object, by name; error unless an object. Member paths use ['name'] when the
  // name is not a plain identifier ("$.answers['voice.grade']").
  std::vector<std::pair<std::string, JsonNode>> members() const;

  bool is_null() const;
  bool is_object() const;
  bool is_array() const;
  bool is_string() const;

  std::string as_string() const;  // error unless a string
  std::string as_nonempty_string() const;
  std::int64_t as_int() const;  // error unless an integral number
  bool as_bool() const;

  // Error on any member not in `allowed`: typos in configuration must not pass silently.
  void allow_only(std::initializer_list<std::string_view> allowed) const;

  // Throws core::ValidationError "<source>: <path>: <message>".
  [[noreturn]] void fail(const std::string& message) const;

 private:
  JsonNode(Poco::Dynamic::Var value, std::string source, std::string path)
      : value_(std::move(value)), source_(std::move(source)), path_(std::move(path)) {}
  std::string member_path(const std::string& name) const;

  Poco::Dynamic::Var value_;
  std::string source_;
  std::string path_;
};

}  // namespace pathaudit::service
