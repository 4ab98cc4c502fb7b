#pragma once

// Load-weighted bisection of sites into service areas (internal to the energy model's grid synthesis): of
// buildings for secondary substations, of secondary substations for primaries.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::energy {

// Loads at the design peak: power factor 0.95, as the energy model's loads (tan(acos(0.95)) = 0.3287).
inline constexpr double kDesignPowerFactor = 0.95;
inline constexpr double kDesignReactiveShare = 0.3287;
// Mapped substations up to this primary voltage (IEC 60038's highest MV band) are MV/LV sites; above it,
// HV/MV primaries.
inline constexpr double kOsmDistributionMaxKv = 36.0;

// A group of sites served by one substation: buildings (of a secondary substation) or secondary substations
// (of a primary), as indices into the `at` and `kva` vectors; `dedicated`: one building above one
// transformer's capacity, with a substation of its own in the building.
struct ServiceArea {
  std::vector<std::uint32_t> buildings;
  bool dedicated = false;
  geo::BBox box;
  double kva = 0;
  geo::Vec2 loadCentre;
};

inline ServiceArea describeArea(std::vector<std::uint32_t> buildings, const std::vector<geo::Vec2>& at,
                                const std::vector<double>& kva) {
  ServiceArea area;
  double wx = 0, wy = 0;
  for (std::uint32_t b : buildings) {
    area.box.expand(at[b]);
    area.kva += kva[b];
    wx += kva[b] * at[b].x;
    wy += kva[b] * at[b].y;
  }
  area.loadCentre = area.kva > 0 ? geo::Vec2{wx / area.kva, wy / area.kva} : area.box.centre();
  area.buildings = std::move(buildings);
  return area;
}

// Two halves at the load-weighted median of the longer side of the area's box (ties by building index).
inline std::pair<ServiceArea, ServiceArea> splitInTwo(ServiceArea area, const std::vector<geo::Vec2>& at,
                                                      const std::vector<double>& kva) {
  std::vector<std::uint32_t> buildings = std::move(area.buildings);
  const bool alongX = area.box.width() >= area.box.height();
  std::sort(buildings.begin(), buildings.end(), [&](std::uint32_t a, std::uint32_t b) {
    const double ka = alongX ? at[a].x : at[a].y, kb = alongX ? at[b].x : at[b].y;
    return ka != kb ? ka < kb : a < b;
  });
  double half = 0;
  std::size_t cut = 0;
  while (cut + 1 < buildings.size() && half + kva[buildings[cut]] <= area.kva / 2)
    half += kva[buildings[cut++]];
  cut = std::clamp<std::size_t>(cut, 1, buildings.size() - 1);
  std::vector<std::uint32_t> second(buildings.begin() + static_cast<std::ptrdiff_t>(cut), buildings.end());
  buildings.resize(cut);
  std::sort(buildings.begin(), buildings.end());
  std::sort(second.begin(), second.end());
  return {describeArea(std::move(buildings), at, kva), describeArea(std::move(second), at, kva)};
}

// Recursive bisection until an area fits one transformer's utilised capacity and the span (a single building
// always fits: larger ones have their own site).
inline void bisect(ServiceArea area, const std::vector<geo::Vec2>& at, const std::vector<double>& kva,
                   double maxKva, double maxSpanM, std::vector<ServiceArea>& out) {
  const bool fits = area.kva <= maxKva && std::max(area.box.width(), area.box.height()) <= maxSpanM;
  if (fits || area.buildings.size() <= 1) {
    out.push_back(std::move(area));
    return;
  }
  auto [first, second] = splitInTwo(std::move(area), at, kva);
  bisect(std::move(first), at, kva, maxKva, maxSpanM, out);
  bisect(std::move(second), at, kva, maxKva, maxSpanM, out);
}

}  // namespace citytwin::energy
