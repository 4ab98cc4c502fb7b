#pragma once

#include <vector>

#include "citytwin/city/building.hpp"
#include "citytwin/core/progress.hpp"
#include "citytwin/geo/raster_grid.hpp"
#include "street_lattice.hpp"
#include "town_plan.hpp"

namespace citytwin::generate::detail {

// Buildings keep at least this far (north-south) beyond the channel's edge.
inline constexpr double kBuildingRiverClearanceM = 10.0;

// Buildings on the parcels of every block, in block order (south to north, west to east), with ids
// "sample:building/<n>". Footprints are counter-clockwise rectangles and L-shapes that stay inside
// their parcel, so they never touch each other, a street or the river.
std::vector<city::Building> placeBuildings(const TownPlan& plan, const StreetLattice& lattice,
                                           const geo::RasterGrid& terrain, Progress* progress);

}  // namespace citytwin::generate::detail
