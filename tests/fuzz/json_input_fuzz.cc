// libFuzzer target for the JSON the service reads from its users: review templates
// (service::parse_template), rule sets (service::parse_rule_set), and the request bodies of the
// review workflow (service::parse_answer_set, parse_comments, parse_discussion, parse_moderation,
// which the CLI reads from --file and the HTTP API from request bodies). Answers that parse are
// then checked against the shipped template by core::validate_answers, as save_answers does.
// Built and run by `tests/fuzz/run json_input` under ASan and UBSan; see docs/reliability.md,
// "Fuzzing".
//
// Input layout: byte 0 picks the reader (its value modulo 6, in the order above); the rest is
// the JSON text.
//
// Only core::ValidationError (and its subclasses) may escape a reader; anything else escapes
// this function and libFuzzer reports it as a crash. A broken invariant calls abort() after
// saying which on stderr:
//   - every error line starts with the source name, so the user is told which file is wrong;
//     an error found after the JSON parsed also names a JSON path ("$...");
//   - privacy: no error message (nor a validate_answers problem) repeats a free-text or answer
//     value of 8 bytes or more from the input: answers, comments, learning, action descriptions
//     and rationales may be case content. Values that are part of a member name or another kind
//     of string in the input are not looked for, since those may be quoted legitimately, and a
//     value found is confirmed by changing it and reading again (see run());
//   - an accepted answer set has a path under $.answers for every answer, and an accepted
//     template passes core::validate_template.
#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "core/review.h"
#include "core/template.h"
#include "service/json_file.h"
#include "service/reviews.h"
#include "service/rule_set_file.h"
#include "service/templates.h"

namespace {

namespace service = pathaudit::service;
namespace core = pathaudit::core;

constexpr std::size_t kLeakBytes = 8;
const std::string kSource = "fuzz.json";

enum class Reader { tmpl, rules, answers, comments, discussion, moderation };

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\njson_input_fuzz: invariant broken: %s\n  %s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

void check(bool ok, const char* what, const std::string& detail = {}) {
  if (!ok)
    fail(what, detail);
}

// The shipped default template, which the answers are checked against (the path is given at
// compile time by tests/fuzz/run).
const core::Template& shipped_template() {
  static const core::Template t = service::load_template_file(FUZZ_TEMPLATE_FILE);
  return t;
}

// Strings of the document: those that may be case content ("private"), and every other string
// and member name ("public").
struct Strings {
  std::set<std::string> private_values;
  std::set<std::string> public_values;
};

// Whether a string at `path` (member names, "[]" for an array element) is content a reader must
// never repeat in an error.
bool is_content(Reader reader, const std::vector<std::string>& path) {
  const auto at = [&](std::size_t i, const char* name) {
    return path.size() > i && path[i] == name;
  };
  switch (reader) {
    case Reader::answers:  // "answers" / question / (value | [] | "value" ...)
      return at(0, "answers") && path.size() >= 2 &&
             (path.size() == 2 || at(2, "[]") || at(2, "value"));
    case Reader::comments:
      return at(0, "comments") && path.size() == 2;
    case Reader::discussion:
      return (at(0, "learning") && path.size() == 1) ||
             (at(0, "actions") && at(1, "[]") && at(2, "description"));
    case Reader::moderation:
      return at(0, "grades") && at(1, "[]") && at(2, "rationale");
    default:
      return false;
  }
}

void walk(Reader reader, const Poco::Dynamic::Var& v, std::vector<std::string>& path,
          Strings& out) {
  if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
    for (const auto& [name, value] : *v.extract<Poco::JSON::Object::Ptr>()) {
      out.public_values.insert(name);
      path.push_back(name);
      walk(reader, value, path, out);
      path.pop_back();
    }
  } else if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
    path.push_back("[]");
    for (const auto& e : *v.extract<Poco::JSON::Array::Ptr>())
      walk(reader, e, path, out);
    path.pop_back();
  } else if (v.isString()) {
    (is_content(reader, path) ? out.private_values : out.public_values)
        .insert(v.convert<std::string>());
  }
}

