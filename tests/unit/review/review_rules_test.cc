// The review workflow's pure rules (core/review.h): every transition of both state machines, legal
// and illegal; answer validation against a template; the moderation rule; agreement and Cohen's
// kappa against examples computed by hand.
#include <catch2/catch.hpp>
#include <map>

#include "core/errors.h"
#include "core/review.h"
#include "service/templates.h"

using namespace pathaudit;
using core::CaseAction;
using core::CaseState;
using core::ReturnAction;
using core::ReturnState;

namespace {

// Two sections: one asked of every agency, one of police only. The grade of "joint" uses RAG.
const std::string kTemplate = R"({
  "key": "mini", "version": 1, "title": "Mini",
  "pathway": {"name": "P", "stage_list": "reconstructed"},
  "parts": [{"id": "p1", "title": "Part 1"}],
  "stages": [{"id": "1.1", "part": "p1", "title": "Concern"},
             {"id": "2.4", "part": "p1", "title": "Police"}],
  "scales": [{"id": "ofsted", "title": "Ofsted", "values": [
                {"code": "good", "label": "Good"}, {"code": "inadequate", "label": "Inadequate"}]},
             {"id": "rag", "title": "RAG", "values": [
                {"code": "green", "label": "Green"}, {"code": "red", "label": "Red"}]}],
  "default_scale": "ofsted",
  "sections": [
   {"id": "concern", "stage": "1.1", "title": "Concern", "questions": [
    {"id": "concern.told", "stage": "1.1", "type": "yes_no_na", "required": true,
     "text": "T", "help": "H", "applies_to": "all"},
    {"id": "concern.route", "stage": "1.1", "type": "choice", "required": false,
     "text": "T", "help": "H", "applies_to": "all",
     "options": [{"code": "child_told", "label": "C"}, {"code": "other", "label": "O"}]},
    {"id": "concern.signs", "stage": "1.1", "type": "multi_choice", "required": false,
     "text": "T", "help": "H", "applies_to": ["csc"],
     "options": [{"code": "behaviour", "label": "B"}, {"code": "medical", "label": "M"}]},
    {"id": "concern.when", "stage": "1.1", "type": "date", "required": false,
     "text": "T", "help": "H", "applies_to": "all"},
    {"id": "concern.gp", "stage": "1.1", "type": "text", "required": true, "role": "good_practice",
     "text": "T", "help": "H", "applies_to": "all"},
    {"id": "concern.afd", "stage": "1.1", "type": "text", "required": true,
     "role": "areas_for_development", "text": "T", "help": "H", "applies_to": "all"},
    {"id": "concern.recs", "stage": "1.1", "type": "text", "required": false,
     "role": "recommendations", "text": "T", "help": "H", "applies_to": "all"},
    {"id": "concern.grade", "stage": "1.1", "type": "grade", "required": true, "role": "grade",
     "text": "T", "help": "H", "applies_to": "all"}]},
   {"id": "police", "stage": "2.4", "title": "Police", "questions": [
    {"id": "police.abe", "stage": "2.4", "type": "yes_no_na", "required": true,
     "text": "T", "help": "H", "applies_to": ["police"]},
    {"id": "police.gp", "stage": "2.4", "type": "text", "required": true, "role": "good_practice",
     "text": "T", "help": "H", "applies_to": "all"},
    {"id": "police.afd", "stage": "2.4", "type": "text", "required": true,
     "role": "areas_for_development", "text": "T", "help": "H", "applies_to": "all"},
    {"id": "police.recs", "stage": "2.4", "type": "text", "required": false,
     "role": "recommendations", "text": "T", "help": "H", "applies_to": "all"},
    {"id": "police.grade", "stage": "2.4", "type": "grade", "required": true, "role": "grade",
     "text": "T", "help": "H", "applies_to": "all", "scale": "rag"}]}]
})";

const core::Template& mini() {
  static const core::Template t = service::parse_template(kTemplate, "mini.json");
  return t;
}

core::AnswerInput text(const std::string& q, const std::string& v) {
  core::AnswerInput a;
  a.path = "$.answers['" + q + "']";
  a.question_id = q;
  a.value = core::AnswerValue{v, {}, false};
  return a;
}

