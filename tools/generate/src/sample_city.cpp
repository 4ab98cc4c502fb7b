#include "citytwin/generate/sample_city.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "building_placer.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "grid_builder.hpp"
#include "road_builder.hpp"
#include "sensor_placer.hpp"
#include "street_lattice.hpp"
#include "terrain_builder.hpp"
#include "town_plan.hpp"

namespace citytwin::generate {
namespace {

// Bumped whenever the generator's rules change, so a fingerprint tells which rules built a city.
constexpr int kGeneratorVersion = 1;

std::string describe(const SampleCityOptions& options) {
  char text[160];
  std::snprintf(text, sizeof text, "citytwin sample city v%d: size_km=%.17g seed=%llu dem_cell_m=%.17g",
                kGeneratorVersion, options.sizeKm, static_cast<unsigned long long>(options.seed), options.demCellM);
  return text;
}

}  // namespace

city::CityModel generateSampleCity(const SampleCityOptions& options, Progress* progress) {
  const detail::TownPlan plan = detail::planTown(options);
  const detail::StreetLattice lattice = detail::layOutStreets(plan);

  city::CityModel city;
  city.crsEpsg = detail::kSampleCityEpsg;
  char name[96];
  std::snprintf(name, sizeof name, "Sample town (%.3g km, seed %llu)", options.sizeKm,
                static_cast<unsigned long long>(options.seed));
  city.name = name;

  const double cells = std::ceil((plan.sizeM + 2 * plan.terrainMarginM) / options.demCellM - 1e-9);
  // Progress in work units: terrain rows, blocks, feeders (estimated), and one each for roads and sensors.
  const auto terrainUnits = static_cast<std::uint64_t>(cells);
  const auto blockUnits = static_cast<std::uint64_t>(lattice.blockCount());
  const auto feederUnits = static_cast<std::uint64_t>(plan.sizeM * plan.sizeM / 1e6 * 1000 / detail::kBuildingsPerFeeder) + 1;
  if (progress) progress->setTotal(terrainUnits + blockUnits + feederUnits + 2);

  city.terrain = detail::buildTerrain(plan, progress);
  city.roads = detail::buildRoads(plan, lattice, city.terrain);
  if (progress) progress->advance();
  city.buildings = detail::placeBuildings(plan, lattice, city.terrain, progress);
  city.grid = detail::buildGrid(plan, city.roads, city.buildings, city.terrain, progress);
  city.sensors = detail::placeSensors(plan, city.roads, city.buildings);
  if (progress) {
    progress->setTotal(terrainUnits + blockUnits + city.grid.feeders.size() + 2);
    progress->advance();
  }

  const std::string source = describe(options);
  city.provenance.push_back({"generator", source, fingerprintText(source)});
  return city;
}

}  // namespace citytwin::generate
