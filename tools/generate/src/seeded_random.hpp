#pragma once

#include <cstdint>

#include "citytwin/core/splitmix64.hpp"

namespace citytwin::generate::detail {

// Counter-based randomness: every draw is a pure function of (seed, purpose, indices), so any part of
// the town can be generated in any order, on any thread, and come out the same.
constexpr std::uint64_t mixBits(std::uint64_t x) { return splitMix64(x); }

// The purposes draws are made for; each gets an independent stream.
enum class Purpose : std::uint64_t {
  River = 1,
  Terrain,
  Columns,
  Rows,
  Arterials,
  Streets,
  Block,
  Zone,
  Grid,
  Sensors,
  Town,
};

constexpr std::uint64_t streamKey(std::uint64_t seed, Purpose purpose, std::uint64_t a = 0, std::uint64_t b = 0) {
  return mixBits(mixBits(mixBits(seed ^ (static_cast<std::uint64_t>(purpose) << 56)) ^ a) ^ (b * 0x2545f4914f6cdd1dULL));
}

// Uniform in [0, 1) from 53 random bits.
constexpr double unitFromBits(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * (1.0 / 9007199254740992.0);
}

inline double unitValue(std::uint64_t seed, Purpose purpose, std::uint64_t a = 0, std::uint64_t b = 0) {
  return unitFromBits(streamKey(seed, purpose, a, b));
}

// A sequence of draws for one object (a block, a column list): deterministic given its key.
class RandomStream {
 public:
  explicit RandomStream(std::uint64_t key) : state_(key) {}
  RandomStream(std::uint64_t seed, Purpose purpose, std::uint64_t a = 0, std::uint64_t b = 0)
      : state_(streamKey(seed, purpose, a, b)) {}

  std::uint64_t bits() {
    state_ += kSplitMix64Gamma;
    return mixBits(state_);
  }
  double unit() { return unitFromBits(bits()); }
  double uniform(double low, double high) { return low + (high - low) * unit(); }
  // Uniform integer in [low, high].
  int integer(int low, int high) {
    const auto span = static_cast<std::uint64_t>(high - low + 1);
    return low + static_cast<int>(bits() % span);
  }
  bool chance(double probability) { return unit() < probability; }

 private:
  std::uint64_t state_;
};

}  // namespace citytwin::generate::detail
