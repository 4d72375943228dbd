#include "core/linkage.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <numeric>

namespace pathaudit::core {
namespace {

class Clusters {
 public:
  explicit Clusters(const std::vector<LinkRecord>& records)
      : parent_(records.size()), has_nhs_(records.size()), nhs_(records.size()) {
    std::iota(parent_.begin(), parent_.end(), 0u);
    for (std::size_t i = 0; i < records.size(); ++i) {
      has_nhs_[i] = (records[i].has & LinkRecord::kNhs) != 0;
      nhs_[i] = records[i].nhs;
    }
  }

  std::uint32_t find(std::uint32_t i) {
    while (parent_[i] != i) {
      parent_[i] = parent_[parent_[i]];
      i = parent_[i];
    }
    return i;
  }

  // Joins the clusters of a and b unless each carries a different NHS number. The smaller index
  // stays the root, so the result does not depend on the order of joins.
  bool join(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a == b)
      return true;
    if (has_nhs_[a] && has_nhs_[b] && nhs_[a] != nhs_[b])
      return false;
    if (b < a)
      std::swap(a, b);
    parent_[b] = a;
    if (!has_nhs_[a] && has_nhs_[b]) {
      has_nhs_[a] = true;
      nhs_[a] = nhs_[b];
    }
    return true;
  }

 private:
  std::vector<std::uint32_t> parent_;
  std::vector<bool> has_nhs_;
  std::vector<LinkKey> nhs_;
};

struct Entry {
  LinkKey key;
  std::uint32_t record;
  bool operator<(const Entry& o) const { return key != o.key ? key < o.key : record < o.record; }
};

}  // namespace

std::string_view tier_name(LinkTier tier) {
  switch (tier) {
    case LinkTier::nhs:
      return "nhs";
    case LinkTier::local:
      return "local";
    case LinkTier::exact:
      return "exact";
    case LinkTier::probable:
      return "probable";
    case LinkTier::none:
      break;
  }
  return "none";
}

std::vector<LinkResult> link(const std::vector<LinkRecord>& records) {
  const auto n = static_cast<std::uint32_t>(records.size());
  Clusters clusters(records);
  // Component of each record after each tier, to find the tier at which it reached the anchor.
  std::vector<std::vector<std::uint32_t>> after(4, std::vector<std::uint32_t>(n));
  std::size_t tiers_done = 0;
  std::vector<Entry> entries;
  entries.reserve(n);

  auto run_tier = [&](LinkTier tier, auto&& add_entries) {
    entries.clear();
    for (std::uint32_t i = 0; i < n; ++i)
      add_entries(i, records[i]);
    std::sort(entries.begin(), entries.end());
    for (std::size_t g = 0; g < entries.size();) {
      std::size_t end = g + 1;
      while (end < entries.size() && entries[end].key == entries[g].key)
        ++end;
      for (std::size_t k = g + 1; k < end; ++k)
        clusters.join(entries[g].record, entries[k].record);
      g = end;
    }
    (void)tier;
    for (std::uint32_t i = 0; i < n; ++i)
      after[tiers_done][i] = clusters.find(i);
    ++tiers_done;
  };

  run_tier(LinkTier::nhs, [&](std::uint32_t i, const LinkRecord& r) {
    if (r.has & LinkRecord::kNhs)
      entries.push_back({r.nhs, i});
  });
  run_tier(LinkTier::local, [&](std::uint32_t i, const LinkRecord& r) {
    if (r.has & LinkRecord::kLocal)
      entries.push_back({r.local, i});
  });
  run_tier(LinkTier::exact, [&](std::uint32_t i, const LinkRecord& r) {
    if (r.has & LinkRecord::kExact)
      entries.push_back({r.exact, i});
  });
  run_tier(LinkTier::probable, [&](std::uint32_t i, const LinkRecord& r) {
    if (r.has & LinkRecord::kProbable)
      entries.push_back({r.probable, i});
    if (r.has & LinkRecord::kSwap)
      entries.push_back({r.probable_swap, i});
  });

  auto own_tier = [](std::uint8_t h) {
    return (h & LinkRecord::kNhs)        ? LinkTier::nhs
           : (h & LinkRecord::kLocal)    ? LinkTier::local
           : (h & LinkRecord::kExact)    ? LinkTier::exact
           : (h & LinkRecord::kProbable) ? LinkTier::probable
                                         : LinkTier::none;
  };
  // The anchor of each final cluster: its first record with an NHS number, else an exact key, else
  // a local id, else its root.
  std::vector<std::uint32_t> anchor(n, UINT32_MAX);
  std::vector<std::uint8_t> anchor_rank(n, 255);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t c = after[3][i];
    const std::uint8_t h = records[i].has;
    const std::uint8_t rank = (h & LinkRecord::kNhs)     ? 0
                              : (h & LinkRecord::kExact) ? 1
                              : (h & LinkRecord::kLocal) ? 2
                                                         : 3;
    if (rank < anchor_rank[c]) {
      anchor_rank[c] = rank;
      anchor[c] = i;
    }
  }
  std::vector<LinkResult> out(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t c = after[3][i];
    const std::uint32_t a = anchor[c];
    LinkTier tier = own_tier(records[i].has);
    if (i != a) {
      for (std::size_t t = 0; t < 4; ++t) {
        if (after[t][i] == after[t][a]) {
          tier = static_cast<LinkTier>(t);
          break;
        }
      }
    }
    out[i] = {c, tier};
  }
  return out;
}

}  // namespace pathaudit::core
