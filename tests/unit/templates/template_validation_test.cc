// Each rule a template must follow, broken once, and the error naming the JSON path.
#include <catch2/catch.hpp>

#include "core/template.h"
#include "service/templates.h"

using namespace pathaudit;

namespace {

// A small valid template; tests replace one fragment to break one rule.
const std::string kValid = R"({
  "key": "mini",
  "version": 2,
  "title": "Mini",
  "pathway": {"name": "P", "stage_list": "reconstructed"},
  "parts": [{"id": "part_1", "title": "Part 1"}],
  "stages": [{"id": "1.1", "part": "part_1", "title": "Concern"},
             {"id": "1.2", "part": "part_1", "title": "Talking"}],
  "resources": [{"id": "signs", "title": "Signs and Indicators"}],
  "scales": [{"id": "ofsted", "title": "Ofsted", "values": [
                {"code": "good", "label": "Good"}, {"code": "inadequate", "label": "Inadequate"}]},
             {"id": "rag", "title": "RAG", "values": [
                {"code": "green", "label": "Green"}, {"code": "red", "label": "Red"}]}],
  "default_scale": "ofsted",
  "sections": [{"id": "concern", "stage": "1.1", "title": "Concern", "questions": [
    {"id": "concern.own_words", "stage": "1.1", "type": "yes_no_na", "required": true,
     "text": "Own words?", "help": "H", "resource": "signs", "applies_to": "all"},
    {"id": "concern.route", "stage": "1.1", "type": "choice", "required": false,
     "text": "Route?", "help": "H", "applies_to": ["csc", "police"],
     "options": [{"code": "child_told", "label": "Child told"}, {"code": "other", "label": "Other"}]},
    {"id": "concern.gp", "stage": "1.1", "type": "text", "required": true, "role": "good_practice",
     "text": "GP", "help": "H", "applies_to": "all"},
    {"id": "concern.afd", "stage": "1.1", "type": "text", "required": true,
     "role": "areas_for_development", "text": "AfD", "help": "H", "applies_to": "all"},
    {"id": "concern.recs", "stage": "1.1", "type": "text", "required": false,
     "role": "recommendations", "text": "Recs", "help": "H", "applies_to": "all"},
    {"id": "concern.grade", "stage": "1.1", "type": "grade", "required": true, "role": "grade",
     "text": "Grade", "help": "H", "applies_to": "all", "scale": "rag"}
  ]}]
})";

std::string with(const std::string& from, const std::string& to) {
  const auto at = kValid.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(kValid.find(from, at + 1) == std::string::npos);  // the fragment is unambiguous
  std::string out = kValid;
  out.replace(at, from.size(), to);
  return out;
}

// The rejection lines for `json`; fails the test if it is accepted.
std::vector<std::string> problems(const std::string& json) {
  try {
    service::parse_template(json, "1.json");
  } catch (const service::TemplateRejected& e) {
    return e.lines();
  }
  FAIL("the template was accepted");
  return {};
}

void rejected_with(const std::string& json, const std::string& line) {
  const auto lines = problems(json);
  INFO(Catch::Detail::stringify(lines));
  REQUIRE(lines.size() == 1);
  REQUIRE_THAT(lines[0], Catch::StartsWith(line));
}

}  // namespace

TEST_CASE("the minimal template is valid", "[templates]") {
  const core::Template t = service::parse_template(kValid, "1.json");
  REQUIRE(t.key == "mini");
  REQUIRE(t.version == 2);
  REQUIRE(t.question_count() == 6);
  REQUIRE(t.scale_for(*t.find_question("concern.grade"))->id == "rag");
  REQUIRE(t.scale_for(*t.find_question("concern.own_words")) == nullptr);
  REQUIRE(t.find_question("concern.route")->applies_to.includes("police"));
  REQUIRE_FALSE(t.find_question("concern.route")->applies_to.includes("education"));
  REQUIRE(t.find_question("concern.own_words")->applies_to.includes("education"));
}

TEST_CASE("a grade question without a scale uses the default scale", "[templates]") {
  const auto t = service::parse_template(with(R"(, "scale": "rag")", ""), "1.json");
  REQUIRE(t.scale_for(*t.find_question("concern.grade"))->id == "ofsted");
}

TEST_CASE("unknown members are refused with their path", "[templates]") {
  rejected_with(with(R"("text": "Own words?")", R"("text": "Own words?", "colour": "red")"),
                "1.json: $.sections[0].questions[0].colour: unknown member; expected one of id");
  rejected_with(with(R"("default_scale": "ofsted")", R"("default_scale": "ofsted", "extra": 1)"),
                "1.json: $.extra: unknown member");
  rejected_with(with(R"({"code": "good", "label": "Good"})",
                     R"({"code": "good", "label": "Good", "rank": 1})"),
                "1.json: $.scales[0].values[0].rank: unknown member");
}

TEST_CASE("a question type must be one of the six", "[templates]") {
  rejected_with(with(R"("type": "yes_no_na")", R"("type": "boolean")"),
                "1.json: $.sections[0].questions[0].type: expected one of grade, yes_no_na, "
                "choice, multi_choice, text, date");
}

