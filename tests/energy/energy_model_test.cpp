// The EnergyModel through the engine's Model interface, on a tiny city drawn here:
//
//   [S]==feeder===================>
//     b0   b1   b2   b3   b4   b5      one 0.4 kV substation S serving six houses along one feeder
//
#include "citytwin/energy/energy_model.hpp"

#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "citytwin/city/city_state.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/energy/distribution_network.hpp"
#include "citytwin/energy/register.hpp"
#include "citytwin/generate/sample_city.hpp"
#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "synthetic_weather.hpp"

using namespace citytwin;

namespace {

Value parseToml(const std::string& text, const std::string& source) { return scenario::parseToml(text, source); }

city::CityModel rowOfHouses() {
  city::CityModel c;
  c.crsEpsg = 32632;
  for (int i = 0; i < 6; ++i) {
    city::Building b;
    b.id = "test:building/" + std::to_string(i);
    const double x = 20.0 * i;
    b.footprint = {geo::Polygon{{{x, 0}, {x + 12, 0}, {x + 12, 10}, {x, 10}}, {}}};
    b.levels = 2;
    b.heightM = 6;
    b.use = city::BuildingUse::Residential;
    b.yearBuilt = 1960 + 10 * i;
    c.buildings.push_back(b);
  }
  city::Substation s;
  s.id = "S";
  s.position = {-10, -5};
  s.ratedMva = 0.4;
  s.secondaryKv = 0.4;
  s.floodThresholdM = 0.3;
  c.grid.substations.push_back(s);
  city::Feeder f;
  f.id = "S/1";
  f.substation = 0;
  f.route = {{-10, -5}, {120, -5}};
  f.voltageKv = 0.4;
  f.ratedAmps = 250;
  f.servedBuildings = {0, 1, 2, 3, 4, 5};
  c.grid.feeders.push_back(f);
  return c;
}

struct Harness {
  city::CityModel city = rowOfHouses();
  Value parameters;
  std::vector<sim::Intervention> interventions;
  std::unique_ptr<energy::EnergyModel> model = std::make_unique<energy::EnergyModel>();
  city::CityState published, staged;

  explicit Harness(const std::string& extra = "") {
    static const auto epw = writeSyntheticEpw(testing::scratchDirectory() / "synthetic.epw");
    parameters = parseToml("weather = \"" + epw.string() + "\"\n" + extra, "scenario.toml");
  }
  void start(const std::string& startIso = "2026-01-15T00:00:00Z") {
    published = city::CityState(city);
    staged = city::CityState(city);
    const sim::ModelContext context{city, parameters, "scenario.toml", testing::scratchDirectory(),
                                    testing::scratchDirectory(), 7, 48 * sim::kHour, startIso, interventions};
    model->initialise(context, staged);
  }
  void run(int hours, int from = 0) {
    for (int h = from; h < from + hours; ++h) model->step(h * sim::kHour, sim::kHour, published, staged);
  }
};

}  // namespace

TEST_CASE("describe: an hourly model writing the contract's attributes") {
  const energy::EnergyModel model;
  const sim::ModelDescription d = model.describe();
  CHECK(d.name == "energy");
  CHECK(d.preferredStep == sim::kHour);
  CHECK(std::find(d.writes.begin(), d.writes.end(), sim::AttributeRef{city::Layer::Substation, "energized"}) != d.writes.end());
  CHECK(std::find(d.writes.begin(), d.writes.end(), sim::AttributeRef{city::Layer::Building, "electric_load_kw"}) != d.writes.end());
  sim::ModelRegistry registry;
  energy::registerEnergyModel(registry);
  CHECK(registry.contains("energy"));
}

