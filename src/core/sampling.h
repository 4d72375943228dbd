// Drawing an audit sample from a population of children (docs/qa-lead-guide.md, "Sampling"): a
// seeded, stratified draw with proportional allocation by largest remainder, optionally drawing a
// number of flagged children first. Pure: the same population and request give the same sample on
// every platform, whatever order the population arrives in. Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pathaudit::core {

struct PopulationEntry {
  std::int64_t child_id = 0;
  // The canonical sort key (the child's display key). The population is ordered by key, then
  // child_id, before drawing, so the draw does not depend on the order entries are given in, nor
  // on store row ids when keys are set.
  std::string key;
  std::string stratum;  // any text; one stratum for all gives a simple random sample
  bool flagged = false;
};

struct SampleRequest {
  std::size_t size = 0;
  std::uint64_t seed = 0;
  std::size_t include_flagged = 0;  // drawn first, uniformly from the flagged entries
};

struct SelectedEntry {
  std::int64_t child_id = 0;
  std::string key;
  std::string stratum;
  bool flagged = false;
  bool drawn_as_flagged = false;  // one of the include_flagged draws
};

struct StratumCount {
  std::string stratum;
  std::size_t count = 0;
};

// Splits `size` over strata in proportion to their counts: each gets floor(size * count / total),
// and the units left over go one each to the strata with the largest remainders, ties broken by
// stratum name (byte order). Returns one allocation per stratum, in stratum name order; no
// stratum gets more than its count. Requires size <= total.
std::vector<StratumCount> allocate_proportional(std::vector<StratumCount> strata, std::size_t size);

// Draws the sample. The include_flagged entries are drawn first, uniformly from the flagged
// entries; the rest of the sample is allocated over the remaining population's strata by
// allocate_proportional and drawn uniformly within each stratum (strata in name order). Result:
// the flagged draws, then the stratified draws by stratum, each group ordered by key.
//
// Throws ValidationError, stating the numbers, when size is 0, size exceeds the population,
// include_flagged exceeds size or the number of flagged entries, or a child_id appears twice.
std::vector<SelectedEntry> draw_sample(std::vector<PopulationEntry> population,
                                       const SampleRequest& request);

}  // namespace pathaudit::core
