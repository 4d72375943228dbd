// The shipped default instrument, audit-templates/csa-response-pathway/1.json: valid, and covering
// every stage of DOMAIN.md section 2 and every cross-cutting theme the brief names.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "core/agency.h"
#include "core/template.h"
#include "service/json_file.h"
#include "service/templates.h"
#include "test_support.h"

using namespace pathaudit;

namespace {

const std::string kShipped = std::string(PATHAUDIT_TEMPLATES_DIR) + "/csa-response-pathway/1.json";

const core::Template& shipped() {
  static const core::Template t = service::load_template_file(kShipped);
  return t;
}

std::vector<std::string> strings_at(const service::JsonNode& array) {
  std::vector<std::string> out;
  for (const auto& e : array.elements())
    out.push_back(e.as_string());
  return out;
}

}  // namespace

TEST_CASE("the shipped template validates and says who it is", "[templates]") {
  const core::Template& t = shipped();
  REQUIRE(core::validate_template(t).empty());
  REQUIRE(t.key == "csa-response-pathway");
  REQUIRE(t.version == 1);
  // The file path convention audit-templates/<key>/<version>.json.
  REQUIRE_THAT(kShipped, Catch::EndsWith("/" + t.key + "/" + std::to_string(t.version) + ".json"));
}

TEST_CASE("the shipped stage list is labelled a reconstruction", "[templates]") {
  REQUIRE(shipped().pathway.stage_list == "reconstructed");
  REQUIRE_THAT(shipped().pathway.note, Catch::Contains("Reconstructed"));
}

TEST_CASE("every stage of DOMAIN.md section 2 has a section, in pathway order", "[templates]") {
  const std::vector<std::pair<std::string, std::string>> expected{
      {"1.1", "part_1"}, {"1.2", "part_1"}, {"1.3", "part_1"}, {"1.4", "part_1"},
      {"1.5", "part_1"}, {"1.6", "part_1"}, {"1.7", "part_1"}, {"2.1", "part_2"},
      {"2.2", "part_2"}, {"2.3", "part_2"}, {"2.4", "part_2"}, {"2.5", "part_2"},
      {"2.6", "part_2"}, {"2.7", "part_2"}, {"2.8", "part_2"}, {"2.9", "part_2"}};
  const core::Template& t = shipped();
  std::vector<std::string> section_stages;
  for (const auto& s : t.sections)
    section_stages.push_back(s.stage);
  std::size_t last = 0;
  for (const auto& [stage, part] : expected) {
    INFO(stage);
    const core::Stage* st = t.find_stage(stage);
    REQUIRE(st != nullptr);
    REQUIRE(st->part == part);
    auto at = std::find(section_stages.begin(), section_stages.end(), stage);
    REQUIRE(at != section_stages.end());
    const auto index = static_cast<std::size_t>(at - section_stages.begin());
    REQUIRE(index >= last);
    last = index;
  }
}

TEST_CASE("every cross-cutting theme has its own section", "[templates]") {
  const std::vector<std::pair<std::string, std::string>> themes{
      {"voice", "Child's voice and lived experience"},
      {"information_sharing", "Information sharing and joint working"},
      {"parents_carers", "Work with non-abusing parents and carers"},
      {"recording", "Recording"},
      {"oversight", "Management oversight"},
      {"impact", "Impact"},
      {"overall", "Overall"}};
  const core::Template& t = shipped();
  for (const auto& [stage, title] : themes) {
    INFO(stage);
    const core::Stage* st = t.find_stage(stage);
    REQUIRE(st != nullptr);
    REQUIRE(st->part == "cross_cutting");
    const auto n = std::count_if(t.sections.begin(), t.sections.end(),
                                 [&](const core::Section& s) { return s.stage == stage; });
    REQUIRE(n == 1);
    const auto sec = std::find_if(t.sections.begin(), t.sections.end(),
                                  [&](const core::Section& s) { return s.stage == stage; });
    REQUIRE_THAT(sec->title, Catch::StartsWith(title));
  }
}