// Each line of an error names the source; after the JSON parsed, a JSON path too.
void check_error(const std::string& message, bool parsed) {
  std::size_t start = 0;
  while (start <= message.size()) {
    const std::size_t end = message.find('\n', start);
    const std::string line = message.substr(start, end == std::string::npos ? end : end - start);
    check(line.rfind(kSource + ": ", 0) == 0, "an error line does not name the source", line);
    if (parsed && line.find("not valid JSON") == std::string::npos)
      check(line.find(": $") != std::string::npos, "an error line names no JSON path", line);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
}

// Runs the reader (and, for answers, the template checks save_answers makes) and returns every
// message a user would be shown: the error, or each answer problem as "<path>: <message>".
std::vector<std::string> messages_of(Reader reader, const std::string& text, bool parsed) {
  std::vector<std::string> out;
  try {
    switch (reader) {
      case Reader::tmpl: {
        const core::Template t = service::parse_template(text, kSource);
        check(core::validate_template(t).empty(), "an accepted template does not validate");
        break;
      }
      case Reader::rules:
        service::parse_rule_set(text, kSource);
        break;
      case Reader::answers: {
        const service::AnswerSet set = service::parse_answer_set(text, kSource);
        std::set<std::string> na;
        if (set.not_applicable) {
          for (const auto& p : core::validate_not_applicable(shipped_template(), "$.not_applicable",
                                                             *set.not_applicable))
            out.push_back(p.path + ": " + p.message);
          na.insert(set.not_applicable->begin(), set.not_applicable->end());
        }
        for (const auto& a : set.answers)
          check(a.path.rfind("$.answers", 0) == 0, "an answer's path is not under $.answers",
                a.path);
        for (const char* kind : {"csc", "police", "health", "education"}) {
          for (const auto& p : core::validate_answers(shipped_template(), kind, na, set.answers)) {
            check(p.path.rfind("$.answers", 0) == 0 || p.path.rfind("$.not_applicable", 0) == 0,
                  "a problem's path is not in the input", p.path);
            out.push_back(p.path + ": " + p.message);
          }
        }
        break;
      }
      case Reader::comments:
        service::parse_comments(text, kSource);
        break;
      case Reader::discussion:
        service::parse_discussion(text, kSource);
        break;
      case Reader::moderation:
        service::parse_moderation(text, kSource);
        break;
    }
  } catch (const core::ValidationError& e) {
    const std::string message = e.what();
    check(!message.empty(), "an empty error message");
    check_error(message, parsed);
    out.push_back(message);
  }
  return out;
}

bool any_contains(const std::vector<std::string>& messages, const std::string& s) {
  for (const std::string& m : messages) {
    if (m.find(s) != std::string::npos)
      return true;
  }
  return false;
}

void run(Reader reader, const std::string& text) {
  // What an independent parse of the same text sees, for the invariants.
  bool parsed = false;
  Strings strings;
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var root = parser.parse(text);
    parsed = true;
    std::vector<std::string> path;
    walk(reader, root, path, strings);
  } catch (const Poco::Exception&) {
  }
  const std::vector<std::string> messages = messages_of(reader, text, parsed);

  // A content value found in a message may be a coincidence (the fuzzer builds values out of
  // the messages' own words). So the value is replaced, where it is written plainly, by a run
  // of one byte it does not hold, and the reader run again: a message that now shows the run is
  // echoing the input.
  for (const std::string& v : strings.private_values) {
    if (v.size() < kLeakBytes || !any_contains(messages, v))
      continue;
    // Member names and codes may be quoted; so may a content value that is part of one.
    const bool in_public =
        std::any_of(strings.public_values.begin(), strings.public_values.end(),
                    [&](const std::string& p) { return p.find(v) != std::string::npos; });
    if (in_public)
      continue;
    const std::string marker(v.size(), v.find('Z') == std::string::npos ? 'Z' : 'Y');
    std::string changed = text;
    bool replaced = false;
    for (std::size_t at = changed.find(v); at != std::string::npos;
         at = changed.find(v, at + marker.size())) {
      changed.replace(at, v.size(), marker);
      replaced = true;
    }
    if (!replaced)
      continue;  // written with escapes: not comparable
    const std::vector<std::string> again = messages_of(reader, changed, parsed);
    for (const std::string& m : again) {
      if (m.find(marker) != std::string::npos)
        fail("an error repeats a content value from the input",
             "value of " + std::to_string(v.size()) + " bytes in: " + m.substr(0, 300));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const auto reader = static_cast<Reader>(data[0] % 6);
  run(reader, std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
