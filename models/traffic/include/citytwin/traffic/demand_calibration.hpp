#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace citytwin::traffic {

// The factor that makes the demand carry the observed flows: each trip's route (road link indices, or none
// when it cannot be routed) loads its links at 3600 / windowS vehicles per hour; the factor is the sum of
// the observed flows over the sum of those modelled flows, both taken over the links with a positive,
// finite observation and a positive modelled flow. 1 when no link has both.
double observedFlowFactor(const std::vector<std::optional<std::vector<std::int32_t>>>& routes, double windowS,
                          const std::vector<double>& observedVehPerHour);

// Which trips to keep, in order, so that the expected number of trips is `factor` times `count`: each trip
// is kept floor(factor) times and once more with probability frac(factor), from a stream seeded by `seed`.
std::vector<std::size_t> resampleTrips(std::size_t count, double factor, std::uint64_t seed);

}  // namespace citytwin::traffic
