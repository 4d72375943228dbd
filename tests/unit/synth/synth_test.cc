// pathaudit synth: determinism, the import contract, truth files, gap semantics, noise, options.
#include "service/synth.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "core/errors.h"
#include "ingest/normalise.h"
#include "service/reference_data.h"
#include "synth_check.h"
#include "test_support.h"

using pathaudit::core::Date;
using pathaudit::service::generate_synthetic_partnership;
using pathaudit::service::SynthOptions;
using pathaudit::service::SynthSummary;
using pathaudit::synthcheck::Output;
using pathaudit::synthcheck::Reading;
using pathaudit::testing::read_file;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace fs = std::filesystem;

namespace {

SynthOptions options(std::uint64_t seed, int children, const std::string& dir) {
  SynthOptions o;
  o.seed = seed;
  o.children = children;
  o.out_dir = dir;
  return o;
}

const pathaudit::core::WorkingDayCalendar& calendar() {
  static const auto cal = pathaudit::service::load_calendar(std::string(PATHAUDIT_TEMPLATES_DIR) +
                                                            "/calendars/england-and-wales.json");
  return cal;
}

// Every regular file under dir, by relative path.
std::map<std::string, std::string> files_of(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file())
      files[fs::relative(e.path(), dir).string()] = read_file(e.path().string());
  }
  return files;
}

// The evaluator's flags against the truth, reported as the first few differences.
void require_flags_match_truth(const Output& out, const Reading& reading = {}) {
  const auto flags = pathaudit::synthcheck::evaluate(out, calendar(), reading);
  std::vector<std::tuple<std::string, int, std::string>> missing, extra;
  std::set_difference(out.truth_gaps.begin(), out.truth_gaps.end(), flags.begin(), flags.end(),
                      std::back_inserter(missing));
  std::set_difference(flags.begin(), flags.end(), out.truth_gaps.begin(), out.truth_gaps.end(),
                      std::back_inserter(extra));
  for (std::size_t i = 0; i < std::min<std::size_t>(missing.size(), 5); ++i)
    UNSCOPED_INFO("injected but not flagged: " << std::get<0>(missing[i]) << " child "
                                               << std::get<1>(missing[i]) << " "
                                               << std::get<2>(missing[i]));
  for (std::size_t i = 0; i < std::min<std::size_t>(extra.size(), 5); ++i)
    UNSCOPED_INFO("flagged but not injected: " << std::get<0>(extra[i]) << " child "
                                               << std::get<1>(extra[i]) << " "
                                               << std::get<2>(extra[i]));
  CHECK(missing.empty());
  CHECK(extra.empty());
}

}  // namespace

TEST_CASE("the same seed writes the same bytes and another seed writes others", "[synth]") {
  TempDir a, b, c;
  generate_synthetic_partnership(options(7, 400, a.path()));
  generate_synthetic_partnership(options(7, 400, b.path()));
  generate_synthetic_partnership(options(8, 400, c.path()));
  const auto fa = files_of(a.path()), fb = files_of(b.path()), fc = files_of(c.path());
  REQUIRE(fa.size() == 14);  // partnership, ten agency files, three truth files
  REQUIRE(!fs::exists(a / ".synth-tmp"));
  for (const auto& [name, content] : fa) {
    INFO(name);
    REQUIRE(fb.count(name));
    CHECK(fb.at(name) == content);
  }
  CHECK(fc.at("events-CSC.csv") != fa.at("events-CSC.csv"));
  CHECK(fc.at("truth/gaps.csv") != fa.at("truth/gaps.csv"));

  // Regenerating into a previous synth's directory replaces it, with the same bytes again.
  generate_synthetic_partnership(options(7, 400, a.path()));
  CHECK(files_of(a.path()) == fb);
}

