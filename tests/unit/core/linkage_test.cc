#include "core/linkage.h"

#include <catch2/catch.hpp>

using namespace pathaudit::core;

namespace {

LinkKey k(int v) {
  LinkKey key{};
  key[0] = static_cast<std::uint8_t>(v);
  key[1] = static_cast<std::uint8_t>(v >> 8);
  return key;
}

LinkRecord rec(int nhs, int local, int exact, int probable, int swap = 0) {
  LinkRecord r;
  if (nhs)
    r.has |= LinkRecord::kNhs, r.nhs = k(nhs);
  if (local)
    r.has |= LinkRecord::kLocal, r.local = k(local);
  if (exact)
    r.has |= LinkRecord::kExact, r.exact = k(exact);
  if (probable)
    r.has |= LinkRecord::kProbable, r.probable = k(probable);
  if (swap)
    r.has |= LinkRecord::kSwap, r.probable_swap = k(swap);
  return r;
}

}  // namespace

TEST_CASE("records join through a chain of tiers, each with its tier", "[linkage]") {
  //  0 and 1 share an NHS number; 1 and 2 share a name+dob; 3 is a probable match of 2.
  auto out = link({rec(1, 0, 10, 20), rec(1, 0, 11, 21), rec(0, 0, 11, 21), rec(0, 0, 12, 21),
                   rec(0, 5, 0, 0)});
  REQUIRE(out[0].cluster == out[1].cluster);
  REQUIRE(out[1].cluster == out[2].cluster);
  REQUIRE(out[2].cluster == out[3].cluster);
  REQUIRE(out[4].cluster != out[0].cluster);
  REQUIRE(out[0].tier == LinkTier::nhs);
  REQUIRE(out[1].tier == LinkTier::nhs);
  REQUIRE(out[2].tier == LinkTier::exact);
  REQUIRE(out[3].tier == LinkTier::probable);
  REQUIRE(out[4].tier == LinkTier::local);  // alone: its strongest identifier
}

TEST_CASE("different NHS numbers are never joined, even by a name match", "[linkage]") {
  // Twins: same surname and dob, forenames with the same initial, each with an NHS number.
  auto out = link({rec(1, 0, 10, 20), rec(2, 0, 11, 20), rec(0, 0, 10, 20)});
  REQUIRE(out[0].cluster != out[1].cluster);
  REQUIRE(out[2].cluster == out[0].cluster);  // the exact tier wins before probable
}

TEST_CASE("a day/month-swapped date of birth links at the probable tier", "[linkage]") {
  auto out = link({rec(0, 0, 10, 20, 30), rec(0, 0, 11, 30, 20)});
  REQUIRE(out[0].cluster == out[1].cluster);
  REQUIRE(out[1].tier == LinkTier::probable);
}

TEST_CASE("a record tied to the child only through a probable link is probable", "[linkage]") {
  // 0 anchors (NHS). 1 matches 0 probably; 2 shares an exact key with 1 but not with 0.
  auto out = link({rec(1, 0, 10, 20), rec(0, 0, 11, 20), rec(0, 0, 11, 25)});
  REQUIRE(out[0].cluster == out[2].cluster);
  REQUIRE(out[0].tier == LinkTier::nhs);
  REQUIRE(out[1].tier == LinkTier::probable);
  REQUIRE(out[2].tier == LinkTier::probable);
}