TEST_CASE("a winter day: heating, loads, supply and a solved feeder") {
  Harness h;
  h.start();
  h.run(24);
  const auto& load = h.staged.column(city::Layer::Building, "electric_load_kw");
  const auto& heating = h.staged.column(city::Layer::Building, "heating_kw");
  const auto& supplied = h.staged.column(city::Layer::Building, "supplied");
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(load[i] > 0);
    CHECK(heating[i] > 0);   // January
    CHECK(supplied[i] == 1.0);
  }
  // Older houses lose more heat than the newest one of the same size.
  CHECK(heating[0] > heating[5]);
  const sim::Kpis k = h.model->kpis();
  CHECK(k.at("demand_mwh") > 0);
  CHECK(k.at("unserved_energy_mwh") == 0.0);
  CHECK(k.at("max_line_loading") > 0);
  CHECK(k.at("max_line_loading") < 1.0);
  CHECK(k.at("power_flow_failures") == 0.0);
  CHECK(h.staged.column(city::Layer::Substation, "energized")[0] == 1.0);
}

TEST_CASE("observed loads replace modelled ones: a building's own, then its substation's total") {
  Harness modelled;
  modelled.start();
  modelled.run(1);
  const auto modelledLoad = modelled.staged.column(city::Layer::Building, "electric_load_kw");

  Harness observed;
  observed.start();
  observed.published.column(city::Layer::Building, "observed_load_kw", 0.0)[2] = 7.5;
  observed.run(1);
  const auto& load = observed.staged.column(city::Layer::Building, "electric_load_kw");
  CHECK(load[2] == doctest::Approx(7.5));
  for (std::size_t i : {0, 1, 3, 4, 5}) CHECK(load[i] == doctest::Approx(modelledLoad[i]));

  // The substation's observation scales every building it feeds so that they sum to it.
  observed.published.column(city::Layer::Substation, "observed_load_kw", 0.0)[0] = 60.0;
  observed.run(1, 1);
  double total = 0.0;
  for (double kw : observed.staged.column(city::Layer::Building, "electric_load_kw")) total += kw;
  CHECK(total == doctest::Approx(60.0));

  Harness off("use_observed_loads = false\n");
  off.start();
  off.published.column(city::Layer::Building, "observed_load_kw", 0.0)[2] = 7.5;
  off.run(1);
  CHECK(off.staged.column(city::Layer::Building, "electric_load_kw")[2] == doctest::Approx(modelledLoad[2]));
}

TEST_CASE("a flooded substation is switched off and its houses lose supply") {
  Harness h;
  h.start();
  h.published.column(city::Layer::Substation, "max_flood_depth_m", 0.0)[0] = 0.5;   // above the 0.3 m threshold
  h.run(6);
  CHECK(h.staged.column(city::Layer::Substation, "energized")[0] == 0.0);
  for (double s : h.staged.column(city::Layer::Building, "supplied")) CHECK(s == 0.0);
  const sim::Kpis k = h.model->kpis();
  CHECK(k.at("unserved_energy_mwh") > 0);
  CHECK(k.at("unserved_energy_mwh") == doctest::Approx(k.at("demand_mwh")));
  // Priced at the default value of lost load (8,700 EUR/MWh).
  CHECK(k.at("unserved_energy_cost_eur") == doctest::Approx(k.at("unserved_energy_mwh") * 8700.0));
  // One event when the site goes dark, none while it stays dark.
  std::vector<sim::Event> events = h.model->takeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == "substation_deenergised");
  CHECK(events[0].entity == "S");
  CHECK(events[0].time == 0);
  CHECK(events[0].message.find("substation de-energised") != std::string::npos);
  CHECK(events[0].message.find("6 buildings lose supply") != std::string::npos);
  CHECK(h.model->takeEvents().empty());
  // Water below the threshold: back on.
  h.published.column(city::Layer::Substation, "max_flood_depth_m")[0] = 0.1;
  h.run(1, 6);
  CHECK(h.staged.column(city::Layer::Substation, "energized")[0] == 1.0);
  events = h.model->takeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == "substation_reenergised");
  CHECK(events[0].time == 6 * sim::kHour);
}