core::AnswerInput list(const std::string& q, std::vector<std::string> codes) {
  core::AnswerInput a = text(q, "");
  a.value = core::AnswerValue{"", std::move(codes), true};
  return a;
}

std::vector<core::AnswerProblem> check(const std::vector<core::AnswerInput>& answers,
                                       const std::string& kind = "csc",
                                       const std::set<std::string>& na = {}) {
  return core::validate_answers(mini(), kind, na, answers);
}

}  // namespace

TEST_CASE("every return transition, legal and illegal", "[review]") {
  using S = ReturnState;
  using A = ReturnAction;
  // The whole table: (from, action) -> to; every pair not listed is illegal.
  const std::map<std::pair<S, A>, S> legal{
      {{S::assigned, A::save}, S::in_progress},    {{S::in_progress, A::save}, S::in_progress},
      {{S::in_progress, A::submit}, S::submitted}, {{S::submitted, A::send_back}, S::returned},
      {{S::submitted, A::accept}, S::accepted},    {{S::returned, A::save}, S::returned},
      {{S::returned, A::submit}, S::resubmitted},  {{S::resubmitted, A::send_back}, S::returned},
      {{S::resubmitted, A::accept}, S::accepted},  {{S::accepted, A::lock}, S::locked},
  };
  int checked = 0;
  for (const auto& name : core::return_state_names()) {
    const S from = *core::parse_return_state(name);
    CHECK(core::return_state_name(from) == name);
    for (A action : {A::save, A::submit, A::send_back, A::accept, A::lock}) {
      ++checked;
      const auto it = legal.find({from, action});
      const auto to = core::next_return_state(from, action);
      if (it != legal.end()) {
        REQUIRE(to.has_value());
        CHECK(*to == it->second);
        CHECK(core::apply_return_action(from, action) == it->second);
      } else {
        INFO(name << " + " << core::return_action_name(action));
        CHECK_FALSE(to.has_value());
        try {
          core::apply_return_action(from, action);
          FAIL("an illegal transition was applied");
        } catch (const core::ConflictError& e) {
          const std::string m = e.what();
          CHECK_THAT(m, Catch::Contains(std::string(core::return_action_name(action))));
          CHECK_THAT(m, Catch::Contains(name));
        }
      }
    }
  }
  CHECK(checked == 35);
  CHECK_FALSE(core::parse_return_state("draft").has_value());
  CHECK_THAT(std::string([] {
               try {
                 core::apply_return_action(S::locked, A::save);
               } catch (const core::ConflictError& e) {
                 return std::string(e.what());
               }
               return std::string();
             }()),
             Catch::Contains("nothing more can be done"));
}

TEST_CASE("every case transition, legal and illegal", "[review]") {
  using S = CaseState;
  using A = CaseAction;
  const std::map<std::pair<S, A>, S> legal{
      {{S::open, A::discuss}, S::discussed},       {{S::discussed, A::discuss}, S::discussed},
      {{S::discussed, A::moderate}, S::moderated}, {{S::moderated, A::moderate}, S::moderated},
      {{S::moderated, A::lock}, S::locked},
  };
  for (S from : {S::open, S::discussed, S::moderated, S::locked}) {
    CHECK(core::parse_case_state(core::case_state_name(from)) == from);
    for (A action : {A::discuss, A::moderate, A::lock}) {
      const auto it = legal.find({from, action});
      if (it != legal.end()) {
        CHECK(core::apply_case_action(from, action) == it->second);
      } else {
        CHECK_FALSE(core::next_case_state(from, action).has_value());
        CHECK_THROWS_AS(core::apply_case_action(from, action), core::ConflictError);
      }
    }
  }
}

