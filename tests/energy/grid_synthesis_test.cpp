// The synthesised distribution grid (models/energy/README.md, "Grid synthesis") on Monaco, imported from OSM
// as `citytwin city import` does, and on the generated town with its own grid taken away: every building
// supplied, no cable or transformer above its rating and voltages within +-10 % over the base run's hours,
// and a flooded substation cutting exactly the buildings of its radial tree.
#include "citytwin/energy/grid_synthesis.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "citytwin/city/city_state.hpp"
#include "citytwin/energy/distribution_network.hpp"
#include "citytwin/energy/energy_model.hpp"
#include "citytwin/generate/sample_city.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/io/osm_import.hpp"
#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/testing/monaco_import.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;

namespace {

struct Imported {
  city::CityModel city;
  city::GridAssets mapped;  // the grid as imported from OSM, before the synthesis
  std::size_t osmSubstations = 0;
  energy::GridSynthesisReport report;
};

const Imported* monaco() {
  static std::optional<Imported> result;
  static bool attempted = false;
  if (!attempted) {
    attempted = true;
    const auto options = testing::monacoImportOptions("monaco_dem_srtm3_utm32n_90m.tif");
    if (!options) return nullptr;
    io::OsmImportResult imported = io::importOsm(*options);
    Imported r;
    r.osmSubstations = imported.report.osmSubstations;
    r.city = std::move(imported.city);
    r.mapped = r.city.grid;
    r.report = energy::synthesiseGrid(r.city);
    result = std::move(r);
  }
  return result ? &*result : nullptr;
}

// The base run of the energy model over `hours` from `start`, with the +-10 % band as its voltage limits.
struct Run {
  city::CityModel city;
  Value parameters;
  energy::EnergyModel model;
  city::CityState published, staged;

