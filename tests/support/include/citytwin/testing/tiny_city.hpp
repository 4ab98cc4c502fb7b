#pragma once

#include "citytwin/city/city_model.hpp"

namespace citytwin::testing {

// A small city drawn by hand, the same in every suite that needs one:
//
//        n2 ──────── n3         y = 200      roads: a square block, two-way, 100 m sides (UTM 32N metres,
//        │  [B1][B2] │                        offset to x0/y0), plus a one-way spur n3 → n4
//        │  [B0]     │                        buildings: three boxes inside the block
//        n0 ──────── n1 ── n4   y = 100      terrain: a 30 m grid sloping down towards the east
//      x = 0       x = 100  x = 150
//
city::CityModel tinyCity();

}  // namespace citytwin::testing