TEST_CASE("every file is valid import input with truth for every row", "[synth]") {
  TempDir dir;
  const SynthOptions o = options(2024, 2000, dir.path());
  const SynthSummary s = generate_synthetic_partnership(o);
  const Output out = pathaudit::synthcheck::load(dir.path());
  REQUIRE(out.agencies == std::vector<std::string>{"CSC", "POLICE", "GP", "ED", "HV", "SCHOOL",
                                                   "SARC", "CAMHS", "VCS", "EH"});
  const auto problems = pathaudit::synthcheck::contract_problems(out, o.start, o.end);
  for (const auto& p : problems)
    UNSCOPED_INFO(p);
  CHECK(problems.empty());

  std::int64_t rows = 0;
  for (const auto& [code, n] : s.events_per_agency) {
    INFO(code);
    CHECK(static_cast<std::int64_t>(out.rows.at(code).size()) == n);
    rows += n;
  }
  CHECK(rows == s.events);
  CHECK(pathaudit::synthcheck::summary_number(out.summary_json, {"events"}) == s.events);
  std::set<int> children;
  for (const auto& [key, child] : out.truth_child)
    children.insert(child);
  CHECK(children.size() == 2000);
  CHECK(*children.begin() == 1);
  CHECK(*children.rbegin() == 2000);

  // Quoting is exercised: notes with commas, quotes and line breaks survive the round trip.
  bool comma = false, quote = false, newline = false;
  for (const auto& [code, list] : out.rows) {
    for (const auto& r : list) {
      comma = comma || r.notes.find(',') != std::string::npos;
      quote = quote || r.notes.find('"') != std::string::npos;
      newline = newline || r.notes.find('\n') != std::string::npos;
    }
  }
  CHECK(comma);
  CHECK(quote);
  CHECK(newline);
}

TEST_CASE("the documented rules flag exactly the injected gaps", "[synth][gaps]") {
  for (std::uint64_t seed : {1ULL, 99ULL}) {
    INFO("seed " << seed);
    TempDir dir;
    const SynthSummary s = generate_synthetic_partnership(options(seed, 2000, dir.path()));
    const Output out = pathaudit::synthcheck::load(dir.path());
    require_flags_match_truth(out);

    // Each rule injected at roughly its rate among eligible children, and counted in the truth.
    for (const auto& g : s.gaps) {
      INFO(g.rule << ": " << g.injected << " of " << g.eligible << " at rate " << g.rate);
      const auto in_truth = std::count_if(out.truth_gaps.begin(), out.truth_gaps.end(),
                                          [&](const auto& t) { return std::get<0>(t) == g.rule; });
      CHECK(in_truth == g.injected);
      CHECK(g.eligible >= 100);
      const double expected = g.rate * static_cast<double>(g.eligible);
      CHECK(static_cast<double>(g.injected) >= 0.5 * expected);
      CHECK(static_cast<double>(g.injected) <= 2.0 * expected);
      CHECK(pathaudit::synthcheck::summary_number(out.summary_json, {"gaps", g.rule, "injected"}) ==
            g.injected);
    }
  }
}

TEST_CASE("the truth does not depend on how a rule's window is read", "[synth][gaps]") {
  TempDir dir;
  generate_synthetic_partnership(options(5, 1500, dir.path()));
  const Output out = pathaudit::synthcheck::load(dir.path());
  Reading lenient;
  lenient.involvement_excludes_outcome_day = true;
  lenient.involvement_ignores_sharing = true;
  lenient.day_windows_exclusive = true;
  lenient.medical_before_counts = true;
  lenient.specialist_kinds_are_health = true;
  lenient.working_days_counted = true;
  require_flags_match_truth(out, lenient);
  Reading named;
  named.involvement_counts_named_agencies = true;
  require_flags_match_truth(out, named);
}

TEST_CASE("with every gap rate at 1 or 0 the truth still matches the rules", "[synth][gaps]") {
  SECTION("all gaps at once") {
    TempDir dir;
    SynthOptions o = options(3, 800, dir.path());
    auto& r = o.gap_rates;
    r = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    const SynthSummary s = generate_synthetic_partnership(o);
    for (const auto& g : s.gaps) {
      INFO(g.rule);
      CHECK(g.injected == g.eligible);
    }
    require_flags_match_truth(pathaudit::synthcheck::load(dir.path()));
  }
  SECTION("no gaps") {
    TempDir dir;
    SynthOptions o = options(3, 800, dir.path());
    o.gap_rates = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const SynthSummary s = generate_synthetic_partnership(o);
    CHECK(s.injected_gaps() == 0);
    const Output out = pathaudit::synthcheck::load(dir.path());
    CHECK(out.truth_gaps.empty());
    require_flags_match_truth(out);
  }
}

