#pragma once

#include "citytwin/city/building.hpp"
#include "tiles/globe_frame.hpp"
#include "tiles/tile_mesh.hpp"

namespace citytwin::cli::tiles {

// A building as a prism: its footprint (holes and several parts allowed) extruded from its ground elevation
// to ground + height, walls with outward normals and a flat roof triangulated by ear clipping
// (geo::triangulate); no floor, as it is never seen from above ground.
TileMesh extrudeBuilding(const city::Building& building, const GlobeFrame& frame);

}  // namespace citytwin::cli::tiles
