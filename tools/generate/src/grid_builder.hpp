#pragma once

#include <vector>

#include "citytwin/city/building.hpp"
#include "citytwin/city/grid_assets.hpp"
#include "citytwin/city/road_network.hpp"
#include "citytwin/core/progress.hpp"
#include "citytwin/geo/raster_grid.hpp"
#include "town_plan.hpp"

namespace citytwin::generate::detail {

// Side of the square areas whose buildings share one secondary substation (~60 buildings).
inline constexpr double kSecondaryAreaM = 250.0;
// A feeder picks up secondary substations until it serves about this many buildings.
inline constexpr std::size_t kBuildingsPerFeeder = 700;

// Primary substations (110/20 kV, the first in the floodplain near the town centre), secondary
// substations (20/0.4 kV) and 20 kV cable feeders routed along the streets from each primary through
// its secondaries. Every building is served by exactly one feeder.
city::GridAssets buildGrid(const TownPlan& plan, const city::RoadNetwork& roads,
                           const std::vector<city::Building>& buildings, const geo::RasterGrid& terrain,
                           Progress* progress);

}  // namespace citytwin::generate::detail