TEST_CASE("generated city: flooding the riverside primary cuts exactly the buildings of its feeders") {
  Harness h;
  h.city = generate::generateSampleCity({1.0, 1, 10.0});
  h.start("2026-07-01T12:00:00Z");
  std::size_t riverside = h.city.grid.substations.size();
  for (std::size_t k = 0; k < h.city.grid.substations.size(); ++k)
    if (h.city.grid.substations[k].id == "sample:substation/primary-1") riverside = k;
  REQUIRE(riverside < h.city.grid.substations.size());
  std::vector<double> fed(h.city.buildings.size(), 0.0);
  for (const city::Feeder& f : h.city.grid.feeders)
    for (std::uint32_t b : f.servedBuildings)
      if (f.substation == riverside) fed[b] = 1.0;
  REQUIRE(std::count(fed.begin(), fed.end(), 1.0) > 0);

  h.published.column(city::Layer::Substation, "max_flood_depth_m", 0.0)[riverside] = 0.31;  // threshold 0.3
  h.run(2);
  CHECK(h.staged.column(city::Layer::Substation, "energized")[riverside] == 0.0);
  const auto& supplied = h.staged.column(city::Layer::Building, "supplied");
  for (std::size_t b = 0; b < fed.size(); ++b) CHECK(supplied[b] == 1.0 - fed[b]);
  CHECK(h.model->kpis().at("unserved_energy_mwh") > 0);
  const std::vector<sim::Event> events = h.model->takeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].entity == "sample:substation/primary-1");
  CHECK(events[0].message.find(std::to_string(std::count(fed.begin(), fed.end(), 1.0)) +
                               " buildings lose supply") != std::string::npos);

  // A flooded MV/LV substation cuts exactly the buildings it is the nearest substation to (the generator's
  // rule).
  std::size_t secondary = h.city.grid.substations.size();
  for (std::size_t k = 0; k < h.city.grid.substations.size(); ++k)
    if (h.city.grid.substations[k].id == "sample:substation/secondary-1") secondary = k;
  REQUIRE(secondary < h.city.grid.substations.size());
  std::vector<double> behind(h.city.buildings.size(), 0.0);
  for (std::size_t b = 0; b < behind.size(); ++b) {
    const geo::Vec2 centre = geo::bounds(h.city.buildings[b].footprint).centre();
    std::size_t nearest = secondary;
    for (std::size_t k = 0; k < h.city.grid.substations.size(); ++k) {
      const city::Substation& sub = h.city.grid.substations[k];
      if (sub.secondaryKv == 0.4 && geo::distance(sub.position, centre) <
                                        geo::distance(h.city.grid.substations[nearest].position, centre))
        nearest = k;
    }
    behind[b] = nearest == secondary ? 1.0 : 0.0;
  }
  REQUIRE(std::count(behind.begin(), behind.end(), 1.0) > 0);
  h.published.column(city::Layer::Substation, "max_flood_depth_m")[riverside] = 0.0;
  h.published.column(city::Layer::Substation, "max_flood_depth_m")[secondary] = 0.5;
  h.run(1, 2);
  CHECK(h.staged.column(city::Layer::Substation, "energized")[riverside] == 1.0);
  CHECK(h.staged.column(city::Layer::Substation, "energized")[secondary] == 0.0);
  const auto& now = h.staged.column(city::Layer::Building, "supplied");
  for (std::size_t b = 0; b < behind.size(); ++b) CHECK(now[b] == 1.0 - behind[b]);
  CHECK(h.model->kpis().at("power_flow_failures") == 0.0);
}

