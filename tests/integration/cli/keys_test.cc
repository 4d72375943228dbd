// `pathaudit keys ...` run for real against data directories in a temporary folder.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "test_support.h"

using pathaudit::testing::read_file;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace {

const std::string kPartnership =
    std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/partnerships/example.json";

}  // namespace

TEST_CASE("keys status never shows key bytes", "[cli][keys]") {
  TempDir tmp;
  const std::string dir = tmp / "data";
  REQUIRE(run_pathaudit({"init", "--data-dir", dir, "--partnership", kPartnership}).status == 0);
  auto csv = run_pathaudit({"keys", "status", "--data-dir", dir, "--format", "csv"});
  REQUIRE(csv.status == 0);
  REQUIRE_THAT(csv.out, Catch::StartsWith("id,purpose,state,primary,created_at,sealed_fields\n"));
  REQUIRE_THAT(csv.out, Catch::Contains("1,field,active,yes,"));
  REQUIRE_THAT(csv.out, Catch::Contains("2,pseudonym,active,yes,"));
  const std::string key = read_file(dir + "/master.key");
  static const char* hex = "0123456789abcdef";
  std::string key_hex;
  for (unsigned char c : key)
    key_hex += std::string{hex[c >> 4], hex[c & 15]};
  REQUIRE(csv.out.find(key_hex.substr(0, 16)) == std::string::npos);
}

TEST_CASE("the pseudonym key refuses to rotate, with the reason", "[cli][keys]") {
  TempDir tmp;
  const std::string dir = tmp / "data";
  REQUIRE(run_pathaudit({"init", "--data-dir", dir}).status == 0);
  auto r = run_pathaudit({"keys", "rotate-data-key", "--data-dir", dir, "--purpose", "pseudonym"});
  REQUIRE(r.status == 1);
  REQUIRE_THAT(r.err, Catch::Contains("cannot rotate"));
}

TEST_CASE("rotate-master re-wraps the keys and points the settings at the new file",
          "[cli][keys]") {
  TempDir tmp;
  const std::string dir = tmp / "data";
  REQUIRE(run_pathaudit({"init", "--data-dir", dir}).status == 0);
  const std::string new_key = tmp / "new-master.key";
  write_file(new_key, std::string(32, '\x5a'));
  ::chmod(new_key.c_str(), 0644);
  auto loose =
      run_pathaudit({"keys", "rotate-master", "--data-dir", dir, "--new-master-key-file", new_key});
  REQUIRE(loose.status == 65);  // a key readable by others is refused
  REQUIRE_THAT(loose.err, Catch::Contains(new_key));
  ::chmod(new_key.c_str(), 0400);
  auto r =
      run_pathaudit({"keys", "rotate-master", "--data-dir", dir, "--new-master-key-file", new_key});
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE_THAT(r.out, Catch::Contains("re-wrapped 2 data keys"));
  REQUIRE_THAT(read_file(dir + "/pathaudit.properties"), Catch::Contains(new_key));
  // The data keys now open under the new master key only.
  REQUIRE(run_pathaudit({"keys", "rotate-data-key", "--data-dir", dir}).status == 0);
  auto old = run_pathaudit(
      {"keys", "rotate-data-key", "--data-dir", dir, "--master-key-file", dir + "/master.key"});
  REQUIRE(old.status == 1);
  auto log = run_pathaudit({"verify-log", "--data-dir", dir});
  REQUIRE(log.status == 0);
}
