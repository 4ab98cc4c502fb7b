#pragma once

#include <cstdint>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::geo {

// Triangulates a footprint (holes allowed) by ear clipping. `points` receives the vertices (outer ring
// counter-clockwise, then each hole clockwise, repeated vertices dropped) and `ringSizes` the vertex count of
// each ring kept; the result holds index triples into `points`, counter-clockwise.
std::vector<std::uint32_t> triangulate(const Polygon& polygon, std::vector<Vec2>& points,
                                       std::vector<std::size_t>& ringSizes);

}  // namespace citytwin::geo
