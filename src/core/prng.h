// A small seeded pseudo-random generator whose output is fixed by this file alone: xoshiro256**
// (Blackman and Vigna, 2018) seeded through splitmix64. Sampling uses it instead of <random>'s
// distributions, whose output differs between standard libraries, so that the same seed draws the
// same sample on every platform and release (docs/qa-lead-guide.md, "Reproducibility"). Not
// cryptographic. A value type; one instance must be used by one thread at a time.
#pragma once

#include <cstdint>

namespace pathaudit::core {

// splitmix64: advances `state` and returns the next output (Steele, Lea and Flood, 2014).
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Prng {
 public:
  // Every seed, 0 included, gives a valid (never all-zero) state.
  constexpr explicit Prng(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& word : s_)
      word = splitmix64(sm);
  }

  // The next 64 bits of xoshiro256**.
  constexpr std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound) without modulo bias: outputs below 2^64 mod bound are rejected, so every
  // residue is equally likely. bound must be at least 1.
  constexpr std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
      const std::uint64_t r = next();
      if (r >= threshold)
        return r % bound;
    }
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t s_[4]{};
};

}  // namespace pathaudit::core
