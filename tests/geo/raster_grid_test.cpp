#include <doctest/doctest.h>

#include <algorithm>

#include "citytwin/geo/raster_grid.hpp"

using namespace citytwin::geo;

TEST_CASE("raster cells are addressed from the north-west corner") {
  RasterGrid grid(3, 2, 100.0, 200.0, 10.0);
  CHECK(grid.extent() == BBox{100, 180, 130, 200});
  const auto cell = grid.cellAt({125, 195});
  REQUIRE(cell);
  CHECK(cell->first == 2);
  CHECK(cell->second == 0);
  CHECK_FALSE(grid.cellAt({99, 195}));
  CHECK(grid.cellCentre(0, 1) == Vec2{105, 185});
}

TEST_CASE("bilinear sampling reproduces a plane and skips no-data cells") {
  RasterGrid grid(4, 4, 0.0, 40.0, 10.0);
  for (std::size_t r = 0; r < 4; ++r) {
    for (std::size_t c = 0; c < 4; ++c) {
      const Vec2 centre = grid.cellCentre(c, r);
      grid.at(c, r) = static_cast<float>(2.0 * centre.x + 0.5 * centre.y);
    }
  }
  const auto value = grid.sample({17.0, 23.0});
  REQUIRE(value);
  CHECK(*value == doctest::Approx(2.0 * 17.0 + 0.5 * 23.0));
  CHECK_FALSE(grid.sample({-1.0, 10.0}));

  // A no-data cell drops out of the interpolation: at its centre nothing is left, beside it the
  // remaining neighbours are averaged.
  grid.at(1, 1) = grid.noData;
  CHECK_FALSE(grid.sample({15.0, 25.0}));
  const auto beside = grid.sample({17.0, 23.0});
  REQUIRE(beside);
  CHECK(*beside >= std::min({grid.at(2, 1), grid.at(1, 2), grid.at(2, 2)}));
  CHECK(*beside <= std::max({grid.at(2, 1), grid.at(1, 2), grid.at(2, 2)}));
}
