#pragma once
// Deterministic random numbers for voxmon-gen. std::mt19937_64's output sequence is fixed by
// the standard; std:: distributions are not, so the distributions here are written out.
#include <cmath>
#include <cstdint>
#include <random>

namespace voxmon::gen {

// SplitMix64 finalizer: derives independent seeds (per call, per stream) from one seed.
inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
inline uint64_t derive_seed(uint64_t seed, uint64_t a, uint64_t b = 0) {
  return mix64(mix64(mix64(seed) ^ a) ^ (b * 0xd6e8feb86659fd93ULL));
}

class rng {
 public:
  explicit rng(uint64_t seed) : engine_(seed) {}
  uint64_t bits() { return engine_(); }
  // [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // [0, n) without modulo bias; n > 0.
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = engine_();
    while (x >= limit);
    return x % n;
  }
  // Integer in [lo, hi] (inclusive).
  int64_t between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool chance(double p) { return uniform01() < p; }
  double exponential(double mean) { return -std::log(1.0 - uniform01()) * mean; }
  // Standard normal by Box-Muller (one value per call, no caching: simpler to reason about).
  double normal() {
    const double u1 = 1.0 - uniform01();  // (0, 1]
    const double u2 = uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace voxmon::gen
