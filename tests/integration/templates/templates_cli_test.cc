// `pathaudit templates validate|import|list`, run for real, and the shipped template checked
// against docs/template-schema.json by an independent validator (Python jsonschema, draft 2020-12).
#include <algorithm>
#include <catch2/catch.hpp>

#include "test_support.h"

using pathaudit::testing::read_file;
using pathaudit::testing::run;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace {

const std::string kShipped =
    std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/csa-response-pathway/1.json";
const std::string kSchema = std::string(PATHAUDIT_SOURCE_DIR) + "/docs/template-schema.json";
const std::string kPartnership =
    std::string(PATHAUDIT_SOURCE_DIR) + "/audit-templates/partnerships/example.json";

// Validates each instance against the schema (itself checked against the 2020-12 metaschema);
// prints "valid" or "invalid: <path>: <message>" per instance. Exit 3 without jsonschema.
const char* kValidator = R"py(
import json, sys
try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (scripts/install-deps installs it)")
    sys.exit(3)
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    errors = sorted(v.iter_errors(json.load(open(path))), key=lambda e: list(e.absolute_path))
    print("valid" if not errors else "invalid: %s: %s" % (errors[0].json_path, errors[0].message))
)py";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

struct Data {
  TempDir tmp;
  std::string dir = tmp / "data";
  Data() {
    auto r = run_pathaudit({"init", "--data-dir", dir, "--partnership", kPartnership});
    INFO(r.err);
    REQUIRE(r.status == 0);
  }
  std::string log_head() { return run_pathaudit({"verify-log", "--data-dir", dir}).out; }
};

}  // namespace

TEST_CASE("templates validate accepts the shipped template without a data directory",
          "[templates]") {
  TempDir tmp;
  auto r =
      run_pathaudit({"templates", "validate", kShipped}, {"PATHAUDIT_DATA_DIR=" + (tmp / "none")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE(r.out == "ok: csa-response-pathway version 1, 23 sections, 247 questions\n");
  REQUIRE_FALSE(std::filesystem::exists(tmp / "none"));
}

TEST_CASE("templates validate reports errors with the JSON path and exits 65", "[templates]") {
  TempDir tmp;
  const std::string bad = tmp / "1.json";
  write_file(bad, replaced(read_file(kShipped), "\"type\": \"yes_no_na\"", "\"type\": \"bool\""));
  auto r = run_pathaudit({"templates", "validate", bad});
  REQUIRE(r.status == 65);
  REQUIRE(r.out.empty());
  REQUIRE_THAT(r.err, Catch::Contains(bad + ": $.sections[0].questions[3].type: expected one of "
                                            "grade, yes_no_na, choice, multi_choice, text, date"));

  std::string body = replaced(read_file(kShipped), "\"default_scale\": \"ofsted\"",
                              "\"default_scale\": \"stars\"");
  body = replaced(body, "\"applies_to\": [\n            \"csc\"",
                  "\"applies_to\": [\n            \"social_care\"");
  write_file(bad, body);
  r = run_pathaudit({"templates", "validate", bad});
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains(bad + ": $.default_scale: unknown scale \"stars\""));
  REQUIRE_THAT(r.err, Catch::Contains(".applies_to[0]: unknown agency kind \"social_care\""));

  REQUIRE(run_pathaudit({"templates", "validate"}).status == 64);
  REQUIRE(run_pathaudit({"templates", "validate", kShipped, kShipped}).status == 64);
  REQUIRE(run_pathaudit({"templates", "validate", tmp / "missing.json"}).status == 65);
}

TEST_CASE("templates import stores a version once and identical bytes again are a no-op",
          "[templates]") {
  Data d;
  auto r = run_pathaudit({"templates", "import", "--data-dir", d.dir, kShipped});
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE_THAT(r.out, Catch::StartsWith("imported: csa-response-pathway version 1 (23 sections, "
                                        "247 questions), sha256 "));
  const std::string head = d.log_head();

  auto again = run_pathaudit({"templates", "import", "--data-dir", d.dir, kShipped});
  REQUIRE(again.status == 0);
  REQUIRE_THAT(again.out, Catch::StartsWith("already imported: csa-response-pathway version 1"));
  REQUIRE_THAT(again.out, Catch::EndsWith("nothing changed\n"));
  REQUIRE(d.log_head() == head);  // nothing written, not even to the audit log

  auto csv = run_pathaudit({"templates", "list", "--data-dir", d.dir, "--format", "csv"});
  REQUIRE(csv.status == 0);
  const std::string sha = r.out.substr(r.out.rfind(' ') + 1, 12);
  REQUIRE_THAT(csv.out, Catch::StartsWith("key,version,title,sha256_prefix,imported_at,in_use\n"
                                          "csa-response-pathway,1,CSA Response Pathway "
                                          "multi-agency case audit," +
                                          sha + ","));
  REQUIRE_THAT(csv.out, Catch::EndsWith(",no\n"));
  REQUIRE(std::count(csv.out.begin(), csv.out.end(), '\n') == 2);
}

TEST_CASE("templates import refuses a changed body for a stored version", "[templates]") {
  Data d;
  REQUIRE(run_pathaudit({"templates", "import", "--data-dir", d.dir, kShipped}).status == 0);
  const std::string changed = d.tmp / "1.json";
  write_file(changed, replaced(read_file(kShipped), "\"Outstanding\"", "\"Excellent\""));
  auto r = run_pathaudit({"templates", "import", "--data-dir", d.dir, changed});
  REQUIRE(r.status == 1);
  REQUIRE_THAT(r.err, Catch::Contains("csa-response-pathway version 1 is already imported with a "
                                      "different body"));
  REQUIRE_THAT(r.err, Catch::Contains("versions are immutable"));
  REQUIRE(run_pathaudit({"verify-log", "--data-dir", d.dir}).status == 0);

  // The change as a new version is accepted, and both versions are listed.
  write_file(changed, replaced(read_file(changed), "\"version\": 1", "\"version\": 2"));
  r = run_pathaudit({"templates", "import", "--data-dir", d.dir, changed});
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto json = run_pathaudit({"templates", "list", "--data-dir", d.dir, "--format", "json"});
  REQUIRE(json.status == 0);
  REQUIRE_THAT(json.out, Catch::Contains("\"version\":\"1\""));
  REQUIRE_THAT(json.out, Catch::Contains("\"version\":\"2\""));
  auto table = run_pathaudit({"templates", "list", "--data-dir", d.dir});
  REQUIRE(table.status == 0);
  REQUIRE_THAT(table.out, Catch::StartsWith("key "));
  REQUIRE(std::count(table.out.begin(), table.out.end(), '\n') == 3);
}

TEST_CASE("templates import refuses an invalid file and stores nothing", "[templates]") {
  Data d;
  const std::string bad = d.tmp / "1.json";
  write_file(bad, replaced(read_file(kShipped), "\"key\": \"csa-response-pathway\",", ""));
  auto r = run_pathaudit({"templates", "import", "--data-dir", d.dir, bad});
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains(": $: required member \"key\" is missing"));
  auto csv = run_pathaudit({"templates", "list", "--data-dir", d.dir, "--format", "csv"});
  REQUIRE(csv.out == "key,version,title,sha256_prefix,imported_at,in_use\n");
}

