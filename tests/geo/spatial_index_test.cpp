#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "citytwin/geo/spatial_index.hpp"

using namespace citytwin::geo;

namespace {
std::vector<BBox> randomBoxes(std::size_t count, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> position(0.0, 1000.0);
  std::uniform_real_distribution<double> size(0.5, 20.0);
  std::vector<BBox> boxes;
  for (std::size_t i = 0; i < count; ++i) {
    const double x = position(random), y = position(random);
    boxes.push_back({x, y, x + size(random), y + size(random)});
  }
  return boxes;
}
}  // namespace

TEST_CASE("box queries return exactly the intersecting items, as a linear scan does") {
  const auto boxes = randomBoxes(5000, 7);
  const SpatialIndex index(boxes);
  const auto queries = randomBoxes(50, 11);
  for (const auto& query : queries) {
    std::vector<std::uint32_t> expected;
    for (std::uint32_t i = 0; i < boxes.size(); ++i) {
      if (boxes[i].intersects(query)) expected.push_back(i);
    }
    CHECK(index.query(query) == expected);
  }
}

TEST_CASE("nearest items match a brute-force ranking") {
  const auto boxes = randomBoxes(3000, 3);
  const SpatialIndex index(boxes);
  const Vec2 p{512.0, 488.0};
  std::vector<std::pair<double, std::uint32_t>> ranked;
  for (std::uint32_t i = 0; i < boxes.size(); ++i) ranked.emplace_back(boxes[i].squaredDistanceTo(p), i);
  std::sort(ranked.begin(), ranked.end());
  const auto nearest = index.nearest(p, 10);
  REQUIRE(nearest.size() == 10);
  for (std::size_t k = 0; k < 10; ++k) CHECK(boxes[nearest[k]].squaredDistanceTo(p) == ranked[k].first);
}

TEST_CASE("an empty index answers nothing") {
  const SpatialIndex index(std::vector<BBox>{});
  CHECK(index.query({0, 0, 1, 1}).empty());
  CHECK(index.nearest({0, 0}, 3).empty());
}