TEST_CASE("answers of every type are checked against the template", "[review]") {
  CHECK(check({text("concern.told", "yes"), text("concern.route", "other"),
               list("concern.signs", {"behaviour", "medical"}), text("concern.when", "2025-02-28"),
               text("concern.gp", "Prompt referral."), text("concern.grade", "good"),
               text("police.grade", "red")})
            .empty());
  struct Bad {
    core::AnswerInput in;
    const char* message;
  };
  const std::vector<Bad> bad{
      {text("concern.told", "maybe"), "expected yes, no or na"},
      {text("concern.route", "carrier_pigeon"), "expected one of child_told or other"},
      {text("concern.grade", "green"), "expected a grade on the ofsted scale: good or inadequate"},
      {text("police.grade", "good"), "expected a grade on the rag scale"},
      {text("concern.when", "2025-02-30"), "expected a date YYYY-MM-DD"},
      {text("concern.gp", "   \n"), "text is blank"},
      {text("concern.gp", std::string(core::kMaxTextAnswer + 1, 'x')), "longer than 20000"},
      {text("concern.gp", "caf\xe9"), "not valid UTF-8"},
      {text("concern.gp", "\xed\xa0\x80"), "not valid UTF-8"},  // a UTF-16 surrogate
      {text("concern.gp", "\xc0\xaf"), "not valid UTF-8"},      // overlong
      {list("concern.signs", {"behaviour", "behaviour"}), "an option is given twice"},
      {list("concern.signs", {"smell"}), "expected option codes from behaviour or medical"},
      {list("concern.signs", {}), "expected at least one option code"},
      {text("concern.signs", "behaviour"), "expected a list of option codes"},
      {list("concern.told", {"yes"}), "expected a single value, not a list"},
      {text("concern.nope", "x"), "not a question of template mini@1"},
      {text("police.abe", "yes"), "not asked of csc agencies"},
  };
  for (const Bad& b : bad) {
    INFO(b.in.question_id << ": " << b.message);
    const auto p = check({b.in});
    REQUIRE(p.size() == 1);
    CHECK(p[0].path == b.in.path);
    CHECK_THAT(p[0].message, Catch::Contains(b.message));
    // A message never repeats the value given: it may be case content.
    if (b.in.value && b.in.value->text.size() > 3)
      CHECK(p[0].message.find(b.in.value->text) == std::string::npos);
  }
  // Police are asked their own question; a question answered twice is one problem.
  CHECK(check({text("police.abe", "yes")}, "police").empty());
  const auto twice = check({text("concern.told", "yes"), text("concern.told", "no")});
  REQUIRE(twice.size() == 1);
  CHECK_THAT(twice[0].message, Catch::Contains("answered twice"));
  // Every problem is reported, in input order.
  const auto several = check({text("concern.told", "maybe"), text("concern.grade", "green")});
  REQUIRE(several.size() == 2);
  CHECK(several[0].path == "$.answers['concern.told']");
}

TEST_CASE("tags, clearing and sections marked not applicable", "[review]") {
  core::AnswerInput tagged = text("concern.gp", "Good.");
  tagged.tags = {"voice_of_child", "information_sharing"};
  CHECK(check({tagged}).empty());
  tagged.tags = {"Voice Of Child"};
  CHECK_THAT(check({tagged})[0].message, Catch::Contains("a tag is lower-case"));
  tagged.tags.assign(core::kMaxTags + 1, "x");
  CHECK_THAT(check({tagged})[0].message, Catch::Contains("at most 10 tags"));

  core::AnswerInput clear = text("concern.gp", "");
  clear.value.reset();
  CHECK(check({clear}).empty());  // clearing needs no value

  const auto na = check({text("police.grade", "red")}, "csc", {"police"});
  REQUIRE(na.size() == 1);
  CHECK_THAT(na[0].message, Catch::Contains("section police is marked not applicable"));
  core::AnswerInput clear_na = text("police.grade", "");
  clear_na.value.reset();
  CHECK(check({clear_na}, "csc", {"police"}).empty());

  const auto sections =
      core::validate_not_applicable(mini(), "$.not_applicable", {"police", "ghost", "police"});
  REQUIRE(sections.size() == 2);
  CHECK(sections[0].path == "$.not_applicable[1]");
  CHECK(sections[1].path == "$.not_applicable[2]");
  CHECK_THAT(sections[1].message, Catch::Contains("twice"));
}