TEST_CASE("identifiers carry every kind of noise and siblings and twins", "[synth][noise]") {
  TempDir dir;
  const SynthSummary s = generate_synthetic_partnership(options(11, 2000, dir.path()));
  for (const auto& [kind, n] : s.noise) {
    INFO(kind);
    CHECK(n > 0);
  }
  const Output out = pathaudit::synthcheck::load(dir.path());
  using pathaudit::ingest::normalise_name;

  struct Seen {
    std::set<std::string> forenames, surnames, dobs, nhs;
  };
  std::map<int, Seen> by_child;
  bool spaced_nhs = false, upper = false, no_forename = false, extra_space = false,
       unknown_sex = false;
  for (const auto& [code, rows] : out.rows) {
    for (const auto& r : rows) {
      Seen& seen = by_child[r.child];
      if (!r.forename.empty())
        seen.forenames.insert(r.forename);
      seen.surnames.insert(r.surname);
      if (!r.dob.empty())
        seen.dobs.insert(r.dob);
      if (auto n = pathaudit::ingest::normalise_nhs_number(r.nhs_number))
        seen.nhs.insert(*n);
      spaced_nhs = spaced_nhs || r.nhs_number.find(' ') != std::string::npos;
      upper = upper ||
              (r.surname.size() > 3 && std::none_of(r.surname.begin(), r.surname.end(),
                                                    [](char c) { return c >= 'a' && c <= 'z'; }));
      no_forename = no_forename || r.forename.empty();
      extra_space = extra_space || r.surname.starts_with(' ') || r.surname.ends_with(' ') ||
                    r.forename.starts_with(' ') || r.forename.ends_with(' ');
      unknown_sex = unknown_sex || r.sex == "U";
    }
  }
  CHECK(spaced_nhs);
  CHECK(upper);
  CHECK(no_forename);
  CHECK(extra_space);
  CHECK(unknown_sex);

  bool accent = false, swapped = false, hyphen = false, one_nhs = true;
  for (const auto& [child, seen] : by_child) {
    one_nhs = one_nhs && seen.nhs.size() <= 1;
    for (const auto& a : seen.forenames) {
      for (const auto& b : seen.forenames) {
        const bool a_ascii = std::all_of(a.begin(), a.end(), [](char c) { return c > 0; });
        const bool b_ascii = std::all_of(b.begin(), b.end(), [](char c) { return c > 0; });
        accent =
            accent || (a != b && !a_ascii && b_ascii && normalise_name(a) == normalise_name(b));
      }
    }
    for (const auto& a : seen.dobs) {
      for (const auto& b : seen.dobs)
        swapped = swapped || (a != b && a.substr(0, 4) == b.substr(0, 4) &&
                              a.substr(5, 2) == b.substr(8, 2) && a.substr(8, 2) == b.substr(5, 2));
    }
    for (const auto& a : seen.surnames) {
      const auto dash = a.find('-');
      if (dash == std::string::npos)
        continue;
      for (const auto& b : seen.surnames)
        hyphen = hyphen || b == a.substr(0, dash) || b == a.substr(dash + 1);
    }
  }
  CHECK(accent);
  CHECK(swapped);
  CHECK(hyphen);
  CHECK(one_nhs);  // noise never makes a second valid NHS number for a child

  // Twins: two children with one surname and date of birth but different forenames and NHS
  // numbers. Taken from CSC rows, which carry the true dob unless swapped.
  std::map<std::pair<std::string, std::string>, std::set<int>> by_name_dob;
  for (const auto& r : out.rows.at("CSC")) {
    if (!r.dob.empty())
      by_name_dob[{normalise_name(r.surname), r.dob}].insert(r.child);
  }
  int twin_pairs = 0;
  for (const auto& [key, kids] : by_name_dob)
    twin_pairs += kids.size() >= 2;
  CHECK(twin_pairs >= 5);
  CHECK(pathaudit::synthcheck::summary_number(out.summary_json, {"families"}) < 2000);
}

