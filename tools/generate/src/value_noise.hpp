#pragma once

#include <cmath>
#include <cstdint>

#include "seeded_random.hpp"

namespace citytwin::generate::detail {

// Smooth value noise in [0, 1]: seeded values on a square lattice of `spacingM`, blended with a quintic
// fade so slopes stay continuous. Stateless, so terrain rows can be filled in parallel.
inline double valueNoise(std::uint64_t seed, std::uint64_t octave, double x, double y, double spacingM) {
  const double gx = x / spacingM;
  const double gy = y / spacingM;
  const double fx = std::floor(gx);
  const double fy = std::floor(gy);
  const auto ix = static_cast<std::int64_t>(fx);
  const auto iy = static_cast<std::int64_t>(fy);
  const auto corner = [&](std::int64_t cx, std::int64_t cy) {
    return unitValue(seed, Purpose::Terrain, static_cast<std::uint64_t>(cx) * 0x100000001b3ULL + octave,
                     static_cast<std::uint64_t>(cy));
  };
  const auto fade = [](double t) { return t * t * t * (t * (t * 6.0 - 15.0) + 10.0); };
  const double tx = fade(gx - fx);
  const double ty = fade(gy - fy);
  const double south = corner(ix, iy) + (corner(ix + 1, iy) - corner(ix, iy)) * tx;
  const double north = corner(ix, iy + 1) + (corner(ix + 1, iy + 1) - corner(ix, iy + 1)) * tx;
  return south + (north - south) * ty;
}

inline double smoothStep(double edge0, double edge1, double x) {
  if (x <= edge0) return 0.0;
  if (x >= edge1) return 1.0;
  const double t = (x - edge0) / (edge1 - edge0);
  return t * t * (3.0 - 2.0 * t);
}

}  // namespace citytwin::generate::detail