TEST_CASE("required members must be present and of the right type", "[templates]") {
  rejected_with(with(R"("help": "H", "resource": "signs",)", R"("resource": "signs",)"),
                "1.json: $.sections[0].questions[0]: required member \"help\" is missing");
  rejected_with(with(R"("required": true,
     "text": "Own words?")",
                     R"("required": "yes",
     "text": "Own words?")"),
                "1.json: $.sections[0].questions[0].required: expected true or false");
  rejected_with(with(R"("version": 2)", R"("version": "2")"),
                "1.json: $.version: expected an integer");
  rejected_with(with(R"("version": 2)", R"("version": 0)"),
                "1.json: $.version: expected a version of 1 or more");
  rejected_with(with(R"("title": "Mini")", R"("title": " ")"),
                "1.json: $.title: expected a non-empty string");
  rejected_with(with(R"("key": "mini",)", ""), "1.json: $: required member \"key\" is missing");
}

TEST_CASE("question ids are unique across the template", "[templates]") {
  rejected_with(with(R"("id": "concern.gp")", R"("id": "concern.own_words")"),
                "1.json: $.sections[0].questions[2].id: a question id \"concern.own_words\" "
                "appears more than once");
  rejected_with(with(R"("id": "concern.gp")", R"("id": "Concern GP")"),
                "1.json: $.sections[0].questions[2].id: expected a question id of lower-case");
}

TEST_CASE("choice questions have at least two options and others have none", "[templates]") {
  rejected_with(with(R"(,
     "options": [{"code": "child_told", "label": "Child told"}, {"code": "other", "label": "Other"}])",
                     ""),
                "1.json: $.sections[0].questions[1].options: a choice question needs at least two "
                "options");
  rejected_with(
      with(R"({"code": "other", "label": "Other"})", R"({"code": "child_told", "label": "Other"})"),
      "1.json: $.sections[0].questions[1].options[1].code: an option code "
      "\"child_told\" appears more than once");
  rejected_with(with(R"("resource": "signs", "applies_to": "all"})",
                     R"("resource": "signs", "applies_to": "all",
                        "options": [{"code": "a", "label": "A"}, {"code": "b", "label": "B"}]})"),
                "1.json: $.sections[0].questions[0].options: only choice and multi_choice "
                "questions have options");
}

TEST_CASE("grade questions name a known scale and other types name none", "[templates]") {
  rejected_with(with(R"("scale": "rag")", R"("scale": "stars")"),
                "1.json: $.sections[0].questions[5].scale: unknown scale \"stars\"; expected one "
                "of ofsted, rag");
  rejected_with(with(R"("resource": "signs", "applies_to": "all"})",
                     R"("resource": "signs", "applies_to": "all", "scale": "rag"})"),
                "1.json: $.sections[0].questions[0].scale: only grade questions name a scale");
  rejected_with(with(R"("default_scale": "ofsted")", R"("default_scale": "csa")"),
                "1.json: $.default_scale: unknown scale \"csa\"; expected one of ofsted, rag");
  rejected_with(with(R"({"code": "red", "label": "Red"})", R"({"code": "green", "label": "Red"})"),
                "1.json: $.scales[1].values[1].code: a scale value code \"green\" appears more "
                "than once");
  rejected_with(with(R"(, {"code": "red", "label": "Red"})", ""),
                "1.json: $.scales[1].values: expected at least two values, best first");
}

TEST_CASE("agency kinds must be known", "[templates]") {
  rejected_with(with(R"(["csc", "police"])", R"(["csc", "school"])"),
                "1.json: $.sections[0].questions[1].applies_to[1]: unknown agency kind "
                "\"school\"; expected one of csc, police, health, sarc, camhs, education, vcs, "
                "early_help, probation");
  rejected_with(with(R"(["csc", "police"])", R"("everyone")"),
                "1.json: $.sections[0].questions[1].applies_to: expected \"all\" or a list of "
                "agency kinds");
  rejected_with(with(R"(["csc", "police"])", R"([])"),
                "1.json: $.sections[0].questions[1].applies_to: expected \"all\" or at least one "
                "agency kind");
}

TEST_CASE("stages, parts and resources referred to must exist", "[templates]") {
  rejected_with(with(R"("id": "concern", "stage": "1.1")", R"("id": "concern", "stage": "3.1")"),
                "1.json: $.sections[0].stage: unknown stage \"3.1\"; expected one of 1.1, 1.2");
  rejected_with(
      with(R"("id": "concern.gp", "stage": "1.1")", R"("id": "concern.gp", "stage": "9")"),
      "1.json: $.sections[0].questions[2].stage: unknown stage \"9\"");
  rejected_with(with(R"("id": "1.2", "part": "part_1")", R"("id": "1.2", "part": "part_3")"),
                "1.json: $.stages[1].part: unknown part \"part_3\"; expected one of part_1");
  rejected_with(with(R"("resource": "signs")", R"("resource": "sibling")"),
                "1.json: $.sections[0].questions[0].resource: unknown resource \"sibling\"; "
                "expected one of signs");
  rejected_with(with(R"("stage_list": "reconstructed")", R"("stage_list": "guessed")"),
                "1.json: $.pathway.stage_list: expected one of reconstructed, published");
}

