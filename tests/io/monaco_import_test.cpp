#include <doctest/doctest.h>

#include <cmath>

#include "citytwin/city/road_connectivity.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/io/osm_import.hpp"
#include "citytwin/testing/monaco_import.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;

namespace {
// Reference figures from ../shared/data/city/PROVENANCE.md, measured with GDAL's OSM driver.
constexpr std::size_t kMonacoBuildingsInArea = 1225;
constexpr double kMonacoMinElevationM = -2.0;
constexpr double kMonacoMaxElevationM = 758.0;

const io::OsmImportResult* monaco() {
  static std::optional<io::OsmImportResult> result;
  static bool attempted = false;
  if (!attempted) {
    attempted = true;
    const auto options = testing::monacoImportOptions();
    if (!options) return nullptr;
    result = io::importOsm(*options);
  }
  return result ? &*result : nullptr;
}
}  // namespace

TEST_CASE("Monaco: every OSM building whose point-on-surface lies in the area is imported") {
  const auto* result = monaco();
  if (!result) return;
  CHECK(result->city.crsEpsg == 32632);
  CHECK(result->city.buildings.size() == kMonacoBuildingsInArea);
  CHECK(result->report.osmBuildingFeatures > kMonacoBuildingsInArea);
}

TEST_CASE("Monaco: every building has a height and a ground elevation from the DEM") {
  const auto* result = monaco();
  if (!result) return;
  const auto& city = result->city;
  REQUIRE_FALSE(city.terrain.empty());
  std::size_t tagged = 0;
  for (const auto& building : city.buildings) {
    CHECK(building.heightM > 0.0);
    CHECK(building.footprintAreaM2() > 0.0);
    const auto expected = city.terrain.sample(geo::pointOnSurface(building.footprint));
    REQUIRE(expected);
    CHECK(building.groundElevationM == *expected);
    // SRTM over Monaco spans −2 … 758 m; bilinear values stay inside it.
    CHECK(building.groundElevationM >= kMonacoMinElevationM);
    CHECK(building.groundElevationM <= kMonacoMaxElevationM);
    if (building.heightSource == city::HeightSource::Tagged || building.heightSource == city::HeightSource::FromLevels) {
      ++tagged;
    }
  }
  // PROVENANCE.md: 481 buildings carry height or building:levels inside the area; all but the
  // unparseable ones ("RDC", "0") give the height.
  // PROVENANCE.md does not say how it counted; we find one fewer with either key present.
  CHECK(result->report.buildingsWithHeightOrLevelsTag >= 480);
  CHECK(result->report.buildingsWithHeightOrLevelsTag <= 481);
  CHECK(tagged <= 481);
  CHECK(tagged >= 478);
}

TEST_CASE("Monaco: the drivable graph is one strongly connected component apart from dead ends at the edge") {
  const auto* result = monaco();
  if (!result) return;
  const auto& roads = result->city.roads;
  REQUIRE(roads.links.size() > 1000);
  const city::RoadComponents components = city::stronglyConnectedComponents(roads);
  const std::size_t inLargest = components.linksInLargest(roads);
  MESSAGE("Monaco: " << roads.links.size() << " links, " << roads.nodes.size() << " nodes, " << inLargest
                     << " links in the largest component, " << components.componentSizes.size() << " components");
  // Everything else is a documented dead end (engine/README.md, "Road graph"): small pieces that traffic
  // can enter but not leave, leave but not enter, or islands whose access lies outside the area.
  const city::DeadEndSummary deadEnds = city::summariseDeadEnds(roads, components);
  MESSAGE("dead ends: " << deadEnds.enterOnlyLinks << " enter-only, " << deadEnds.leaveOnlyLinks << " leave-only, "
                        << deadEnds.islandLinks << " island links; largest other component "
                        << deadEnds.largestOtherComponentNodes << " nodes");
  CHECK(deadEnds.enterOnlyLinks + deadEnds.leaveOnlyLinks + deadEnds.islandLinks == roads.links.size() - inLargest);
  CHECK(result->report.deadEnds.islandLinks == deadEnds.islandLinks);
  // No second network hides among the dead ends: each is a handful of nodes.
  CHECK(deadEnds.largestOtherComponentNodes <= 20);
  CHECK(static_cast<double>(inLargest) >= 0.9 * static_cast<double>(roads.links.size()));
}

TEST_CASE("Monaco: the imported city survives a GeoPackage round trip unchanged") {
  const auto* result = monaco();
  if (!result) return;
  const auto path = testing::scratchDirectory() / "monaco.gpkg";
  io::saveCity(result->city, path);
  const city::CityModel loaded = io::loadCity(path);
  CHECK(loaded.roads == result->city.roads);
  CHECK(loaded.buildings == result->city.buildings);
  CHECK(loaded.terrain.columns == result->city.terrain.columns);
  CHECK(loaded.terrain.rows == result->city.terrain.rows);
  CHECK(loaded.terrain.originX == result->city.terrain.originX);
  CHECK(loaded.terrain.originY == result->city.terrain.originY);
  CHECK(loaded.terrain.cellSize == result->city.terrain.cellSize);
  CHECK(loaded.terrain.noData == result->city.terrain.noData);
  CHECK(loaded.terrain.values == result->city.terrain.values);
  CHECK(loaded == result->city);
}
