#include "citytwin/traffic/demand_calibration.hpp"

#include <cmath>

#include "citytwin/core/splitmix64.hpp"

namespace citytwin::traffic {

double observedFlowFactor(const std::vector<std::optional<std::vector<std::int32_t>>>& routes, double windowS,
                          const std::vector<double>& observedVehPerHour) {
  if (!(windowS > 0.0)) return 1.0;
  std::vector<double> modelled(observedVehPerHour.size(), 0.0);
  const double perTrip = 3600.0 / windowS;
  for (const auto& route : routes) {
    if (!route) continue;
    for (std::int32_t link : *route) {
      if (link >= 0 && static_cast<std::size_t>(link) < modelled.size())
        modelled[static_cast<std::size_t>(link)] += perTrip;
    }
  }
  double observedSum = 0.0;
  double modelledSum = 0.0;
  for (std::size_t l = 0; l < modelled.size(); ++l) {
    const double observed = observedVehPerHour[l];
    if (!std::isfinite(observed) || observed <= 0.0 || modelled[l] <= 0.0) continue;
    observedSum += observed;
    modelledSum += modelled[l];
  }
  return modelledSum > 0.0 ? observedSum / modelledSum : 1.0;
}

std::vector<std::size_t> resampleTrips(std::size_t count, double factor, std::uint64_t seed) {
  std::vector<std::size_t> kept;
  if (!(factor > 0.0)) return kept;
  const double whole = std::floor(factor);
  const double fraction = factor - whole;
  SplitMix64 random(seed);
  kept.reserve(static_cast<std::size_t>(static_cast<double>(count) * factor) + 1);
  for (std::size_t k = 0; k < count; ++k) {
    std::size_t copies = static_cast<std::size_t>(whole);
    if (random.uniform() < fraction) ++copies;
    for (std::size_t c = 0; c < copies; ++c) kept.push_back(k);
  }
  return kept;
}

}  // namespace citytwin::traffic