TEST_CASE("bad options are refused as validation errors", "[synth]") {
  TempDir dir;
  using pathaudit::core::ValidationError;
  SynthOptions o = options(1, 0, dir / "out");
  CHECK_THROWS_AS(generate_synthetic_partnership(o), ValidationError);
  o.children = pathaudit::service::kSynthMaxChildren + 1;
  CHECK_THROWS_AS(generate_synthetic_partnership(o), ValidationError);
  o = options(1, 10, dir / "out");
  o.end = o.start.plus_days(pathaudit::service::kSynthMinRangeDays - 1);
  CHECK_THROWS_AS(generate_synthetic_partnership(o), ValidationError);
  o = options(1, 10, dir / "out");
  o.start = Date::from_ymd(2019, 1, 1);  // before the calendar
  CHECK_THROWS_AS(generate_synthetic_partnership(o), ValidationError);
  o = options(1, 10, dir / "out");
  o.gap_rates.icpc_late = 1.5;
  CHECK_THROWS_AS(generate_synthetic_partnership(o), ValidationError);
  o = options(1, 10, "");
  CHECK_THROWS_AS(generate_synthetic_partnership(o), ValidationError);
  CHECK(!fs::exists(dir / "out"));

  // A directory holding anything synth did not write is left alone.
  fs::create_directories(dir / "mine");
  write_file(dir / "mine/notes.txt", "keep me");
  CHECK_THROWS_AS(generate_synthetic_partnership(options(1, 10, dir / "mine")), ValidationError);
  CHECK(read_file(dir / "mine/notes.txt") == "keep me");
  CHECK(!fs::exists(dir / "mine/partnership.json"));

  // A shorter range at the limit still fits every pathway.
  o = options(4, 300, dir / "short");
  o.start = Date::from_ymd(2024, 1, 1);
  o.end = o.start.plus_days(pathaudit::service::kSynthMinRangeDays);
  generate_synthetic_partnership(o);
  const Output out = pathaudit::synthcheck::load(dir / "short");
  CHECK(pathaudit::synthcheck::contract_problems(out, o.start, o.end).empty());
  require_flags_match_truth(out);
}

TEST_CASE("pathaudit synth on the command line", "[synth][cli]") {
  TempDir dir;
  auto r = run_pathaudit({"synth", "--seed", "42", "--children", "50", "--out", dir / "demo",
                          "--start", "2023-01-01", "--end", "2025-12-31"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::StartsWith("wrote 50 synthetic children"));
  CHECK(fs::exists(dir / "demo/events-POLICE.csv"));
  CHECK(fs::exists(dir / "demo/truth/gaps.csv"));

  auto h = run_pathaudit({"synth", "--help"});
  CHECK(h.status == 0);
  for (const char* opt : {"--seed", "--children", "--out", "--start", "--end"})
    CHECK_THAT(h.out, Catch::Contains(opt));
  CHECK_THAT(h.out, !Catch::Contains("--data-dir"));

  CHECK(run_pathaudit({"synth", "--children", "5", "--out", dir / "x"}).status == 64);
  CHECK(run_pathaudit({"synth", "--seed", "1", "--children", "5"}).status == 64);
  CHECK(run_pathaudit({"synth", "--seed", "-1", "--children", "5", "--out", dir / "x"}).status ==
        65);
  CHECK(run_pathaudit({"synth", "--seed", "1", "--children", "lots", "--out", dir / "x"}).status ==
        65);
  CHECK(run_pathaudit(
            {"synth", "--seed", "1", "--children", "5", "--out", dir / "x", "--end", "2025-13-01"})
            .status == 65);
  CHECK(run_pathaudit({"synth", "--seed", "1", "--children", "5", "--out", dir / "x", "extra"})
            .status == 64);
}