TEST_CASE("every section has each of the four parts once, of the right type", "[templates]") {
  rejected_with(with(R"("role": "recommendations", )", ""),
                "1.json: $.sections[0].questions: the section needs a question with role "
                "\"recommendations\" (type text)");
  const auto twice = problems(with(R"("role": "recommendations")", R"("role": "good_practice")"));
  REQUIRE(twice.size() == 2);  // good practice twice, and so recommendations missing
  REQUIRE_THAT(twice[0], Catch::StartsWith("1.json: $.sections[0].questions[4].role: role "
                                           "\"good_practice\" appears more than once in this "
                                           "section"));
  REQUIRE_THAT(twice[1], Catch::Contains("needs a question with role \"recommendations\""));
  rejected_with(with(R"("type": "text", "required": true, "role": "good_practice")",
                     R"("type": "date", "required": true, "role": "good_practice")"),
                "1.json: $.sections[0].questions[2].type: a question with role \"good_practice\" "
                "must have type text");
  rejected_with(with(R"("role": "good_practice")", R"("role": "praise")"),
                "1.json: $.sections[0].questions[2].role: expected one of good_practice");
}

TEST_CASE("semantic problems are all reported, in document order", "[templates]") {
  std::string json = with(R"("scale": "rag")", R"("scale": "stars")");
  json.replace(json.find(R"("key": "mini")"), 13, R"("key": "Mini!")");
  const auto lines = problems(json);
  REQUIRE(lines.size() == 2);
  REQUIRE_THAT(lines[0], Catch::StartsWith("1.json: $.key: expected a key of lower-case"));
  REQUIRE_THAT(lines[1], Catch::StartsWith("1.json: $.sections[0].questions[5].scale:"));
}

TEST_CASE("syntax errors and unreadable files name the file", "[templates]") {
  rejected_with(kValid.substr(0, 40), "1.json: not valid JSON");
  REQUIRE_THROWS_WITH(service::load_template_file("/nonexistent/7.json"),
                      Catch::Contains("/nonexistent/7.json: cannot be read"));
}

// Found by tests/fuzz/json_input_fuzz: Poco quotes the byte it stopped at, as it is.
TEST_CASE("a syntax error shows the byte it stopped at escaped, on one line", "[templates]") {
  for (const std::string& bad :
       {std::string("{\"version\": 1\n\n}x"), std::string("{\"a\": 1.\n}"),
        std::string("{\"a\": t\x1b[2J}"), std::string("{\"a\": t\xc3\xa9}")}) {
    INFO(bad);
    try {
      service::parse_template(bad, "1.json");
      FAIL("parsed");
    } catch (const service::TemplateRejected& e) {
      const std::string what = e.what();
      CHECK_THAT(what, Catch::StartsWith("1.json: not valid JSON ("));
      for (const unsigned char c : what)
        CHECK((c >= 0x20 && c < 0x7f));
    }
  }
}

TEST_CASE("the core validator checks a model built without JSON", "[templates]") {
  core::Template t = service::parse_template(kValid, "1.json");
  REQUIRE(core::validate_template(t).empty());
  t.sections[0].questions[1].options.clear();
  t.sections[0].questions[0].applies_to = {false, {"health", "health"}};
  const auto p = core::validate_template(t);
  REQUIRE(p.size() == 2);
  REQUIRE(p[0].path == "$.sections[0].questions[0].applies_to[1]");
  REQUIRE(p[0].message == "agency kind \"health\" appears more than once");
  REQUIRE(p[1].path == "$.sections[0].questions[1].options");
}

TEST_CASE("identifier rules", "[templates]") {
  REQUIRE(core::is_template_key("csa-response-pathway"));
  REQUIRE_FALSE(core::is_template_key("-x"));
  REQUIRE_FALSE(core::is_template_key("CSA"));
  REQUIRE_FALSE(core::is_template_key(""));
  REQUIRE(core::is_template_id("1.1"));
  REQUIRE(core::is_template_id("talking_with_child.own_words"));
  REQUIRE_FALSE(core::is_template_id("_x"));
  REQUIRE_FALSE(core::is_template_id("a-b"));
  REQUIRE_FALSE(core::is_template_id(std::string(65, 'a')));
  REQUIRE(core::parse_question_type("multi_choice") == core::QuestionType::multi_choice);
  REQUIRE(core::question_type_name(core::QuestionType::date) == "date");
  REQUIRE(core::parse_question_role("grade") == core::QuestionRole::grade);
  REQUIRE(core::question_role_name(core::QuestionRole::evidence) == "evidence");
  REQUIRE_FALSE(core::parse_question_role("none"));
}