TEST_CASE("every section asks for good practice, development, recommendations and a grade",
          "[templates]") {
  for (const auto& s : shipped().sections) {
    INFO(s.id);
    std::map<core::QuestionRole, const core::Question*> by_role;
    std::size_t own = 0;
    for (const auto& q : s.questions) {
      REQUIRE(q.stage == s.stage);
      if (q.role == core::QuestionRole::none)
        ++own;
      else
        by_role[q.role] = &q;
    }
    REQUIRE(own >= 3);  // reflective questions of its own, not only the four parts
    for (auto r : {core::QuestionRole::good_practice, core::QuestionRole::areas_for_development,
                   core::QuestionRole::recommendations}) {
      REQUIRE(by_role.count(r) == 1);
      REQUIRE(by_role[r]->type == core::QuestionType::text);
    }
    REQUIRE(by_role.count(core::QuestionRole::grade) == 1);
    REQUIRE(by_role[core::QuestionRole::grade]->required);
    REQUIRE(shipped().scale_for(*by_role[core::QuestionRole::grade])->id == "ofsted");
  }
}

TEST_CASE("the three grading scales are data, Ofsted four-point the default", "[templates]") {
  const core::Template& t = shipped();
  REQUIRE(t.default_scale == "ofsted");
  const auto labels = [&](const char* id) {
    std::vector<std::string> out;
    const core::Scale* s = t.find_scale(id);
    REQUIRE(s != nullptr);
    for (const auto& v : s->values)
      out.push_back(v.label);
    return out;
  };
  REQUIRE(labels("ofsted") == std::vector<std::string>{"Outstanding", "Good",
                                                       "Requires improvement to be good",
                                                       "Inadequate"});
  REQUIRE(labels("csa_centre") == std::vector<std::string>{"A consistently strong feature",
                                                           "Some good practice",
                                                           "An emerging area of practice"});
  REQUIRE(labels("rag") == std::vector<std::string>{"Green", "Amber", "Red"});
}

TEST_CASE("every supporting resource is drawn on, and questions the audit relies on exist",
          "[templates]") {
  const core::Template& t = shipped();
  std::set<std::string> used;
  std::set<core::QuestionType> types;
  for (const auto& s : t.sections) {
    for (const auto& q : s.questions) {
      if (q.resource)
        used.insert(*q.resource);
      types.insert(q.type);
      REQUIRE_FALSE(q.help.empty());
    }
  }
  for (const auto& r : t.resources) {
    INFO(r.id);
    REQUIRE(used.count(r.id) == 1);
  }
  REQUIRE(t.resources.size() == 6);
  REQUIRE(types.size() == core::question_type_names().size());

  // Questions from DOMAIN.md sections 1 and 2 a multi-agency auditor expects to see.
  const auto* own_words = t.find_question("talking_with_child.own_words");
  REQUIRE(own_words != nullptr);
  REQUIRE_THAT(own_words->text, Catch::Contains("in their own words"));
  REQUIRE_THAT(t.find_question("strategy_discussion.health_represented")->text,
               Catch::Contains("health represented at the strategy discussion"));
  REQUIRE_THAT(t.find_question("criminal_justice_outcome.nfpa_wording")->text,
               Catch::Contains("no further police action at this time"));
  const auto* police_only = t.find_question("police_investigation.abe_timely");
  REQUIRE_FALSE(police_only->applies_to.includes("education"));
  REQUIRE(police_only->applies_to.includes("police"));
  const auto* live = t.find_question("overall.live_concern");
  REQUIRE(live->required);
}

TEST_CASE("the JSON Schema's vocabularies are the ones the C++ validator uses", "[templates]") {
  const auto schema = service::JsonNode::parse_file(std::string(PATHAUDIT_SOURCE_DIR) +
                                                    "/docs/template-schema.json");
  const auto defs = schema.at("$defs");
  REQUIRE(strings_at(defs.at("agency_kind").at("enum")) == core::agency_kinds());
  REQUIRE(strings_at(defs.at("question_type").at("enum")) == core::question_type_names());
  REQUIRE(strings_at(defs.at("question").at("properties").at("role").at("enum")) ==
          core::question_role_names());
  REQUIRE(schema.at("$schema").as_string() == "https://json-schema.org/draft/2020-12/schema");
}