TEST_CASE("the model reads its network from a GeoJSON file named in [energy]") {
  // The row of houses on a 0.4 kV cable from S to a bus behind each house's front, 20 m apart.
  std::string features =
      R"({"type": "Feature", "geometry": {"type": "Point", "coordinates": [-10, -5]},
          "properties": {"kind": "substation", "id": "S", "kv": 0.4, "rated_mva": 0.4}})";
  for (int i = 0; i < 6; ++i) {
    const std::string id = "n" + std::to_string(i), from = i == 0 ? "S" : "n" + std::to_string(i - 1);
    features += R"(,
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [)" +
                std::to_string(20 * i + 6) + R"(, -5]},
     "properties": {"kind": "bus", "id": ")" +
                id + R"(", "kv": 0.4}},
    {"type": "Feature", "geometry": null, "properties": {"kind": "line", "id": "c)" +
                std::to_string(i) + R"(", "from": ")" + from + R"(", "to": ")" + id + R"(",
     "length_km": )" +
                (i == 0 ? "0.016" : "0.02") +
                R"(, "r_ohm_per_km": 0.32, "x_ohm_per_km": 0.08, "rated_amps": 250}})";
  }
  const auto file = testing::scratchDirectory() / "row_network.geojson";
  {
    std::ofstream out(file);
    out << R"({"type": "FeatureCollection", "features": [)" << features << "]}\n";
  }
  Harness h("network = \"" + file.filename().string() + "\"\nnetwork_service_radius_m = 15\n");
  h.start();
  h.run(24);
  const sim::Kpis k = h.model->kpis();
  CHECK(k.at("max_line_loading") > 0);
  CHECK(k.at("max_line_loading") < 1.0);
  CHECK(k.at("power_flow_failures") == 0.0);
  CHECK(k.at("unserved_energy_mwh") == 0.0);
  // S is also the city substation's id, so the city's flood depth at S applies to it.
  h.published.column(city::Layer::Substation, "max_flood_depth_m", 0.0)[0] = 0.5;
  h.run(1, 24);
  for (double s : h.staged.column(city::Layer::Building, "supplied")) CHECK(s == 0.0);
  CHECK(h.model->kpis().at("unserved_energy_mwh") > 0);

  // A service radius too small to reach any house leaves them off the network, always supplied.
  Harness far("network = \"" + file.filename().string() + "\"\nnetwork_service_radius_m = 1\n");
  far.start();
  far.published.column(city::Layer::Substation, "max_flood_depth_m", 0.0)[0] = 0.5;
  far.run(2);
  for (double s : far.staged.column(city::Layer::Building, "supplied")) CHECK(s == 1.0);
  CHECK(far.model->kpis().at("buildings_without_network") == 6.0);
  CHECK(far.model->kpis().count("unserved_energy_mwh") == 0);  // no network: no grid KPIs

  // A broken file: the scenario's line and key, then the file, feature and field.
  const auto broken = testing::scratchDirectory() / "broken_network.geojson";
  {
    std::ofstream out(broken);
    out << R"({"type": "FeatureCollection", "features": [
      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]},
       "properties": {"kind": "substation", "id": "S", "kv": "high"}}]})";
  }
  Harness bad("pv_share = 0\nnetwork = \"" + broken.filename().string() + "\"\n");
  try {
    bad.start();
    FAIL("expected an error");
  } catch (const InputError& e) {
    const std::string message = e.what();
    CHECK(message.find("scenario.toml:3") != std::string::npos);
    CHECK(message.find("energy.network") != std::string::npos);
    CHECK(message.find("broken_network.geojson: feature 0 (id 'S'), field 'kv'") != std::string::npos);
  }
}

TEST_CASE("snapshot and restore reproduce the same continuation") {
  Harness h;
  h.start();
  h.run(10);
  const auto snapshot = h.model->snapshot();
  h.run(10, 10);
  const sim::Kpis first = h.model->kpis();
  const auto loadFirst = h.staged.column(city::Layer::Building, "electric_load_kw");
  h.model->restore(snapshot);
  h.run(10, 10);
  CHECK(h.model->kpis() == first);
  CHECK(h.staged.column(city::Layer::Building, "electric_load_kw") == loadFirst);
  CHECK_THROWS_AS(h.model->restore(std::vector<std::uint8_t>{1, 2, 3}), Error);
}

