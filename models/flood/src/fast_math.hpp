#pragma once

#include <bit>
#include <cstdint>

namespace citytwin::flood::detail {

// x^(-1/3) by Newton iteration from a bit-level first guess: only multiplications, additions and
// conversions — no division and no libm call — so the compiler vectorises it and every vector lane
// gives the same bits as the scalar remainder loop. Valid for normal x > 0; relative error ~1e-7 (float)
// and ~1e-15 (double).
inline float inverseCubeRoot(float x) {
  const auto bits = std::bit_cast<std::int32_t>(x);
  const auto guessBits = 0x54a2fa8c - static_cast<std::int32_t>(static_cast<float>(bits) * (1.0f / 3.0f));
  float y = std::bit_cast<float>(guessBits);
  const float third = x * (1.0f / 3.0f);
  y = y * (4.0f / 3.0f - third * y * y * y);
  y = y * (4.0f / 3.0f - third * y * y * y);
  y = y * (4.0f / 3.0f - third * y * y * y);
  return y;
}

inline double inverseCubeRoot(double x) {
  double y = static_cast<double>(inverseCubeRoot(static_cast<float>(x)));
  const double third = x * (1.0 / 3.0);
  y = y * (4.0 / 3.0 - third * y * y * y);
  y = y * (4.0 / 3.0 - third * y * y * y);
  return y;
}

}  // namespace citytwin::flood::detail
