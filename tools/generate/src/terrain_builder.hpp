#pragma once

#include "citytwin/core/progress.hpp"
#include "citytwin/geo/raster_grid.hpp"
#include "town_plan.hpp"

namespace citytwin::generate::detail {

// The terrain raster: the plan's landscape sampled at cell centres over the town plus its margin.
geo::RasterGrid buildTerrain(const TownPlan& plan, Progress* progress);

// Ground elevation read back from the raster (bilinear), falling back to the landscape off the grid.
double terrainElevationM(const geo::RasterGrid& terrain, const TownPlan& plan, geo::Vec2 p);

}  // namespace citytwin::generate::detail
