#pragma once

#include "citytwin/city/road_network.hpp"
#include "citytwin/geo/raster_grid.hpp"
#include "street_lattice.hpp"
#include "town_plan.hpp"

namespace citytwin::generate::detail {

// Streets and nodes keep at least this far (north-south) beyond the channel's edge; only bridges cross.
inline constexpr double kRoadRiverClearanceM = 8.0;
// A bridge's deck reaches this far past each edge of the channel before the approach road begins.
inline constexpr double kBridgeOverhangM = 3.0;

// The drivable network over the lattice: two links per street segment (one for one-way streets),
// bridges split out where avenues cross the river, pruned to one strongly connected component.
city::RoadNetwork buildRoads(const TownPlan& plan, const StreetLattice& lattice, const geo::RasterGrid& terrain);

}  // namespace citytwin::generate::detail
