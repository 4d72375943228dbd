#include "core/sampling.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include "core/errors.h"
#include "core/prng.h"

namespace pathaudit::core {
namespace {

bool canonical_less(const PopulationEntry& a, const PopulationEntry& b) {
  if (a.key != b.key)
    return a.key < b.key;
  return a.child_id < b.child_id;
}

bool selected_less(const SelectedEntry& a, const SelectedEntry& b) {
  if (a.key != b.key)
    return a.key < b.key;
  return a.child_id < b.child_id;
}

// Moves `count` entries chosen uniformly from `pool` to its front (a partial Fisher-Yates shuffle,
// one rng.below() call per entry chosen).
template <class T>
void choose_front(std::vector<T>& pool, std::size_t count, Prng& rng) {
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(rng.below(pool.size() - i));
    std::swap(pool[i], pool[j]);
  }
}

SelectedEntry select(const PopulationEntry& e, bool as_flagged) {
  return SelectedEntry{e.child_id, e.key, e.stratum, e.flagged, as_flagged};
}

std::string children(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " child" : " children");
}

}  // namespace

std::vector<StratumCount> allocate_proportional(std::vector<StratumCount> strata,
                                                std::size_t size) {
  std::sort(strata.begin(), strata.end(),
            [](const StratumCount& a, const StratumCount& b) { return a.stratum < b.stratum; });
  std::size_t total = 0;
  for (const auto& s : strata)
    total += s.count;
  if (size > total) {
    throw ValidationError("cannot allocate " + std::to_string(size) + " cases over strata of " +
                          children(total));
  }
  std::vector<StratumCount> out;
  std::vector<std::pair<std::size_t, std::size_t>> remainders;  // (remainder, index in out)
  std::size_t allocated = 0;
  for (const auto& s : strata) {
    // size * count fits easily: both are bounded by the population, far below 2^32.
    const unsigned long long product = static_cast<unsigned long long>(size) * s.count;
    const std::size_t quota = total == 0 ? 0 : static_cast<std::size_t>(product / total);
    const std::size_t remainder = total == 0 ? 0 : static_cast<std::size_t>(product % total);
    remainders.emplace_back(remainder, out.size());
    out.push_back({s.stratum, quota});
    allocated += quota;
  }
  // Largest remainder first; equal remainders in stratum name order (out is in name order).
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; allocated < size && i < remainders.size(); ++i) {
    ++out[remainders[i].second].count;
    ++allocated;
  }
  return out;
}

std::vector<SelectedEntry> draw_sample(std::vector<PopulationEntry> population,
                                       const SampleRequest& request) {
  const std::size_t n = population.size();
  if (request.size == 0)
    throw ValidationError("the sample size must be at least 1");
  if (request.size > n) {
    throw ValidationError("the sample size " + std::to_string(request.size) +
                          " is larger than the population (" + children(n) + ")");
  }
  std::sort(population.begin(), population.end(), canonical_less);
  std::vector<std::int64_t> ids;
  ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    ids.push_back(population[i].child_id);
    if (i > 0 && !population[i].key.empty() && population[i].key == population[i - 1].key)
      throw ValidationError("the population lists one child key twice");
  }
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end())
    throw ValidationError("the population lists one child twice");
  std::vector<PopulationEntry> flagged, rest;
  for (auto& e : population)
    (e.flagged ? flagged : rest).push_back(std::move(e));
  if (request.include_flagged > request.size) {
    throw ValidationError("--include-flagged " + std::to_string(request.include_flagged) +
                          " is larger than the sample size " + std::to_string(request.size));
  }
  if (request.include_flagged > flagged.size()) {
    throw ValidationError("--include-flagged " + std::to_string(request.include_flagged) +
                          " is more than the flagged children in the population (" +
                          std::to_string(flagged.size()) + ")");
  }
  // With duplicates refused, the canonical order is total: the draw depends only on the
  // population's content and the seed.
  Prng rng(request.seed);
  std::vector<SelectedEntry> out;
  out.reserve(request.size);

  choose_front(flagged, request.include_flagged, rng);
  for (std::size_t i = 0; i < request.include_flagged; ++i)
    out.push_back(select(flagged[i], true));
  std::sort(out.begin(), out.end(), selected_less);
  // Flagged children not drawn as such rejoin the population for the stratified draw.
  for (std::size_t i = request.include_flagged; i < flagged.size(); ++i)
    rest.push_back(std::move(flagged[i]));
  std::sort(rest.begin(), rest.end(), canonical_less);

  std::map<std::string, std::vector<PopulationEntry>> strata;
  for (auto& e : rest)
    strata[e.stratum].push_back(std::move(e));
  std::vector<StratumCount> counts;
  for (const auto& [name, members] : strata)
    counts.push_back({name, members.size()});
  const auto allocation = allocate_proportional(counts, request.size - request.include_flagged);
  for (const auto& a : allocation) {
    auto& members = strata[a.stratum];
    choose_front(members, a.count, rng);
    const std::size_t first = out.size();
    for (std::size_t i = 0; i < a.count; ++i)
      out.push_back(select(members[i], false));
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), selected_less);
  }
  return out;
}

}  // namespace pathaudit::core
