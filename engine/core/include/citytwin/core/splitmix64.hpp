#pragma once

#include <cstdint>

namespace citytwin {

// SplitMix64 (Steele, Lea and Flood 2014) is the one source of randomness of the engine, the models and
// the generator: its output is fixed by its definition, the same on every platform and compiler, which
// the standard library's distributions are not. Seeds, hashes and draws all go through it.

inline constexpr std::uint64_t kSplitMix64Gamma = 0x9e3779b97f4a7c15ULL;

// The generator's output function alone: scrambles the bits of one value.
constexpr std::uint64_t splitMix64Finalise(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Mixes one value so that nearby inputs give unrelated outputs (one step of the generator from it).
constexpr std::uint64_t splitMix64(std::uint64_t x) { return splitMix64Finalise(x + kSplitMix64Gamma); }

// Uniform in [0, 1) from the top 53 bits of a draw.
constexpr double unitInterval(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// The generator: a stream of draws from a seed.
class SplitMix64 {
 public:
  explicit constexpr SplitMix64(std::uint64_t seed) : state_(seed) {}
  constexpr std::uint64_t next() {
    const std::uint64_t draw = splitMix64(state_);
    state_ += kSplitMix64Gamma;
    return draw;
  }
  constexpr double uniform() { return unitInterval(next()); }

 private:
  std::uint64_t state_;
};

}  // namespace citytwin
