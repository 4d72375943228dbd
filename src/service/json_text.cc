#include "service/json_text.h"

#include <Poco/JSON/Stringifier.h>

#include <cstdint>
#include <sstream>
#include <typeinfo>

namespace pathaudit::service {
namespace {

template <class T>
bool is(const Poco::Dynamic::Var& v) {
  return v.type() == typeid(T);
}

template <class T>
void append_integer(std::string& out, T n) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  // Negated as unsigned, so the most negative value has a magnitude too.
  using U = std::make_unsigned_t<T>;
  U u = static_cast<U>(n);
  const bool negative = n < 0;
  if (negative)
    u = static_cast<U>(U{0} - u);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (negative)
    *--p = '-';
  out.append(p, end);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const char* esc = nullptr;
    switch (c) {
      case '"':
        esc = "\\\"";
        break;
      case '\\':
        esc = "\\\\";
        break;
      case '\b':
        esc = "\\b";
        break;
      case '\f':
        esc = "\\f";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      case '\t':
        esc = "\\t";
        break;
      default:
        if (c >= 0x20)
          continue;
    }
    out.append(text.data() + run, i - run);
    run = i + 1;
    if (esc) {
      out.append(esc);
    } else {
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(u, sizeof u);
    }
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
}

void append_json(std::string& out, const Poco::JSON::Object& object) {
  out.push_back('{');
  bool first = true;
  // getNames gives the members in the order Poco's stringify writes them: sorted, or as inserted
  // for an object made with JSON_PRESERVE_KEY_ORDER.
  for (const std::string& name : object.getNames()) {
    if (!first)
      out.push_back(',');
    first = false;
    append_json_string(out, name);
    out.push_back(':');
    append_json(out, object.get(name));
  }
  out.push_back('}');
}

void append_json(std::string& out, const Poco::JSON::Array& array) {
  out.push_back('[');
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (i != 0)
      out.push_back(',');
    append_json(out, array.get(static_cast<unsigned int>(i)));
  }
  out.push_back(']');
}

void append_json(std::string& out, const Poco::Dynamic::Var& v) {
  if (v.isEmpty()) {
    out.append("null");
  } else if (is<std::string>(v)) {
    append_json_string(out, v.extract<std::string>());
  } else if (is<Poco::JSON::Object::Ptr>(v)) {
    append_json(out, *v.extract<Poco::JSON::Object::Ptr>());
  } else if (is<Poco::JSON::Array::Ptr>(v)) {
    append_json(out, *v.extract<Poco::JSON::Array::Ptr>());
  } else if (is<Poco::JSON::Object>(v)) {
    append_json(out, v.extract<Poco::JSON::Object>());
  } else if (is<Poco::JSON::Array>(v)) {
    append_json(out, v.extract<Poco::JSON::Array>());
  } else if (is<bool>(v)) {
    out.append(v.extract<bool>() ? "true" : "false");
  } else if (is<int>(v)) {
    append_integer(out, v.extract<int>());
  } else if (is<long>(v)) {
    append_integer(out, v.extract<long>());
  } else if (is<long long>(v)) {
    append_integer(out, v.extract<long long>());
  } else if (is<unsigned>(v)) {
    append_integer(out, v.extract<unsigned>());
  } else if (is<unsigned long>(v)) {
    append_integer(out, v.extract<unsigned long>());
  } else if (is<unsigned long long>(v)) {
    append_integer(out, v.extract<unsigned long long>());
  } else {
    // Doubles, chars, dates and the rest: rare here, and Poco's own rules for them apply.
    std::ostringstream s;
    Poco::JSON::Stringifier::stringify(v, s);
    out.append(s.str());
  }
}

std::string json_text(const Poco::JSON::Object& object) {
  std::string out;
  out.reserve(256);
  append_json(out, object);
  return out;
}

}  // namespace pathaudit::service