TEST_CASE("results are identical for one and two threads") {
  sim::Kpis one, two;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    Harness h("pv_share = 0.5\nheat_pump_share = 0.5\n");
    h.start();
    h.run(12);
    one = h.model->kpis();
  }
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    Harness h("pv_share = 0.5\nheat_pump_share = 0.5\n");
    h.start();
    h.run(12);
    two = h.model->kpis();
  }
  CHECK(one == two);
}

TEST_CASE("what-ifs move the indicators the right way") {
  const auto kpisOf = [](const std::string& extra, const std::string& start, std::vector<sim::Intervention> in = {}) {
    Harness h(extra);
    h.interventions = std::move(in);
    h.start(start);
    h.run(48);
    return h.model->kpis();
  };
  const sim::Kpis base = kpisOf("", "2026-01-15T00:00:00Z");
  CHECK(kpisOf("retrofit_share = 1.0\n", "2026-01-15T00:00:00Z").at("heating_mwh") < base.at("heating_mwh"));
  CHECK(kpisOf("heat_pump_share = 1.0\n", "2026-01-15T00:00:00Z").at("demand_mwh") > base.at("demand_mwh"));
  CHECK(kpisOf("ev_share = 1.0\n", "2026-01-15T00:00:00Z").at("demand_mwh") > base.at("demand_mwh"));
  const sim::Kpis summer = kpisOf("", "2026-07-15T00:00:00Z");
  CHECK(summer.at("pv_generation_mwh") == 0.0);
  sim::Intervention pv{"pv_adoption", parseToml("kind = \"pv_adoption\"\nshare = 1.0\n", "variant.toml"), "variant.toml"};
  const sim::Kpis sunny = kpisOf("", "2026-07-15T00:00:00Z", {pv});
  CHECK(sunny.at("pv_generation_mwh") > 0);
  CHECK(sunny.at("pv_self_consumption") > 0);
  CHECK(sunny.at("pv_self_consumption") <= 1.0);
  CHECK(kpisOf("heat_wave_delta_c = 8\n", "2026-07-15T00:00:00Z").at("heating_mwh") <= summer.at("heating_mwh"));
}

