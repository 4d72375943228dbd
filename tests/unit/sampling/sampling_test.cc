// core::Prng and core::draw_sample: the seeded, stratified sample behind `pathaudit sample`.
#include "core/sampling.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/prng.h"

using pathaudit::core::allocate_proportional;
using pathaudit::core::draw_sample;
using pathaudit::core::PopulationEntry;
using pathaudit::core::Prng;
using pathaudit::core::SampleRequest;
using pathaudit::core::SelectedEntry;
using pathaudit::core::StratumCount;
using pathaudit::core::ValidationError;

namespace {

std::string key_of(int i) {
  std::string k = std::to_string(i);
  return "K" + std::string(3 - std::min<std::size_t>(3, k.size()), '0') + k;
}

// Children K000..K(n-1), ids 1..n, stratum "ABC"[i % 3], flagged when i % 7 == 0.
std::vector<PopulationEntry> population(int n) {
  std::vector<PopulationEntry> out;
  for (int i = 0; i < n; ++i)
    out.push_back({i + 1, key_of(i), std::string(1, "ABC"[i % 3]), i % 7 == 0});
  return out;
}

// Strata with the given sizes, named by the map keys.
std::vector<PopulationEntry> strata(const std::map<std::string, int>& sizes) {
  std::vector<PopulationEntry> out;
  int id = 0;
  for (const auto& [name, count] : sizes) {
    for (int i = 0; i < count; ++i, ++id)
      out.push_back({id + 1, key_of(id), name, false});
  }
  return out;
}

std::vector<std::string> keys(const std::vector<SelectedEntry>& sample) {
  std::vector<std::string> out;
  for (const auto& e : sample)
    out.push_back(e.key);
  return out;
}

std::map<std::string, int> per_stratum(const std::vector<SelectedEntry>& sample) {
  std::map<std::string, int> out;
  for (const auto& e : sample)
    ++out[e.stratum];
  return out;
}

// Shuffles with the project's own generator so the test does not depend on std::shuffle.
void shuffle(std::vector<PopulationEntry>& v, std::uint64_t seed) {
  Prng rng(seed);
  for (std::size_t i = v.size(); i > 1; --i)
    std::swap(v[i - 1], v[static_cast<std::size_t>(rng.below(i))]);
}

std::string refusal(const std::vector<PopulationEntry>& pop, SampleRequest request) {
  try {
    draw_sample(pop, request);
  } catch (const ValidationError& e) {
    return e.what();
  }
  return "no refusal";
}

}  // namespace

TEST_CASE("xoshiro256** seeded by splitmix64 matches the reference implementation", "[sampling]") {
  // First outputs of the authors' C code with the state filled by splitmix64 from the seed.
  Prng zero(0);
  REQUIRE(zero.next() == 0x99ec5f36cb75f2b4ULL);
  REQUIRE(zero.next() == 0xbf6e1f784956452aULL);
  REQUIRE(zero.next() == 0x1a5f849d4933e6e0ULL);
  Prng other(12345);
  REQUIRE(other.next() == 13720838825685603483ULL);
  REQUIRE(other.next() == 2398916695208396998ULL);
}

TEST_CASE("Prng::below stays in range and reaches every value", "[sampling]") {
  Prng rng(7);
  std::vector<int> seen(6, 0);
  for (int i = 0; i < 6000; ++i) {
    const auto v = rng.below(6);
    REQUIRE(v < 6);
    ++seen[v];
  }
  for (int count : seen) {
    REQUIRE(count > 850);  // 1000 expected; a biased or stuck generator falls far outside
    REQUIRE(count < 1150);
  }
  REQUIRE(rng.below(1) == 0);
  // A bound just above 2^63 rejects almost half the outputs; it must still terminate and stay
  // below the bound.
  const std::uint64_t big = (std::uint64_t{1} << 63) + 1;
  for (int i = 0; i < 100; ++i)
    REQUIRE(rng.below(big) < big);
}

TEST_CASE("the same population and seed draw the same sample whatever the input order",
          "[sampling]") {
  const auto pop = population(200);
  const SampleRequest request{25, 2024, 3};
  const auto reference = draw_sample(pop, request);
  REQUIRE(reference.size() == 25);
  for (std::uint64_t s : {1u, 2u, 3u, 99u}) {
    auto shuffled = pop;
    shuffle(shuffled, s);
    REQUIRE(shuffled.front().key != pop.front().key);
    REQUIRE(keys(draw_sample(shuffled, request)) == keys(reference));
  }
  auto reversed = pop;
  std::reverse(reversed.begin(), reversed.end());
  REQUIRE(keys(draw_sample(reversed, request)) == keys(reference));
  // A different seed draws a different sample.
  REQUIRE(keys(draw_sample(pop, {25, 2025, 3})) != keys(reference));
}

TEST_CASE("the draw is fixed by the documented algorithm (independent re-implementation)",
          "[sampling]") {
  // Expected values from a Python re-implementation of docs/qa-lead-guide.md, "Reproducibility":
  // canonical order by key, flagged draws first by partial Fisher-Yates with Prng::below, then
  // largest-remainder allocation and the same shuffle within each stratum in name order.
  const auto pop = population(30);
  REQUIRE(keys(draw_sample(pop, {7, 42, 2})) ==
          std::vector<std::string>{"K014", "K021", "K000", "K006", "K004", "K019", "K017"});
  REQUIRE(keys(draw_sample(pop, {5, 7, 0})) ==
          std::vector<std::string>{"K012", "K018", "K016", "K025", "K014"});
}