TEST_CASE("required questions follow the agency kind and sections not applicable", "[review]") {
  auto ids = [](const std::vector<const core::Question*>& qs) {
    std::vector<std::string> out;
    for (const auto* q : qs)
      out.push_back(q->id);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(ids(core::missing_required(mini(), "csc", {}, {})) ==
        V{"concern.told", "concern.gp", "concern.afd", "concern.grade", "police.gp", "police.afd",
          "police.grade"});
  // Police are also asked police.abe.
  CHECK(ids(core::missing_required(mini(), "police", {}, {})).size() == 8);
  CHECK(ids(core::missing_required(mini(), "police", {"police"},
                                   {"concern.told", "concern.gp", "concern.afd"})) ==
        V{"concern.grade"});
  CHECK(core::questions_for(mini(), "csc").size() == 12);
  CHECK(core::questions_for(mini(), "health").size() == 11);
}

TEST_CASE("a moderated grade that differs needs a rationale", "[review]") {
  CHECK_FALSE(core::moderation_problem("good", "good", "").has_value());
  CHECK_FALSE(
      core::moderation_problem("good", "inadequate", "Records show no follow-up").has_value());
  CHECK(core::moderation_problem("good", "inadequate", "").has_value());
  CHECK(core::moderation_problem("good", "inadequate", " \t\n").has_value());
}

TEST_CASE("agreement and Cohen's kappa match hand-computed examples", "[review]") {
  auto repeat = [](std::vector<core::RatingPair>& v, const char* a, const char* b, int n) {
    for (int i = 0; i < n; ++i)
      v.push_back({a, b});
  };
  // 2x2: yes/yes 20, yes/no 5, no/yes 10, no/no 15. po = 35/50 = 0.7; first says yes 25/50,
  // second 30/50; pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4.
  std::vector<core::RatingPair> two;
  repeat(two, "yes", "yes", 20);
  repeat(two, "yes", "no", 5);
  repeat(two, "no", "yes", 10);
  repeat(two, "no", "no", 15);
  auto a = core::agreement(two);
  CHECK(a.pairs == 50);
  CHECK(a.agreed == 35);
  CHECK(*a.percent == Approx(70.0));
  CHECK(*a.kappa == Approx(0.4));

  // Three categories: (a,a) x2, (b,b), (a,b), (c,a). po = 3/5; first a 3 b 1 c 1, second a 3
  // b 2 c 0; pe = 9/25 + 2/25 + 0 = 0.44; kappa = 0.16 / 0.56 = 2/7.
  std::vector<core::RatingPair> three;
  repeat(three, "a", "a", 2);
  repeat(three, "b", "b", 1);
  repeat(three, "a", "b", 1);
  repeat(three, "c", "a", 1);
  a = core::agreement(three);
  CHECK(*a.percent == Approx(60.0));
  CHECK(*a.kappa == Approx(2.0 / 7.0));

  // Complete disagreement on two codes used equally: kappa -1.
  a = core::agreement({{"good", "inadequate"}, {"inadequate", "good"}});
  CHECK(*a.percent == Approx(0.0));
  CHECK(*a.kappa == Approx(-1.0));
  // Perfect agreement across codes: 1.
  a = core::agreement({{"good", "good"}, {"inadequate", "inadequate"}});
  CHECK(*a.kappa == Approx(1.0));
  // One code throughout by both: agreement 100%, kappa undefined (chance agreement is 1).
  a = core::agreement({{"good", "good"}, {"good", "good"}});
  CHECK(*a.percent == Approx(100.0));
  CHECK_FALSE(a.kappa.has_value());
  a = core::agreement({});
  CHECK(a.pairs == 0);
  CHECK_FALSE(a.percent.has_value());
  CHECK_FALSE(a.kappa.has_value());
}

TEST_CASE("free text is checked without being quoted", "[review]") {
  CHECK_FALSE(core::text_problem("A finding.").has_value());
  CHECK(core::text_problem("").has_value());
  CHECK(*core::text_problem("\xff") == "text is not valid UTF-8");
  CHECK_FALSE(core::text_problem("Zoë’s mother 👍").has_value());
  CHECK(core::text_problem("\xf4\x90\x80\x80").has_value());  // beyond U+10FFFF
  CHECK(core::text_problem("\xe2\x82").has_value());          // truncated
}