TEST_CASE("the shipped template is valid against docs/template-schema.json", "[templates]") {
  auto r = run({PYTHON3, "-c", kValidator, kSchema, kShipped});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  REQUIRE(r.out == "valid\n");
}

TEST_CASE("the schema refuses what the C++ validator refuses", "[templates]") {
  TempDir tmp;
  const std::string shipped = read_file(kShipped);
  const std::vector<std::pair<std::string, std::string>> breaks{
      {"\"type\": \"yes_no_na\"", "\"type\": \"bool\""},
      {"\"required\": true,", "\"required\": true, \"colour\": \"red\","},
      {"\"applies_to\": [\n            \"csc\"", "\"applies_to\": [\n            \"school\""},
      {"\"applies_to\": \"all\"", "\"applies_to\": \"everyone\""},
      {"\"type\": \"yes_no_na\"", "\"type\": \"choice\""},  // a choice without options
      {"\"type\": \"grade\"", "\"type\": \"text\""},        // a grade role typed text
      {"\"version\": 1", "\"version\": 0"},
      {"\"stage_list\": \"reconstructed\"", "\"stage_list\": \"guessed\""},
  };
  std::vector<std::string> argv{PYTHON3, "-c", kValidator, kSchema};
  for (std::size_t i = 0; i < breaks.size(); ++i) {
    const std::string file = tmp / (std::to_string(i) + ".json");
    const std::string body = replaced(shipped, breaks[i].first, breaks[i].second);
    write_file(file, body);
    argv.push_back(file);
    INFO(breaks[i].second);
    REQUIRE(run_pathaudit({"templates", "validate", file}).status == 65);
  }
  auto r = run(argv);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  std::istringstream lines(r.out);
  std::string line;
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    INFO(breaks.at(n).second << " -> " << line);
    REQUIRE_THAT(line, Catch::StartsWith("invalid: $"));
    ++n;
  }
  REQUIRE(n == breaks.size());
}