  Run(city::CityModel c, double latitude, double longitude, const std::string& start, int hours)
      : city(std::move(c)) {
    parameters = scenario::parseToml("weather = { synthetic = true, latitude = " + std::to_string(latitude) +
                                         ", longitude = " + std::to_string(longitude) +
                                         ", elevation_m = 50, mean_temperature_c = 16.5, seed = 1 "
                                         "}\nvoltage_min_pu = 0.9\nvoltage_max_pu = 1.1\n",
                                     "scenario.toml");
    published = city::CityState(city);
    staged = city::CityState(city);
    const sim::ModelContext context{city,
                                    parameters,
                                    "scenario.toml",
                                    testing::scratchDirectory(),
                                    testing::scratchDirectory(),
                                    7,
                                    hours * sim::kHour,
                                    start,
                                    {}};
    model.initialise(context, staged);
  }
  void run(int hours, int from = 0) {
    for (int h = from; h < from + hours; ++h) model.step(h * sim::kHour, sim::kHour, published, staged);
  }
};

// The buildings behind a substation found by walking its radial tree: the feeders leaving its busbar, every
// feeder branching off one already reached, and the same for every substation a reached feeder supplies.
std::set<std::uint32_t> downstreamOf(const city::GridAssets& grid, std::uint32_t substation) {
  std::vector<std::uint32_t> substations{substation}, reached;
  for (std::size_t s = 0; s < substations.size(); ++s)
    for (std::uint32_t f = 0; f < grid.feeders.size(); ++f)
      if (grid.feeders[f].substation == substations[s] && grid.feeders[f].parentFeeder < 0) {
        reached.push_back(f);
        for (std::size_t i = reached.size() - 1; i < reached.size(); ++i) {
          for (std::uint32_t g = 0; g < grid.feeders.size(); ++g)
            if (grid.feeders[g].parentFeeder == static_cast<std::int32_t>(reached[i])) reached.push_back(g);
          for (std::uint32_t k = 0; k < grid.substations.size(); ++k)
            if (grid.substations[k].supplyFeeder == static_cast<std::int32_t>(reached[i]))
              substations.push_back(k);
        }
      }
  std::set<std::uint32_t> buildings;
  for (std::uint32_t f : reached)
    for (std::uint32_t b : grid.feeders[f].servedBuildings) buildings.insert(b);
  return buildings;
}

void checkEveryBuildingOnOneFeeder(const city::CityModel& city) {
  std::vector<int> feedersOf(city.buildings.size(), 0);
  for (const city::Feeder& f : city.grid.feeders)
    for (std::uint32_t b : f.servedBuildings) {
      REQUIRE(f.substation != city::kNoSubstation);
      ++feedersOf[b];
    }
  CHECK(std::count(feedersOf.begin(), feedersOf.end(), 1) ==
        static_cast<std::ptrdiff_t>(city.buildings.size()));
}

// Radial: every network is a tree (one branch per bus but the upstream grid), and there is one network (one
// reference bus) per substation fed from the upstream grid: the primaries, where the MV stage supplies the
// rest.
void checkRadial(const city::CityModel& city) {
  const std::vector<energy::SubstationNetwork> networks = energy::buildDistributionNetworks(city);
  for (const energy::SubstationNetwork& n : networks)
    CHECK(n.network.branches.size() + 1 == n.network.busCount());
  const auto heads = std::count_if(city.grid.substations.begin(), city.grid.substations.end(),
                                   [](const city::Substation& s) { return s.supplyFeeder < 0; });
  CHECK(static_cast<std::ptrdiff_t>(networks.size()) == heads);
}

// The MV stage: every substation that serves buildings hangs on a medium-voltage feeder of a 110/20 kV
// primary; cables and transformers are standard types.
void checkMediumVoltage(const city::CityModel& city, const energy::GridSynthesisReport& r) {
  std::size_t primaries = 0;
  for (std::uint32_t k = 0; k < city.grid.substations.size(); ++k) {
    const city::Substation& s = city.grid.substations[k];
    const bool servesBuildings =
        std::any_of(city.grid.feeders.begin(), city.grid.feeders.end(),
                    [&](const city::Feeder& f) { return f.substation == k && !f.servedBuildings.empty(); });
    if (servesBuildings) {
      CAPTURE(s.id);
      REQUIRE(s.supplyFeeder >= 0);
      const city::Feeder& supply = city.grid.feeders[static_cast<std::size_t>(s.supplyFeeder)];
      CHECK(supply.voltageKv == 20.0);
      CHECK(supply.cable.find("NA2XS2Y") != std::string::npos);
      CHECK(city.grid.substations[supply.substation].supplyFeeder < 0);
      CHECK(s.transformer.find("/0.4 kV") != std::string::npos);
    }
    if (s.secondaryKv == 20.0 && s.supplyFeeder < 0) {
      ++primaries;
      CHECK(s.primaryKv == 110.0);
      CHECK(s.transformer.find("110/20 kV") != std::string::npos);
    }
  }
  CHECK(primaries == r.primariesSynthesised + r.osmPrimariesUsed);
  CHECK(r.primariesSynthesised >= 1);
  CHECK(r.mediumVoltageKm > 0);
  CHECK(r.maxMediumVoltageLoading <= 0.8 + 1e-9);
  CHECK(r.minNetworkVoltagePu >= 0.9);
}

// Floods substation k for one hour after `before` dry hours: exactly its radial tree's buildings lose supply.
void checkFlood(const city::CityModel& city, std::uint32_t k, double latitude, double longitude) {
  const std::set<std::uint32_t> downstream = downstreamOf(city.grid, k);
  REQUIRE_FALSE(downstream.empty());
  Run run(city, latitude, longitude, "2026-07-15T10:00:00Z", 2);
  run.published.column(city::Layer::Substation, "max_flood_depth_m", 0.0)[k] = 0.5;  // threshold 0.3 m
  run.run(1);
  CHECK(run.staged.column(city::Layer::Substation, "energized")[k] == 0.0);
  const auto& supplied = run.staged.column(city::Layer::Building, "supplied");
  std::size_t wrong = 0;
  for (std::uint32_t b = 0; b < supplied.size(); ++b)
    wrong += supplied[b] != (downstream.count(b) ? 0.0 : 1.0);
  CHECK(wrong == 0);
  const std::vector<sim::Event> events = run.model.takeEvents();
  const auto cut = std::find_if(events.begin(), events.end(), [&](const sim::Event& e) {
    return e.kind == "substation_deenergised" && e.entity == city.grid.substations[k].id;
  });
  REQUIRE(cut != events.end());
  CHECK(cut->entity == city.grid.substations[k].id);
  CHECK(cut->message.find(std::to_string(downstream.size()) + " buildings lose supply") != std::string::npos);
  CHECK(run.model.kpis().at("unserved_energy_mwh") > 0);
}

constexpr double kMonacoLatitude = 43.73, kMonacoLongitude = 7.42;

}  // namespace