TEST_CASE("bad parameters and interventions name file, line and key") {
  Harness h("pv_share = 1.5\n");
  try {
    h.start();
    FAIL("expected an error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("scenario.toml:2") != std::string::npos);
    CHECK(std::string(e.what()).find("energy.pv_share") != std::string::npos);
  }
  Harness unknown("colour = \"red\"\n");
  CHECK_THROWS_AS(unknown.start(), InputError);
  Harness noWeather;
  noWeather.parameters = Value::table();
  CHECK_THROWS_AS(noWeather.start(), InputError);
  Harness bad;
  bad.interventions.push_back({"retrofit", parseToml("kind = \"retrofit\"\n", "variant.toml"), "variant.toml"});
  try {
    bad.start();
    FAIL("expected an error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("share") != std::string::npos);
    CHECK(std::string(e.what()).find("variant.toml") != std::string::npos);
  }
}

TEST_CASE("the model runs on a synthetic weather year given in the [energy] table") {
  Harness h;
  h.parameters = parseToml(
      "weather = { synthetic = true, latitude = 45.15, longitude = 9.0, mean_temperature_c = 12.5, seed = 1 }\n"
      "pv_share = 1\n",
      "scenario.toml");
  h.start("2026-01-15T00:00:00Z");
  h.run(24);
  const sim::Kpis winter = h.model->kpis();
  CHECK(winter.at("heating_mwh") > 0);
  CHECK(winter.at("pv_generation_mwh") > 0);
  CHECK(winter.at("demand_mwh") > 0);
  CHECK(winter.at("power_flow_failures") == 0.0);

  // A heat wave on the same synthetic year lowers winter heating; the same table gives the same result.
  Harness same;
  same.parameters = h.parameters;
  same.start("2026-01-15T00:00:00Z");
  same.run(24);
  CHECK(same.model->kpis() == winter);
  Harness warmer;
  warmer.parameters = h.parameters;
  warmer.parameters.set("heat_wave_delta_c", 6.0);
  warmer.start("2026-01-15T00:00:00Z");
  warmer.run(24);
  CHECK(warmer.model->kpis().at("heating_mwh") < winter.at("heating_mwh"));
}

TEST_CASE("bad synthetic weather keys name file, line and key") {
  const auto errorOf = [](const std::string& text) -> std::string {
    Harness h;
    h.parameters = parseToml(text, "scenario.toml");
    try {
      h.start();
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  const std::string latitude = errorOf("pv_share = 0\nweather = { synthetic = true, latitude = 95 }\n");
  CHECK(latitude.find("scenario.toml:2") != std::string::npos);
  CHECK(latitude.find("energy.weather.latitude") != std::string::npos);
  CHECK(errorOf("weather = { synthetic = true, colour = 1 }\n").find("energy.weather.colour") != std::string::npos);
  CHECK(errorOf("weather = { latitude = 45 }\n").find("energy.weather.synthetic") != std::string::npos);
  CHECK(errorOf("weather = { synthetic = false }\n").find("energy.weather.synthetic") != std::string::npos);
  CHECK(errorOf("weather = { synthetic = true, seed = 1.5 }\n").find("energy.weather.seed") != std::string::npos);
  CHECK(errorOf("weather = 3\n").find("energy.weather") != std::string::npos);
}

TEST_CASE("a city without a grid says so: a warning event and no grid KPIs") {
  Harness h;
  h.city.grid = {};
  h.start();
  h.run(3);
  const sim::Kpis k = h.model->kpis();
  CHECK(k.at("demand_mwh") > 0);
  CHECK(k.at("buildings_without_network") == 6.0);
  for (const char* grid :
       {"max_line_loading", "voltage_violation_hours", "unserved_energy_mwh", "power_flow_failures"})
    CHECK(k.count(grid) == 0);
  const std::vector<sim::Event> events = h.model->takeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == "no_network");
  CHECK(events[0].time == 0);
  CHECK(events[0].message.find("no distribution network") != std::string::npos);

  // Part of the city on a feeder: the grid KPIs are reported, and the others are counted.
  Harness partial;
  partial.city.grid.feeders[0].servedBuildings = {0, 1, 2};
  partial.start();
  partial.run(3);
  CHECK(partial.model->kpis().at("buildings_without_network") == 3.0);
  CHECK(partial.model->kpis().at("max_line_loading") > 0);
  const std::vector<sim::Event> partialEvents = partial.model->takeEvents();
  REQUIRE(partialEvents.size() == 1);
  CHECK(partialEvents[0].message.find("3 of 6 buildings are on no feeder") != std::string::npos);
}

TEST_CASE("feeders branching off feeders form one radial network; a loop of parents is an error") {
  Harness h;
  // The row of houses split into a trunk to x = 40 and a branch from there on.
  city::Feeder& trunk = h.city.grid.feeders[0];
  trunk.route = {{-10, -5}, {40, -5}};
  trunk.servedBuildings = {0, 1};
  city::Feeder branch = trunk;
  branch.id = "S/1/a";
  branch.route = {{40, -5}, {120, -5}};
  branch.servedBuildings = {2, 3, 4, 5};
  branch.parentFeeder = 0;
  h.city.grid.feeders.push_back(branch);
  const std::vector<energy::SubstationNetwork> networks = energy::buildDistributionNetworks(h.city);
  REQUIRE(networks.size() == 1);
  const energy::SubstationNetwork& n = networks[0];
  CHECK(n.buildings.size() == 6);
  CHECK(n.network.branches.size() + 1 == n.network.busCount());  // radial
  // The branch starts at the trunk's junction bus, not at the busbar.
  int fromBusbar = 0;
  for (std::size_t br = 0; br < n.network.branches.size(); ++br)
    fromBusbar += n.network.branches[br].from == 1;
  CHECK(fromBusbar == 1);
  CHECK(std::count(n.feederOfBranch.begin(), n.feederOfBranch.end(), 1) >= 4);
  h.start();
  h.run(2);
  CHECK(h.model->kpis().at("power_flow_failures") == 0.0);

  h.city.grid.feeders[0].parentFeeder = 1;
  CHECK_THROWS_WITH_AS(energy::buildDistributionNetworks(h.city), doctest::Contains("loop"), Error);
}

TEST_CASE("a secondary on an MV feeder joins its primary's network through its standard-type transformer") {
  Harness h;
  city::Substation primary;
  primary.id = "P";
  primary.position = {-1010, -5};
  primary.ratedMva = 40;
  primary.primaryKv = 110;
  primary.secondaryKv = 20;
  primary.transformer = "40 MVA 110/20 kV";
  h.city.grid.substations.push_back(primary);
  city::Feeder mv;
  mv.id = "P/mv-1";
  mv.substation = 1;
  mv.route = {{-1010, -5}, {-10, -5}};  // 1 km to the secondary's site
  mv.voltageKv = 20;
  mv.resistanceOhmPerKm = 0.313;
  mv.reactanceOhmPerKm = 0.132;
  mv.ratedAmps = 252;
  h.city.grid.feeders.push_back(mv);
  city::Substation& secondary = h.city.grid.substations[0];
  secondary.primaryKv = 20;
  secondary.transformer = "0.4 MVA 20/0.4 kV";
  secondary.supplyFeeder = 1;

  const std::vector<energy::SubstationNetwork> networks = energy::buildDistributionNetworks(h.city);
  REQUIRE(networks.size() == 1);  // one reference bus, at the primary
  const energy::SubstationNetwork& n = networks[0];
  CHECK(n.id == "P");
  CHECK(n.network.branches.size() + 1 == n.network.busCount());
  CHECK(n.buildings.size() == 6);
  for (std::int32_t s : n.secondaryOfBuilding) CHECK(s == 0);
  // Per unit on 1 MVA: the MV cable 0.313 ohm over (20 kV)^2; the 0.4 MVA transformer vkr 1.425 %,
  // vk 6 % on 0.4 MVA; the 40 MVA one vkr 0.34 %, vk 16.2 %.
  int transformers = 0;
  for (std::size_t br = 0; br < n.network.branches.size(); ++br) {
    const energy::AcBranch& b = n.network.branches[br];
    if (n.substationOfBranch[br] == 0) {
      ++transformers;
      CHECK(b.r == doctest::Approx(0.01425 / 0.4));
      CHECK(b.x == doctest::Approx(std::sqrt(0.06 * 0.06 - 0.01425 * 0.01425) / 0.4));
      CHECK(n.branchRatingPu[br] == doctest::Approx(0.4));
    } else if (n.substationOfBranch[br] == 1) {
      ++transformers;
      CHECK(b.r == doctest::Approx(0.0034 / 40));
      CHECK(b.x == doctest::Approx(std::sqrt(0.162 * 0.162 - 0.0034 * 0.0034) / 40));
    } else if (n.feederOfBranch[br] == 1) {
      CHECK(b.r == doctest::Approx(0.313 / 400.0));
    }
  }
  CHECK(transformers == 2);

  // Flooding the primary cuts every building and de-energises the secondary behind it.
  h.start();
  h.published.column(city::Layer::Substation, "max_flood_depth_m", 0.0)[1] = 0.5;
  h.run(1);
  for (double s : h.staged.column(city::Layer::Building, "supplied")) CHECK(s == 0.0);
  CHECK(h.staged.column(city::Layer::Substation, "energized")[0] == 0.0);
  CHECK(h.staged.column(city::Layer::Substation, "energized")[1] == 0.0);
  bool upstream = false;
  for (const sim::Event& e : h.model->takeEvents())
    upstream |= e.entity == "S" && e.message.find("supply lost upstream at P") != std::string::npos;
  CHECK(upstream);

  secondary.supplyFeeder = 0;  // its own LV feeder
  CHECK_THROWS_WITH_AS(energy::buildDistributionNetworks(h.city), doctest::Contains("no other substation"),
                       Error);
}