TEST_CASE("proportional allocation is exact under largest remainder", "[sampling]") {
  auto alloc = [](std::vector<StratumCount> counts, std::size_t size) {
    std::map<std::string, std::size_t> out;
    for (const auto& a : allocate_proportional(std::move(counts), size))
      out[a.stratum] = a.count;
    return out;
  };
  using M = std::map<std::string, std::size_t>;
  // Exact proportions.
  REQUIRE(alloc({{"A", 50}, {"B", 30}, {"C", 20}}, 10) == M{{"A", 5}, {"B", 3}, {"C", 2}});
  // 3.6, 1.8, 1.2 -> floors 3, 1, 1; one left over goes to the largest remainder (B, 0.8).
  REQUIRE(alloc({{"x", 5}, {"y", 3}, {"z", 2}}, 6) == M{{"x", 3}, {"y", 2}, {"z", 1}});
  // 3.5, 3.5, 3 -> the tie between A and B is broken by name, whatever order they arrive in.
  REQUIRE(alloc({{"B", 7}, {"A", 7}, {"C", 6}}, 10) == M{{"A", 4}, {"B", 3}, {"C", 3}});
  REQUIRE(alloc({{"b", 1}, {"c", 1}, {"a", 1}}, 2) == M{{"a", 1}, {"b", 1}, {"c", 0}});
  // Everything, and nothing.
  REQUIRE(alloc({{"A", 4}, {"B", 1}}, 5) == M{{"A", 4}, {"B", 1}});
  REQUIRE(alloc({{"A", 4}, {"B", 1}}, 0) == M{{"A", 0}, {"B", 0}});
  REQUIRE_THROWS_AS(alloc({{"A", 4}}, 5), ValidationError);

  // The drawn sample follows the allocation.
  const auto pop = strata({{"agency CSC", 50}, {"agency GP", 30}, {"agency POLICE", 20}});
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    REQUIRE(per_stratum(draw_sample(pop, {10, seed, 0})) ==
            std::map<std::string, int>{{"agency CSC", 5}, {"agency GP", 3}, {"agency POLICE", 2}});
  }
  REQUIRE(per_stratum(draw_sample(strata({{"A", 7}, {"B", 7}, {"C", 6}}), {10, 5, 0})) ==
          std::map<std::string, int>{{"A", 4}, {"B", 3}, {"C", 3}});
}

TEST_CASE("a sample never holds a child twice", "[sampling]") {
  const auto pop = population(60);
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    for (std::size_t size : {std::size_t{1}, std::size_t{17}, std::size_t{60}}) {
      const auto sample = draw_sample(pop, {size, seed, std::min<std::size_t>(size, 4)});
      REQUIRE(sample.size() == size);
      std::set<std::int64_t> ids;
      for (const auto& e : sample)
        ids.insert(e.child_id);
      REQUIRE(ids.size() == size);
    }
  }
  // A population that lists a child twice is refused rather than drawn from.
  auto twice = population(5);
  twice.push_back(twice.front());
  twice.back().key = "other";
  REQUIRE_THAT(refusal(twice, {2, 1, 0}), Catch::Contains("twice"));
}

TEST_CASE("include-flagged draws that many flagged children first, then stratifies the rest",
          "[sampling]") {
  // 100 children, all unflagged in A and B except 6 flagged children in stratum F.
  auto pop = strata({{"A", 60}, {"B", 34}, {"F", 6}});
  for (auto& e : pop)
    e.flagged = e.stratum == "F";
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const auto sample = draw_sample(pop, {12, seed, 4});
    REQUIRE(sample.size() == 12);
    int as_flagged = 0;
    for (std::size_t i = 0; i < sample.size(); ++i) {
      if (sample[i].drawn_as_flagged) {
        ++as_flagged;
        REQUIRE(sample[i].flagged);
        REQUIRE(i < 4);  // flagged draws come first
      }
    }
    REQUIRE(as_flagged == 4);
    // The remaining 8 are allocated over the remaining 96 (A 60, B 34, F 2): 5.0, 2.83, 0.17.
    std::map<std::string, int> rest;
    for (const auto& e : sample) {
      if (!e.drawn_as_flagged)
        ++rest[e.stratum];
    }
    REQUIRE(rest == std::map<std::string, int>{{"A", 5}, {"B", 3}});
  }
  // Asking for every flagged child includes every one.
  const auto all = draw_sample(pop, {6, 9, 6});
  for (const auto& e : all)
    REQUIRE(e.flagged);
}

TEST_CASE("impossible requests are refused with the numbers", "[sampling]") {
  const auto pop = population(30);  // 5 flagged (0, 7, 14, 21, 28)
  REQUIRE_THAT(refusal(pop, {0, 1, 0}), Catch::Contains("at least 1"));
  REQUIRE_THAT(refusal(pop, {31, 1, 0}), Catch::Contains("31") && Catch::Contains("30 children") &&
                                             Catch::Contains("larger than the population"));
  REQUIRE_THAT(refusal({}, {1, 1, 0}), Catch::Contains("0 children"));
  REQUIRE_THAT(refusal(pop, {3, 1, 4}),
               Catch::Contains("--include-flagged 4") && Catch::Contains("sample size 3"));
  REQUIRE_THAT(refusal(pop, {10, 1, 6}), Catch::Contains("--include-flagged 6") &&
                                             Catch::Contains("flagged") && Catch::Contains("(5)"));
  REQUIRE(refusal(pop, {10, 1, 5}) == "no refusal");
  REQUIRE(refusal(pop, {30, 1, 0}) == "no refusal");
}