TEST_CASE(
    "Monaco: mapped substations are kept as osm, a grid is synthesised around them, every building on it") {
  const Imported* m = monaco();
  if (!m) return;
  const city::CityModel& city = m->city;
  CHECK(m->osmSubstations >= 1);
  std::size_t osm = 0, synthesised = 0;
  for (const city::Substation& s : city.grid.substations) {
    CHECK((s.source == "osm" || s.source == "synthesised"));
    osm += s.source == "osm";
    synthesised += s.source == "synthesised";
  }
  CHECK(osm == m->osmSubstations);
  CHECK(synthesised == m->report.substationsSynthesised + m->report.primariesSynthesised);
  CHECK(m->report.osmSubstationsUsed >= 1);
  CHECK(m->report.buildingsConsidered == city.buildings.size());
  for (const city::Feeder& f : city.grid.feeders) {
    CHECK((f.source == "osm" || f.source == "synthesised"));
    if (f.source == "synthesised") {
      CHECK((f.voltageKv == 0.4 || f.voltageKv == 20.0));
      CHECK(f.ratedAmps > 0);
      CHECK_FALSE(f.cable.empty());
    }
  }
  checkEveryBuildingOnOneFeeder(city);
  checkRadial(city);
  checkMediumVoltage(city, m->report);
  MESSAGE("Monaco grid: " << m->report.primariesSynthesised << " primaries, " << m->report.mediumVoltageKm
                          << " km MV, " << m->report.cableKm << " km LV, max MV loading "
                          << m->report.maxMediumVoltageLoading << ", min voltage "
                          << m->report.minNetworkVoltagePu);
  // The sizing's own power flow at the design peak ended inside the design limits.
  CHECK(m->report.maxDesignLoading <= 0.8 + 1e-9);
  CHECK(m->report.minDesignVoltagePu >= 0.95);
}

TEST_CASE("Monaco: the grid layers keep source, cable and branch structure through the city file") {
  const Imported* m = monaco();
  if (!m) return;
  const auto path = testing::scratchDirectory() / "monaco-grid.gpkg";
  io::saveCity(m->city, path);
  const city::CityModel back = io::loadCity(path);
  CHECK(back.grid == m->city.grid);
}

TEST_CASE("Monaco: the same city gives the same grid") {
  const Imported* m = monaco();
  if (!m) return;
  city::CityModel again = m->city;
  again.grid = m->mapped;
  energy::synthesiseGrid(again);
  CHECK(again.grid == m->city.grid);
}

TEST_CASE("Monaco: a year of the base model supplies every building within ratings and +-10 %") {
  const Imported* m = monaco();
  if (!m) return;
  // Every hour of the weather year, so the base run's peak hour is among them; a day per step (the model
  // solves every hour inside a step).
  constexpr int kDays = 365;
  Run run(m->city, kMonacoLatitude, kMonacoLongitude, "2026-01-01T00:00:00Z", kDays * 24);
  for (int day = 0; day < kDays; ++day)
    run.model.step(day * 24 * sim::kHour, 24 * sim::kHour, run.published, run.staged);
  const sim::Kpis k = run.model.kpis();
  CHECK(k.at("buildings_without_network") == 0.0);
  CHECK(k.at("unserved_energy_mwh") == 0.0);  // every building supplied in every hour
  CHECK(k.at("power_flow_failures") == 0.0);
  CHECK(k.at("voltage_violation_hours") == 0.0);  // band 0.9-1.1 p.u.
  CHECK(k.at("max_line_loading") > 0.05);
  CHECK(k.at("max_line_loading") <= 1.0);
  MESSAGE("Monaco year: peak " << k.at("peak_demand_mw") << " MW, max loading " << k.at("max_line_loading"));
}

TEST_CASE("Monaco: a flooded substation cuts exactly the buildings downstream of it") {
  const Imported* m = monaco();
  if (!m) return;
  const city::GridAssets& grid = m->city.grid;
  // The secondary substation with the most buildings, every mapped one that feeds buildings, and the primary
  // with the most buildings (fewer than all, where there are several).
  std::uint32_t largest = 0, largestPrimary = 0;
  std::size_t most = 0, mostOfPrimary = 0;
  std::vector<std::uint32_t> chosen;
  for (std::uint32_t k = 0; k < grid.substations.size(); ++k) {
    const std::size_t n = downstreamOf(grid, k).size();
    const bool primary = grid.substations[k].secondaryKv == 20.0;
    if (grid.substations[k].source == "osm" && n > 0) chosen.push_back(k);
    if (grid.substations[k].source == "synthesised" && !primary && n > most) most = n, largest = k;
    if (primary && n > mostOfPrimary) mostOfPrimary = n, largestPrimary = k;
  }
  REQUIRE(most > 1);
  REQUIRE(mostOfPrimary > most);
  if (m->report.primariesSynthesised > 1) CHECK(mostOfPrimary < m->city.buildings.size());
  chosen.push_back(largest);
  chosen.push_back(largestPrimary);
  for (std::uint32_t k : chosen) {
    CAPTURE(grid.substations[k].id);
    checkFlood(m->city, k, kMonacoLatitude, kMonacoLongitude);
  }
}

