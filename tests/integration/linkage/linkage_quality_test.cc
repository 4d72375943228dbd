// Linkage quality on a synthetic partnership against its ground truth: the real binary generates,
// imports and reports links; this test scores them.
//
// Pairs are scored, not events: two events in one predicted child are a linked pair, credited to
// the weaker of their two tiers. Precision at a tier: the share of its pairs that are truly one
// child. Recall: the share of truly-same pairs that ended up in one predicted child.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "test_support.h"

using pathaudit::testing::read_file;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::TempDir;

namespace {

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  // The files read here (truth and links) hold no quoted fields.
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream ls(line);
    while (std::getline(ls, field, ','))
      fields.push_back(field);
    if (!line.empty() && line.back() == ',')
      fields.emplace_back();
    rows.push_back(fields);
  }
  return rows;
}

int tier_rank(const std::string& t) {
  static const std::map<std::string, int> ranks{
      {"nhs", 0}, {"local", 1}, {"exact", 2}, {"probable", 3}, {"none", 4}};
  return ranks.at(t);
}

}  // namespace

TEST_CASE("linkage on a synthetic partnership: exact tiers are 100% precise", "[linkage][synth]") {
  TempDir tmp;
  const std::string synth = tmp / "synth", data = tmp / "data";
  auto gen = run_pathaudit({"synth", "--seed", "11", "--children", "1500", "--out", synth});
  INFO(gen.err);
  REQUIRE(gen.status == 0);
  REQUIRE(run_pathaudit({"init", "--data-dir", data, "--partnership", synth + "/partnership.json"})
              .status == 0);
  std::vector<std::string> import{"import", "--data-dir", data};
  for (const auto& e : std::filesystem::directory_iterator(synth)) {
    if (e.path().extension() == ".csv")
      import.push_back(e.path().string());
  }
  auto imported = run_pathaudit(import);
  INFO(imported.err);
  REQUIRE(imported.status == 0);
  auto links = run_pathaudit({"links", "--data-dir", data, "--format", "csv"});
  REQUIRE(links.status == 0);

  std::map<std::string, std::string> truth;  // "AGENCY:event_id" -> true child
  for (const auto& r : csv_rows(read_file(synth + "/truth/events.csv")))
    truth[r[0] + ":" + r[1]] = r[2];

  struct Event {
    std::string truth;
    int tier;
  };
  std::map<std::string, std::vector<Event>> predicted;  // child_key -> events
  std::map<std::string, std::int64_t> truth_sizes;
  for (const auto& r : csv_rows(links.out)) {
    const auto t = truth.find(r[0] + ":" + r[1]);
    REQUIRE(t != truth.end());
    predicted[r[2]].push_back({t->second, tier_rank(r[3])});
    ++truth_sizes[t->second];
  }
  REQUIRE(predicted.size() > 0);

  std::array<std::int64_t, 5> pairs{}, correct{};
  std::int64_t true_pairs_found = 0;
  for (const auto& [_, events] : predicted) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      for (std::size_t j = i + 1; j < events.size(); ++j) {
        const int tier = std::max(events[i].tier, events[j].tier);
        ++pairs[tier];
        if (events[i].truth == events[j].truth) {
          ++correct[tier];
          ++true_pairs_found;
        }
      }
    }
  }
  std::int64_t true_pairs = 0;
  for (const auto& [_, n] : truth_sizes)
    true_pairs += n * (n - 1) / 2;

  const char* names[] = {"nhs", "local", "exact", "probable", "none"};
  std::ostringstream report;
  report << "linkage on synth seed 11, 1500 children, " << truth.size() << " events, "
         << predicted.size() << " predicted children, " << truth_sizes.size() << " true children\n";
  for (int t = 0; t < 4; ++t) {
    report << "  " << names[t] << ": " << pairs[t] << " pairs, precision "
           << (pairs[t] ? static_cast<double>(correct[t]) / static_cast<double>(pairs[t]) : 1.0)
           << "\n";
  }
  const double recall = static_cast<double>(true_pairs_found) / static_cast<double>(true_pairs);
  report << "  recall " << recall << " (" << true_pairs_found << " of " << true_pairs
         << " true pairs)";
  WARN(report.str());  // reported in the test log every run
  std::printf("%s\n", report.str().c_str());

  for (int t = 0; t < 3; ++t) {
    INFO(names[t]);
    REQUIRE(correct[t] == pairs[t]);
  }
  REQUIRE(pairs[0] > 0);
  REQUIRE(pairs[3] > 0);  // the synthetic noise must exercise the probable tier
  REQUIRE(recall > 0.9);
}
