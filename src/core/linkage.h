// Linking one child's records across agencies (DESIGN.md section 4), over pseudonymised keys only.
// Pure: records in, one cluster and one tier per record out; thread-safe.
//
// Tiers, strongest first: NHS number; local id within an agency; exact normalised surname +
// forename + date of birth; probable (phonetic surname code + forename initial + date of birth, or
// the same with day and month swapped), which is shown to auditors as "probable". Records sharing a
// key at a tier are joined, strongest tier first, except that two groups each carrying a different
// NHS number are never joined: different NHS numbers are different children.
//
// Deterministic whatever order the files came in: callers pass records in an order fixed by their
// content (by event reference pseudonym), and keys are processed in sorted order.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace pathaudit::core {

using LinkKey = std::array<std::uint8_t, 16>;

enum class LinkTier : std::uint8_t { nhs = 0, local = 1, exact = 2, probable = 3, none = 4 };

std::string_view tier_name(LinkTier tier);

struct LinkRecord {
  enum Has : std::uint8_t { kNhs = 1, kLocal = 2, kExact = 4, kProbable = 8, kSwap = 16 };
  std::uint8_t has = 0;
  LinkKey nhs{}, local{}, exact{}, probable{}, probable_swap{};
};

struct LinkResult {
  std::uint32_t cluster;  // index of the cluster's first record; equal for records of one child
  LinkTier tier;          // how this record joined its child's other records (see link())
};

// A record's tier says how firmly it belongs to its child: the strongest tier t such that links of
// tier t or stronger alone connect it to the child's anchor record (the first record carrying an
// NHS number, else an exact key, else a local id). So a record tied to the child only through a
// probable link is "probable" even if it shares an exact key with a sibling record. The anchor, and
// a record alone, get the strongest identifier they carry.
std::vector<LinkResult> link(const std::vector<LinkRecord>& records);

}  // namespace pathaudit::core