TEST_CASE("generated town without its grid: the synthesis connects every building within the design limits") {
  city::CityModel town = generate::generateSampleCity({1.0, 1, 10.0});
  const std::size_t generatedSubstations = town.grid.substations.size();
  REQUIRE(generatedSubstations > 0);
  // With its own grid, the town needs nothing: the synthesis leaves it as it is.
  const city::GridAssets own = town.grid;
  std::set<std::uint32_t> onOwn;
  for (const city::Feeder& f : own.feeders) onOwn.insert(f.servedBuildings.begin(), f.servedBuildings.end());
  const energy::GridSynthesisReport untouched = energy::synthesiseGrid(town);
  CHECK(untouched.buildingsConsidered == town.buildings.size() - onOwn.size());
  if (untouched.buildingsConsidered == 0) CHECK(town.grid == own);

  town.grid = {};
  const energy::GridSynthesisReport r = energy::synthesiseGrid(town);
  CHECK(r.buildingsConsidered == town.buildings.size());
  CHECK(r.directCables == 0);  // every building of the town lies along its connected streets
  CHECK(r.substationsSynthesised + r.primariesSynthesised == town.grid.substations.size());
  checkEveryBuildingOnOneFeeder(town);
  checkRadial(town);
  checkMediumVoltage(town, r);
  CHECK(r.maxDesignLoading <= 0.8 + 1e-9);
  CHECK(r.minDesignVoltagePu >= 0.95);

  Run run(town, 45.15, 9.0, "2026-07-13T00:00:00Z", 7 * 24);
  run.run(7 * 24);
  const sim::Kpis k = run.model.kpis();
  CHECK(k.at("power_flow_failures") == 0.0);
  CHECK(k.at("voltage_violation_hours") == 0.0);
  CHECK(k.at("max_line_loading") > 0.05);
  CHECK(k.at("max_line_loading") <= 1.0);

  // The primary with the most buildings and the secondary with the most.
  for (const bool primary : {true, false}) {
    std::uint32_t largest = 0;
    std::size_t most = 0;
    for (std::uint32_t k2 = 0; k2 < town.grid.substations.size(); ++k2) {
      if ((town.grid.substations[k2].secondaryKv == 20.0) != primary) continue;
      const std::size_t n = downstreamOf(town.grid, k2).size();
      if (n > most) most = n, largest = k2;
    }
    CAPTURE(town.grid.substations[largest].id);
    checkFlood(town, largest, 45.15, 9.0);
  }
}

TEST_CASE("design peak: floor area times the use's density, with the cooling allowance for cooled uses") {
  city::Building house;
  house.footprint = {geo::Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}, {}}};
  house.levels = 3;
  house.use = city::BuildingUse::Residential;
  CHECK(energy::designPeakKw(house) == doctest::Approx(300 * 14.4e-3));
  city::Building office = house;
  office.use = city::BuildingUse::Office;
  CHECK(energy::designPeakKw(office) == doctest::Approx(300 * (30.2 + 25.0) * 1e-3));
}

TEST_CASE(
    "a mapped 110/10 kV substation is the primary: 10 kV feeders, 6/10 kV cables, 10/0.4 kV transformers") {
  city::CityModel town = generate::generateSampleCity({1.0, 1, 10.0});
  town.grid = {};
  geo::BBox box;
  for (const city::Building& b : town.buildings) box.expand(geo::pointOnSurface(b.footprint));
  city::Substation mapped;
  mapped.id = "osm:node/1";
  mapped.position = box.centre();
  mapped.primaryKv = 110;
  mapped.secondaryKv = 10;
  mapped.source = "osm";
  town.grid.substations.push_back(mapped);
  const energy::GridSynthesisReport r = energy::synthesiseGrid(town);
  CHECK(r.osmPrimariesUsed == 1);
  CHECK(r.primariesSynthesised == 0);
  const city::Substation& primary = town.grid.substations[0];
  CHECK(primary.secondaryKv == 10.0);
  CHECK(primary.transformer.find("110/10 kV") != std::string::npos);
  std::size_t supplied = 0;
  for (const city::Substation& s : town.grid.substations) {
    if (s.supplyFeeder < 0) continue;
    ++supplied;
    const city::Feeder& supply = town.grid.feeders[static_cast<std::size_t>(s.supplyFeeder)];
    CHECK(supply.substation == 0);
    CHECK(supply.voltageKv == 10.0);
    CHECK(supply.cable.find("6/10 kV") != std::string::npos);
    CHECK(s.transformer.find("10/0.4 kV") != std::string::npos);
  }
  CHECK(supplied == r.substationsSynthesised);
  checkEveryBuildingOnOneFeeder(town);
  checkRadial(town);
  CHECK(r.maxMediumVoltageLoading <= 0.8 + 1e-9);
  CHECK(r.minNetworkVoltagePu >= 0.9);
}
