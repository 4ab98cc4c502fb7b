#include "citytwin/flood/observed_levels.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace citytwin;

namespace {

// A 9 × 3 valley: a channel along the middle row at 0 m between banks at 5 m, with a 2 m sill at column 6.
flood::Domain valley() {
  flood::Domain domain;
  domain.columns = 9;
  domain.rows = 3;
  domain.cellSize = 10.0;
  domain.elevation.assign(domain.cellCount(), 5.0);
  for (std::size_t c = 0; c < domain.columns; ++c) domain.elevation[domain.columns + c] = 0.0;
  domain.elevation[domain.columns + 6] = 2.0;
  return domain;
}

}  // namespace

TEST_CASE("an observed river level fills the channel connected to its gauge up to that level") {
  const flood::Domain domain = valley();
  std::vector<double> depths(domain.cellCount(), 0.0);
  const double added = flood::fillToObservedLevels(domain, {{domain.columns + 1, 1.5}}, 1000.0, depths);
  for (std::size_t c = 0; c < 6; ++c) CHECK(depths[domain.columns + c] == doctest::Approx(1.5));
  // The sill at 2 m holds the water back: nothing beyond it, nothing on the banks.
  for (std::size_t c = 6; c < domain.columns; ++c) CHECK(depths[domain.columns + c] == 0.0);
  for (std::size_t c = 0; c < domain.columns; ++c) CHECK(depths[c] == 0.0);
  CHECK(added == doctest::Approx(6 * 1.5 * 100.0));
}

TEST_CASE("a level above the sill spills past it, but not beyond the gauge's reach") {
  const flood::Domain domain = valley();
  std::vector<double> depths(domain.cellCount(), 0.0);
  flood::fillToObservedLevels(domain, {{domain.columns + 1, 3.0}}, 50.0, depths);
  CHECK(depths[domain.columns + 5] == doctest::Approx(3.0));
  CHECK(depths[domain.columns + 6] == doctest::Approx(1.0));  // 3 m surface over the 2 m sill, 50 m away
  CHECK(depths[domain.columns + 7] == 0.0);                   // 60 m from the gauge: out of reach
}

TEST_CASE("missing, negative or blocked observations leave the water as it was") {
  flood::Domain domain = valley();
  domain.blocked.assign(domain.cellCount(), 0);
  domain.blocked[domain.columns + 4] = 1;
  std::vector<double> depths(domain.cellCount(), 0.0);
  CHECK(flood::fillToObservedLevels(domain, {{domain.columns + 4, 1.0}, {domain.columns + 1, -1.0}}, 1000.0,
                                    depths) == 0.0);
  for (double depth : depths) CHECK(depth == 0.0);
  // A blocked cell (a building) also stops the fill.
  flood::fillToObservedLevels(domain, {{domain.columns + 1, 1.0}}, 1000.0, depths);
  CHECK(depths[domain.columns + 3] == doctest::Approx(1.0));
  CHECK(depths[domain.columns + 4] == 0.0);
  CHECK(depths[domain.columns + 5] == 0.0);
}
