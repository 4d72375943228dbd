// json_text against Poco's Stringifier: the same bytes for every value the API writes.
#include "service/json_text.h"

#include <Poco/JSON/Stringifier.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>

using pathaudit::service::json_text;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

std::string poco_text(const Object& o) {
  std::ostringstream s;
  Poco::JSON::Stringifier::stringify(o, s);
  return s.str();
}

}  // namespace

TEST_CASE("json_text escapes every byte as Poco's Stringifier does", "[json]") {
  for (int b = 0; b < 256; ++b) {
    Object o;
    const std::string text = std::string("a") + static_cast<char>(b) + "z";
    o.set("v", text);
    o.set(text, 1);
    INFO("byte " << b);
    CHECK(json_text(o) == poco_text(o));
  }
  Object o;
  o.set("utf8", std::string("Se\xc3\xa1n \xe2\x80\x94 \xf0\x9f\x98\x80 / \"q\" \\"));
  o.set("empty", std::string());
  CHECK(json_text(o) == poco_text(o));
  CHECK(json_text(o) == R"({"empty":"","utf8":"Se)"
                        "\xc3\xa1n \xe2\x80\x94 \xf0\x9f\x98\x80"
                        R"( / \"q\" \\"})");
}

TEST_CASE("json_text writes numbers, booleans, null, arrays and nested objects as Poco does",
          "[json]") {
  Object::Ptr inner = new Object;
  inner->set("int_min", std::numeric_limits<int>::min());
  inner->set("i64_min", std::numeric_limits<std::int64_t>::min());
  inner->set("i64_max", std::numeric_limits<std::int64_t>::max());
  inner->set("u64_max", std::numeric_limits<std::uint64_t>::max());
  inner->set("zero", 0);
  inner->set("unsigned", 7u);
  inner->set("yes", true);
  inner->set("no", false);
  inner->set("null", Poco::Dynamic::Var());
  inner->set("double", 0.25);
  Array::Ptr list = new Array;
  list->add(std::string("x"));
  list->add(3);
  list->add(Poco::Dynamic::Var());
  list->add(inner);
  list->add(Array::Ptr(new Array));
  Object o;
  o.set("b_list", list);
  o.set("a_inner", inner);
  o.set("c_empty", Object::Ptr(new Object));
  const std::string ours = json_text(o);
  CHECK(ours == poco_text(o));
  // Members sorted by name, as Poco writes an object made without JSON_PRESERVE_KEY_ORDER.
  CHECK(ours.find("\"a_inner\"") < ours.find("\"b_list\""));
  CHECK(ours.find("\"i64_min\":-9223372036854775808") != std::string::npos);
}

TEST_CASE("json_text keeps the insertion order of an object made to keep it", "[json]") {
  Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("zeta", 1);
  o.set("alpha", 2);
  o.set("mid", std::string("m"));
  CHECK(json_text(o) == poco_text(o));
  CHECK(json_text(o) == R"({"zeta":1,"alpha":2,"mid":"m"})");
}

TEST_CASE("json_text matches Poco on random documents", "[json]") {
  std::mt19937 rng(20261203);
  const auto random_text = [&] {
    std::string s(rng() % 12, ' ');
    for (char& c : s)
      c = static_cast<char>(rng() % 256);
    return s;
  };
  for (int n = 0; n < 300; ++n) {
    Object o;
    Array::Ptr a = new Array;
    for (int i = 0; i < 6; ++i) {
      switch (rng() % 4) {
        case 0:
          o.set(random_text(), random_text());
          break;
        case 1:
          o.set(random_text(), static_cast<std::int64_t>(rng()) - (1LL << 31));
          break;
        case 2:
          a->add(random_text());
          break;
        default:
          o.set(random_text(), rng() % 2 == 0);
          break;
      }
    }
    o.set("list", a);
    INFO("document " << n);
    REQUIRE(json_text(o) == poco_text(o));
  }
}
