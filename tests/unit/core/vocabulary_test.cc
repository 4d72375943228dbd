#include "core/vocabulary.h"

#include <catch2/catch.hpp>
#include <string>

using pathaudit::core::is_category_code;

TEST_CASE("category codes follow the import contract: 1 to 16 of A-Z, 0-9 and _", "[vocabulary]") {
  // docs/import-format.md: CP categories and assessment factors.
  for (const char* code : {"SAB", "NEG", "PHY", "EMO", "MUL", "19A", "19B", "19C", "11A"}) {
    INFO(code);
    REQUIRE(is_category_code(code));
  }
  REQUIRE(is_category_code("LOCAL_1"));
  REQUIRE(is_category_code("_"));
  REQUIRE(is_category_code(std::string(16, 'A')));
  REQUIRE_FALSE(is_category_code(std::string(17, 'A')));
  REQUIRE_FALSE(is_category_code(""));
  for (const char* code : {"sab", "Sab", "19b", "S-AB", "SAB ", " SAB", "SA B", "SAB;19B", "SAB,",
                           "S.AB", "\xc3\x89MO"}) {
    INFO(code);
    REQUIRE_FALSE(is_category_code(code));
  }
  REQUIRE_FALSE(is_category_code(std::string("SA\0B", 4)));
}
