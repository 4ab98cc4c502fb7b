#include "citytwin/energy/energy_model.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/byte_buffer.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/value_reader.hpp"
#include "citytwin/energy/building_stock.hpp"
#include "citytwin/energy/distribution_network.hpp"
#include "citytwin/energy/network_file.hpp"
#include "citytwin/energy/newton_raphson.hpp"
#include "citytwin/energy/solar.hpp"
#include "citytwin/energy/synthetic_weather.hpp"
#include "citytwin/energy/weather.hpp"
#include "energy_kpi_definitions.hpp"

namespace citytwin::energy {
namespace {

constexpr std::size_t kChunk = 1024;
constexpr double kReactiveShare = 0.3287;   // tan(acos(0.95)): consumption at power factor 0.95

struct HourRecord {
  double demandMw, netMw, pvMw, unservedMw, minVm, maxVm, maxLoading;
};

struct Settings {
  std::filesystem::path weather;
  std::optional<SyntheticWeatherOptions> syntheticWeather;   // instead of an EPW file
  std::filesystem::path network;                             // empty: networks from the city's grid assets
  double serviceRadiusM = 100;
  SkyDiffuseModel skyModel = SkyDiffuseModel::Perez;
  StockOptions stock;
  double heatWaveDeltaC = 0;
  bool powerFlow = true;
  bool useObservedLoads = true;  // Building/Substation observed_load_kw in the state replace modelled loads
  double voltageMin = 0.95, voltageMax = 1.05;
  // Prices unserved energy, so an outage has a cost beside its MWh: the EU household average of 8.7 EUR/kWh
  // (Shivakumar et al. 2017, "Valuing blackouts and lost leisure", Energy Research & Social Science 34,
  // 39-48; national values 3.2-15.8 EUR/kWh).
  double valueOfLostLoadEurPerMwh = 8700;
};

// The model's parameters are bounded numbers, read through the shared ValueReader (which locates every
// error as file:line:key) with the model's own messages.
class Parameters {
 public:
  Parameters(const Value& table, std::string file, std::string prefix) : reader_(table, std::move(file), std::move(prefix)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const { reader_.fail(key, problem); }
  void rejectUnknown(const std::set<std::string>& known) const {
    for (const std::string& key : known) reader_.allow(key);
    reader_.rejectUnknownKeys();
  }
  bool has(const std::string& key) const { return reader_.has(key); }
  double number(const std::string& key, double fallback, double lo, double hi) const {
    const Value* node = reader_.node(key);
    if (!node) return fallback;
    const auto v = node->toNumber();
    if (!v) fail(key, "expected a number");
    if (!(*v >= lo && *v <= hi))
      fail(key, "expected a value in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return *v;
  }
  double required(const std::string& key, double lo, double hi) const {
    if (!has(key)) fail(key, "missing key (a number)");
    return number(key, 0, lo, hi);
  }
  std::string text(const std::string& key, const std::string& fallback) const {
    const Value* node = reader_.node(key);
    if (!node) return fallback;
    const auto v = node->toText();
    if (!v) fail(key, "expected a string");
    return *v;
  }
  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const {
    const Value* node = reader_.node(key);
    if (!node) return fallback;
    if (!node->isInteger()) fail(key, "expected an integer");
    const std::int64_t v = node->asInteger();
    if (v < lo || v > hi) fail(key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  }
  bool boolean(const std::string& key, bool fallback) const {
    const Value* node = reader_.node(key);
    if (!node) return fallback;
    const auto v = node->toBoolean();
    if (!v) fail(key, "expected true or false");
    return *v;
  }

 private:
  ValueReader reader_;
};

// `weather = { synthetic = true, latitude = 45.15, ... }`: a generated weather year (see synthetic_weather.hpp).
SyntheticWeatherOptions readSyntheticWeather(const Value& table, const std::string& file) {
  const Parameters p(table, file, "energy.weather.");
  p.rejectUnknown({"synthetic", "latitude", "longitude", "elevation_m", "time_zone_h", "mean_temperature_c",
                   "seasonal_amplitude_c", "daily_amplitude_c", "temperature_noise_c", "cloudiness",
                   "linke_turbidity", "relative_humidity", "wind_speed_ms", "first_weekday", "seed"});
  if (!p.has("synthetic")) p.fail("synthetic", "missing key: a weather table needs synthetic = true");
  if (!p.boolean("synthetic", false)) p.fail("synthetic", "expected true (otherwise give an EPW file name)");
  SyntheticWeatherOptions o;
  o.latitudeDeg = p.number("latitude", o.latitudeDeg, -89, 89);
  o.longitudeDeg = p.number("longitude", o.longitudeDeg, -180, 180);
  o.elevationM = p.number("elevation_m", o.elevationM, -500, 6000);
  // Local standard time of the longitude's 15-degree zone unless given.
  o.timeZoneHours = p.number("time_zone_h", std::round(o.longitudeDeg / 15.0), -12, 14);
  o.meanTemperatureC = p.number("mean_temperature_c", o.meanTemperatureC, -40, 40);
  o.seasonalAmplitudeC = p.number("seasonal_amplitude_c", o.seasonalAmplitudeC, 0, 40);
  o.dailyAmplitudeC = p.number("daily_amplitude_c", o.dailyAmplitudeC, 0, 20);
  o.temperatureNoiseC = p.number("temperature_noise_c", o.temperatureNoiseC, 0, 10);
  o.meanCloudiness = p.number("cloudiness", o.meanCloudiness, 0, 1);
  o.linkeTurbidity = p.number("linke_turbidity", o.linkeTurbidity, 1, 10);
  o.relativeHumidity = p.number("relative_humidity", o.relativeHumidity, 0.05, 1);
  o.windSpeedMs = p.number("wind_speed_ms", o.windSpeedMs, 0, 30);
  o.firstWeekday = static_cast<int>(p.integer("first_weekday", o.firstWeekday, 0, 6));
  o.seed = static_cast<std::uint64_t>(p.integer("seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
  return o;
}

Settings readSettings(const sim::ModelContext& context) {
  Settings s;
  s.stock.seed = context.seed;
  const Parameters p(context.parameters, context.scenarioFile, "energy.");
  p.rejectUnknown({"weather", "sky_model", "retrofit_share", "retrofit_u_wall", "retrofit_u_roof",
                   "retrofit_u_window", "retrofit_u_floor", "heat_wave_delta_c", "pv_share",
                   "heat_pump_share", "ev_share", "power_flow", "voltage_min_pu", "voltage_max_pu", "network",
                   "network_service_radius_m", "use_observed_loads", "value_of_lost_load_eur_per_mwh"});
  if (!p.has("weather")) p.fail("weather", "missing key: the EPW weather file of the city, or { synthetic = true, ... }");
  if (const Value& weather = *context.parameters.find("weather"); weather.isTable()) {
    s.syntheticWeather = readSyntheticWeather(weather, context.scenarioFile);
  } else {
    if (!weather.isString())
      p.fail("weather", "expected an EPW file name or a table { synthetic = true, latitude = ..., ... }");
    s.weather = p.text("weather", "");
    if (s.weather.is_relative()) s.weather = context.scenarioDirectory / s.weather;
  }
  if (p.has("network")) {
    if (!context.parameters.find("network")->isString()) p.fail("network", "expected a GeoJSON file name");
    s.network = p.text("network", "");
    if (s.network.empty()) p.fail("network", "expected a GeoJSON file name");
    if (s.network.is_relative()) s.network = context.scenarioDirectory / s.network;
  }
  s.serviceRadiusM = p.number("network_service_radius_m", 100, 0, 10000);
  try {
    s.skyModel = skyDiffuseModelFromString(p.text("sky_model", "perez"));
  } catch (const Error& e) {
    p.fail("sky_model", e.what());
  }
  s.stock.retrofitShare = p.number("retrofit_share", 0, 0, 1);
  s.stock.retrofitEnvelope.uWall = p.number("retrofit_u_wall", 0.2, 0.01, 5);
  s.stock.retrofitEnvelope.uRoof = p.number("retrofit_u_roof", 0.15, 0.01, 5);
  s.stock.retrofitEnvelope.uWindow = p.number("retrofit_u_window", 1.0, 0.1, 7);
  s.stock.retrofitEnvelope.uFloor = p.number("retrofit_u_floor", 0.25, 0.01, 5);
  s.heatWaveDeltaC = p.number("heat_wave_delta_c", 0, -30, 30);
  s.stock.pvShare = p.number("pv_share", 0, 0, 1);
  s.stock.heatPumpShare = p.number("heat_pump_share", 0, 0, 1);
  s.stock.evShare = p.number("ev_share", 0, 0, 1);
  s.powerFlow = p.boolean("power_flow", true);
  s.useObservedLoads = p.boolean("use_observed_loads", true);
  s.voltageMin = p.number("voltage_min_pu", 0.95, 0.5, 1.0);
  s.voltageMax = p.number("voltage_max_pu", 1.05, 1.0, 1.5);
  s.valueOfLostLoadEurPerMwh = p.number("value_of_lost_load_eur_per_mwh", 8700, 0, 1e6);
  for (const sim::Intervention& in : context.interventions) {
    const Parameters r(in.parameters, in.sourceFile.empty() ? context.scenarioFile : in.sourceFile,
                            "intervention " + in.kind + ": ");
    if (in.kind == "retrofit") {
      r.rejectUnknown({"kind", "share", "u_wall", "u_roof", "u_window", "u_floor"});
      s.stock.retrofitShare = r.required("share", 0, 1);
      s.stock.retrofitEnvelope.uWall = r.number("u_wall", s.stock.retrofitEnvelope.uWall, 0.01, 5);
      s.stock.retrofitEnvelope.uRoof = r.number("u_roof", s.stock.retrofitEnvelope.uRoof, 0.01, 5);
      s.stock.retrofitEnvelope.uWindow = r.number("u_window", s.stock.retrofitEnvelope.uWindow, 0.1, 7);
      s.stock.retrofitEnvelope.uFloor = r.number("u_floor", s.stock.retrofitEnvelope.uFloor, 0.01, 5);
    } else if (in.kind == "heat_wave") {
      r.rejectUnknown({"kind", "delta_t"});
      s.heatWaveDeltaC = r.required("delta_t", -30, 30);
    } else if (in.kind == "pv_adoption") {
      r.rejectUnknown({"kind", "share"});
      s.stock.pvShare = r.required("share", 0, 1);
    } else if (in.kind == "heat_pump_adoption") {
      r.rejectUnknown({"kind", "share"});
      s.stock.heatPumpShare = r.required("share", 0, 1);
    } else if (in.kind == "ev_adoption") {
      r.rejectUnknown({"kind", "share"});
      s.stock.evShare = r.required("share", 0, 1);
    } else {
      throw InputError(in.locationOf("kind"), "the energy model does not handle intervention '" + in.kind + "'");
    }
  }
  return s;
}

// Hour of the year (0-based) of an ISO 8601 start such as "2026-07-01T00:00:00Z"; 0 when absent.
std::size_t startHourOfYear(const std::string& iso) {
  int year = 0, month = 0, day = 0, hour = 0;
  if (iso.empty() || std::sscanf(iso.c_str(), "%d-%d-%dT%d", &year, &month, &day, &hour) < 3) return 0;
  if (month < 1 || month > 12 || day < 1 || day > 31) return 0;
  const int doy = std::min(dayOfYear(month, std::min(day, month == 2 ? 28 : day)), 365);
  return static_cast<std::size_t>((doy - 1) * 24 + std::clamp(hour, 0, 23));
}

}  // namespace

struct EnergyModel::State {
  Settings settings;
  const city::CityModel* city = nullptr;
  HourlyDrivers drivers;
  BuildingStock stock;
  std::vector<SubstationNetwork> networks;
  std::vector<std::unique_ptr<NewtonRaphsonPowerFlow>> flows;
  std::vector<std::vector<Complex>> voltages;
  std::vector<std::int32_t> networkOfBuilding;    // index into `networks`; -1: not on a modelled feeder
  std::vector<std::int32_t> secondaryOfBuilding;  // city substation also needed; -1: none
  // Per city substation: the network whose supply it needs (a secondary inside a primary's network); -1:
  // none.
  std::vector<std::int32_t> networkOfSubstation;
  std::vector<std::size_t> buildingsOfCitySubstation;
  std::size_t buildingsWithoutNetwork = 0;  // counted in demand and always supplied
  std::size_t startHour = 0;
  // Dynamic state.
  std::vector<double> massC;
  std::uint64_t hoursDone = 0;
  double demandWh = 0, pvWh = 0, pvSelfWh = 0, unservedWh = 0, heatingWh = 0, coolingWh = 0, fuelWh = 0;
  double peakNetW = 0, maxLoading = 0;
  double violationHours = 0, failedSolves = 0;
  std::vector<HourRecord> records;
  // Outputs of the last hour.
  std::vector<double> heatW, coolW, elecW, pvW, fuelW, supplied;
  std::vector<double> energized;  // per city substation
  std::vector<double> networkOn;  // per network
  std::vector<sim::Event> events;

  void runHour(std::size_t weatherHour, sim::SimTime time, const city::CityState& published);
  void applyObservedLoads(const city::CityState& published);
};

EnergyModel::EnergyModel() : state_(std::make_unique<State>()) {}
EnergyModel::~EnergyModel() = default;

sim::ModelDescription EnergyModel::describe() const {
  sim::ModelDescription d;
  d.name = "energy";
  // Energy runs alone too: without flood depths no substation floods, without meters the loads are modelled.
  d.reads = {{city::columns::kSubstationFloodDepth, sim::ReadNeed::Optional},
             {city::columns::kBuildingObservedLoad, sim::ReadNeed::Optional},
             {city::columns::kSubstationObservedLoad, sim::ReadNeed::Optional}};
  d.writes = {city::columns::kBuildingElectricLoad, city::columns::kBuildingHeating,
              city::columns::kBuildingCooling,       city::columns::kBuildingPv,
              city::columns::kBuildingSupplied,      city::columns::kSubstationEnergized};
  d.writtenValues = sim::WrittenValues::ForStep;  // loads and supply of the hour [t, t + 1 h)
  d.preferredStep = sim::kHour;
  d.canSnapshot = true;
  d.interventionKinds = {"retrofit", "heat_wave", "pv_adoption", "heat_pump_adoption", "ev_adoption"};
  d.kpis = energyKpiDefinitions();
  return d;
}

void EnergyModel::initialise(const sim::ModelContext& context, city::CityState& state) {
  State& s = *state_;
  s = State{};
  s.settings = readSettings(context);
  s.city = &context.city;
  const Weather weather =
      s.settings.syntheticWeather ? syntheticWeather(*s.settings.syntheticWeather) : readEpw(s.settings.weather);
  s.drivers = computeDrivers(weather, s.settings.skyModel, s.settings.heatWaveDeltaC);
  s.stock = buildStock(context.city.buildings, s.settings.stock);
  if (s.settings.network.empty()) {
    s.networks = buildDistributionNetworks(context.city);
  } else {
    try {
      s.networks = buildDistributionNetworks(readNetworkFile(s.settings.network), context.city,
                                             s.settings.serviceRadiusM);
    } catch (const InputError&) {
      throw;
    } catch (const Error& e) {
      // The scenario line that named the file, then the file's own message (feature and field).
      const Value* node = context.parameters.find("network");
      throw InputError({context.scenarioFile, node ? node->line() : 0,
                        "energy.network"},
                       e.what());
    }
  }
  s.networkOfBuilding.assign(context.city.buildings.size(), -1);
  s.secondaryOfBuilding.assign(context.city.buildings.size(), -1);
  s.buildingsOfCitySubstation.assign(context.city.grid.substations.size(), 0);
  s.networkOfSubstation.assign(context.city.grid.substations.size(), -1);
  for (std::size_t k = 0; k < s.networks.size(); ++k) {
    const SubstationNetwork& n = s.networks[k];
    for (const std::int32_t site : n.substationOfBranch)
      if (site >= 0 && static_cast<std::size_t>(site) < s.networkOfSubstation.size())
        s.networkOfSubstation[static_cast<std::size_t>(site)] = static_cast<std::int32_t>(k);
    for (std::size_t j = 0; j < n.buildings.size(); ++j) {
      const std::uint32_t b = n.buildings[j];
      const std::int32_t secondary = n.secondaryOfBuilding[j];
      s.networkOfBuilding[b] = static_cast<std::int32_t>(k);
      s.secondaryOfBuilding[b] = secondary;
      if (secondary >= 0) ++s.buildingsOfCitySubstation[static_cast<std::size_t>(secondary)];
    }
    if (n.citySubstation >= 0)
      s.buildingsOfCitySubstation[static_cast<std::size_t>(n.citySubstation)] += n.buildings.size();
    s.voltages.push_back(n.network.voltage);
    s.flows.push_back(s.settings.powerFlow ? std::make_unique<NewtonRaphsonPowerFlow>(n.network) : nullptr);
  }
  s.buildingsWithoutNetwork = static_cast<std::size_t>(
      std::count(s.networkOfBuilding.begin(), s.networkOfBuilding.end(), std::int32_t{-1}));
  if (s.buildingsWithoutNetwork > 0) {
    // A city without a grid must not read as a grid without problems: say so, and leave the grid KPIs out.
    const std::size_t total = context.city.buildings.size();
    sim::Event e;
    e.kind = "no_network";
    e.message =
        s.buildingsWithoutNetwork == total
            ? "no distribution network: none of the " + std::to_string(total) +
                  " buildings is on a feeder of the city's grid layers or the network file (`citytwin "
                  "city import` synthesises a grid); grid KPIs are not reported"
            : std::to_string(s.buildingsWithoutNetwork) + " of " + std::to_string(total) +
                  " buildings are on no feeder: counted in demand and always supplied";
    std::cerr << "citytwin: warning: energy: " << e.message << "\n";
    s.events.push_back(std::move(e));
  }
  s.startHour = startHourOfYear(context.startIso8601) % s.drivers.hours;
  const std::size_t n = s.stock.size();
  s.massC = s.stock.heatingSetpointC;
  for (auto* v : {&s.heatW, &s.coolW, &s.elecW, &s.pvW, &s.fuelW}) v->assign(n, 0.0);
  s.supplied.assign(n, 1.0);
  s.energized.assign(context.city.grid.substations.size(), 1.0);
  s.networkOn.assign(s.networks.size(), 1.0);
  for (const city::CouplingColumn* column : {&city::columns::kBuildingElectricLoad,
                                            &city::columns::kBuildingHeating, &city::columns::kBuildingCooling,
                                            &city::columns::kBuildingPv})
    state.column(*column, 0.0);
  state.column(city::columns::kBuildingSupplied, 1.0);
  state.column(city::columns::kSubstationEnergized, 1.0);
}

// Observed loads (e.g. smart meters from the live context) replace the modelled electricity: a building's own
// positive observation replaces its load; a substation's positive observation then scales the loads of the
// buildings its network feeds so that they sum to it. Zero or missing values count as not observed.
void EnergyModel::State::applyObservedLoads(const city::CityState& published) {
  if (published.has(city::columns::kBuildingObservedLoad)) {
    const auto& observed = published.column(city::columns::kBuildingObservedLoad);
    for (std::size_t i = 0; i < elecW.size() && i < observed.size(); ++i) {
      if (std::isfinite(observed[i]) && observed[i] > 0.0) elecW[i] = observed[i] * 1e3;
    }
  }
  if (published.has(city::columns::kSubstationObservedLoad)) {
    const auto& observed = published.column(city::columns::kSubstationObservedLoad);
    for (const SubstationNetwork& network : networks) {
      if (network.citySubstation < 0) continue;
      const auto site = static_cast<std::size_t>(network.citySubstation);
      if (site >= observed.size() || !std::isfinite(observed[site]) || observed[site] <= 0.0) continue;
      double modelledW = 0.0;
      for (std::uint32_t b : network.buildings) modelledW += elecW[b];
      if (modelledW <= 0.0) continue;
      const double factor = observed[site] * 1e3 / modelledW;
      for (std::uint32_t b : network.buildings) elecW[b] *= factor;
    }
  }
}

void EnergyModel::State::runHour(std::size_t weatherHour, sim::SimTime time,
                                 const city::CityState& published) {
  const std::size_t n = stock.size();
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, chunks, 1),
      [&](const tbb::blocked_range<std::size_t>& range) {
        for (std::size_t c = range.begin(); c != range.end(); ++c) {
          const std::size_t begin = c * kChunk, end = std::min(n, begin + kChunk);
          const HourOutputs out{heatW.data() + begin, coolW.data() + begin, elecW.data() + begin, pvW.data() + begin,
                                fuelW.data() + begin};
          stepBuildings(stock, drivers, weatherHour, begin, end, massC.data() + begin, out);
        }
      },
      tbb::simple_partitioner());

  if (settings.useObservedLoads) applyObservedLoads(published);

  // Substations switched off by flood water at their site.
  const auto& subs = city->grid.substations;
  const bool haveDepth = published.has(city::columns::kSubstationFloodDepth);
  const auto depthAt = [&](std::size_t k) {
    return haveDepth ? published.column(city::columns::kSubstationFloodDepth)[k] : 0.0;
  };
  std::vector<double> wasEnergized = energized;
  for (std::size_t k = 0; k < subs.size(); ++k)
    energized[k] = depthAt(k) > subs[k].floodThresholdM ? 0.0 : 1.0;
  const std::vector<double> siteDry = energized;
  for (std::size_t k = 0; k < networks.size(); ++k) {
    const std::int32_t site = networks[k].citySubstation;
    networkOn[k] =
        site >= 0 && depthAt(static_cast<std::size_t>(site)) > networks[k].floodThresholdM ? 0.0 : 1.0;
    if (site >= 0 && networkOn[k] == 0.0) energized[static_cast<std::size_t>(site)] = 0.0;
  }
  // A substation inside a switched-off network (a secondary behind a flooded primary) loses its supply too.
  for (std::size_t k = 0; k < subs.size(); ++k) {
    const std::int32_t net = networkOfSubstation[k];
    if (net >= 0 && networkOn[static_cast<std::size_t>(net)] == 0.0) energized[k] = 0.0;
  }
  for (std::size_t k = 0; k < subs.size(); ++k) {
    if (energized[k] == wasEnergized[k]) continue;
    char depth[96];
    if (energized[k] == 0.0 && siteDry[k] != 0.0 && networkOfSubstation[k] >= 0 &&
        networks[static_cast<std::size_t>(networkOfSubstation[k])].citySubstation !=
            static_cast<std::int32_t>(k))
      std::snprintf(depth, sizeof depth, "supply lost upstream at %s",
                    networks[static_cast<std::size_t>(networkOfSubstation[k])].id.c_str());
    else
      std::snprintf(depth, sizeof depth, "%.2f m of water at the site, threshold %.2f m", depthAt(k),
                    subs[k].floodThresholdM);
    sim::Event e;
    e.time = time;
    e.entity = subs[k].id;
    const std::string count = std::to_string(buildingsOfCitySubstation[k]);
    if (energized[k] == 0.0) {
      e.kind = "substation_deenergised";
      e.message =
          "substation de-energised: " + subs[k].id + " (" + depth + "); " + count + " buildings lose supply";
    } else {
      e.kind = "substation_reenergised";
      e.message = "substation re-energised: " + subs[k].id + " (" + depth + "); " + count +
                  " buildings supplied again";
    }
    events.push_back(std::move(e));
  }

  HourRecord rec{0, 0, 0, 0, 1e300, -1e300, 0};
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t net = networkOfBuilding[i];
    const std::int32_t secondary = secondaryOfBuilding[i];
    supplied[i] = net < 0 ? 1.0
                          : networkOn[static_cast<std::size_t>(net)] *
                                (secondary < 0 ? 1.0 : siteDry[static_cast<std::size_t>(secondary)]);
    rec.demandMw += elecW[i] * 1e-6;
    if (supplied[i] > 0) {
      rec.netMw += (elecW[i] - pvW[i]) * 1e-6;
      rec.pvMw += pvW[i] * 1e-6;
      pvSelfWh += std::min(pvW[i], elecW[i]);
    } else {
      rec.unservedMw += elecW[i] * 1e-6;
    }
    heatingWh += heatW[i];
    coolingWh += coolW[i];
    fuelWh += fuelW[i];
  }
  demandWh += rec.demandMw * 1e6;
  pvWh += rec.pvMw * 1e6;
  unservedWh += rec.unservedMw * 1e6;
  peakNetW = std::max(peakNetW, rec.netMw * 1e6);

  bool violation = false;
  for (std::size_t k = 0; k < networks.size(); ++k) {
    if (!flows[k] || networkOn[k] == 0.0) continue;
    const SubstationNetwork& net = networks[k];
    std::vector<Complex> injection(net.network.busCount(), Complex(0, 0));
    for (std::size_t j = 0; j < net.buildings.size(); ++j) {
      const std::uint32_t b = net.buildings[j];
      if (supplied[b] == 0.0) continue;  // behind a switched-off substation
      const double p = (elecW[b] - pvW[b]) * 1e-6 / kNetworkBaseMva;
      const double q = elecW[b] * kReactiveShare * 1e-6 / kNetworkBaseMva;
      injection[static_cast<std::size_t>(net.busOfBuilding[j])] -= Complex(p, q);
    }
    std::vector<Complex>& v = voltages[k];
    PowerFlowOutcome outcome;
    try {
      outcome = flows[k]->solve(v, injection);
    } catch (const Error&) {
      outcome.converged = false;
    }
    if (!outcome.converged) {
      // A collapsed feeder (load beyond its transfer limit) counts as a violation; restart flat next hour.
      failedSolves += 1;
      violation = true;
      v = net.network.voltage;
      continue;
    }
    for (std::size_t b = 0; b < v.size(); ++b) {
      if (net.network.roles[b] == BusRole::Reference) continue;
      const double vm = std::abs(v[b]);
      rec.minVm = std::min(rec.minVm, vm);
      rec.maxVm = std::max(rec.maxVm, vm);
      if (vm < settings.voltageMin || vm > settings.voltageMax) violation = true;
    }
    for (std::size_t br = 0; br < net.network.branches.size(); ++br) {
      if (net.branchRatingPu[br] <= 0) continue;
      const double loading = std::abs(branchSeriesCurrent(net.network.branches[br], v)) / net.branchRatingPu[br];
      rec.maxLoading = std::max(rec.maxLoading, loading);
    }
  }
  maxLoading = std::max(maxLoading, rec.maxLoading);
  if (violation) violationHours += 1;
  if (rec.minVm > rec.maxVm) rec.minVm = rec.maxVm = 0;
  records.push_back(rec);
  ++hoursDone;
}

void EnergyModel::step(sim::SimTime t, sim::SimTime dt, const city::CityState& published, city::CityState& staged) {
  State& s = *state_;
  if (!s.city) throw Error("energy model: step before initialise");
  // Every whole hour that starts inside [t, t + dt) is simulated; a shorter step that holds no hour start keeps the
  // last hour's outputs.
  const sim::SimTime firstHour = (t + sim::kHour - 1) / sim::kHour;
  for (sim::SimTime h = firstHour; h * sim::kHour < t + dt; ++h)
    s.runHour((s.startHour + static_cast<std::size_t>(h)) % s.drivers.hours, h * sim::kHour, published);
  auto& load = staged.column(city::columns::kBuildingElectricLoad);
  auto& heating = staged.column(city::columns::kBuildingHeating);
  auto& cooling = staged.column(city::columns::kBuildingCooling);
  auto& pv = staged.column(city::columns::kBuildingPv);
  auto& supplied = staged.column(city::columns::kBuildingSupplied);
  for (std::size_t i = 0; i < s.stock.size() && i < load.size(); ++i) {
    load[i] = s.elecW[i] * 1e-3;
    heating[i] = s.heatW[i] * 1e-3;
    cooling[i] = s.coolW[i] * 1e-3;
    pv[i] = s.pvW[i] * 1e-3;
    supplied[i] = s.supplied[i];
  }
  auto& energized = staged.column(city::columns::kSubstationEnergized);
  for (std::size_t k = 0; k < s.energized.size() && k < energized.size(); ++k) energized[k] = s.energized[k];
}

std::vector<sim::Event> EnergyModel::takeEvents() {
  return std::exchange(state_->events, {});
}

sim::Kpis EnergyModel::kpis() const {
  const State& s = *state_;
  sim::Kpis k;
  k["demand_mwh"] = s.demandWh * 1e-6;
  k["peak_demand_mw"] = s.peakNetW * 1e-6;
  k["pv_generation_mwh"] = s.pvWh * 1e-6;
  k["pv_self_consumption"] = s.pvWh > 0 ? s.pvSelfWh / s.pvWh : 0.0;
  k["heating_mwh"] = s.heatingWh * 1e-6;
  k["cooling_mwh"] = s.coolingWh * 1e-6;
  k["fuel_mwh"] = s.fuelWh * 1e-6;
  k["buildings_without_network"] = static_cast<double>(s.buildingsWithoutNetwork);
  // Without any building on a network these would read 0 (no overload, no outage) for want of a grid.
  if (s.city && s.buildingsWithoutNetwork < s.city->buildings.size()) {
    k["voltage_violation_hours"] = s.violationHours;
    k["max_line_loading"] = s.maxLoading;
    k["unserved_energy_mwh"] = s.unservedWh * 1e-6;
    k["unserved_energy_cost_eur"] = s.unservedWh * 1e-6 * s.settings.valueOfLostLoadEurPerMwh;
    k["power_flow_failures"] = s.failedSolves;
  }
  return k;
}

void EnergyModel::writeOutputs(const std::filesystem::path& directory) const {
  const State& s = *state_;
  AtomicOutput output(directory / "energy_hourly.csv");
  {
    std::ofstream out(output.temporaryPath());
    out << "hour,demand_mw,net_grid_mw,pv_mw,unserved_mw,min_vm_pu,max_vm_pu,max_loading\n";
    char line[256];
    for (std::size_t h = 0; h < s.records.size(); ++h) {
      const HourRecord& r = s.records[h];
      std::snprintf(line, sizeof line, "%zu,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", h, r.demandMw, r.netMw, r.pvMw,
                    r.unservedMw, r.minVm, r.maxVm, r.maxLoading);
      out << line;
    }
    if (!out.flush()) throw Error((directory / "energy_hourly.csv").string() + ": write failed");
  }
  output.commit();
}

std::vector<std::uint8_t> EnergyModel::snapshot() const {
  const State& s = *state_;
  ByteWriter w;
  w.put<std::uint32_t>(0x454e5231);   // "ENR1"
  w.putVector(s.massC);
  w.put(s.hoursDone);
  for (double v : {s.demandWh, s.pvWh, s.pvSelfWh, s.unservedWh, s.heatingWh, s.coolingWh, s.fuelWh, s.peakNetW,
                   s.maxLoading, s.violationHours, s.failedSolves})
    w.put(v);
  w.putVector(s.records);
  w.put<std::uint64_t>(s.voltages.size());
  for (const auto& v : s.voltages) w.putVector(v);
  for (const auto* v : {&s.heatW, &s.coolW, &s.elecW, &s.pvW, &s.fuelW, &s.supplied, &s.energized}) w.putVector(*v);
  return std::move(w.bytes);
}

void EnergyModel::restore(std::span<const std::uint8_t> bytes) {
  State& s = *state_;
  ByteReader r(bytes, "energy snapshot");
  if (r.get<std::uint32_t>() != 0x454e5231) throw Error("energy snapshot: not an energy model snapshot");
  r.getVector(s.massC, s.massC.size());
  s.hoursDone = r.get<std::uint64_t>();
  for (double* v : {&s.demandWh, &s.pvWh, &s.pvSelfWh, &s.unservedWh, &s.heatingWh, &s.coolingWh, &s.fuelWh,
                    &s.peakNetW, &s.maxLoading, &s.violationHours, &s.failedSolves})
    *v = r.get<double>();
  s.records = r.getVector<HourRecord>();
  if (r.get<std::uint64_t>() != s.voltages.size()) throw Error("energy snapshot: network count mismatch");
  for (auto& v : s.voltages) r.getVector(v, v.size());
  for (auto* v : {&s.heatW, &s.coolW, &s.elecW, &s.pvW, &s.fuelW, &s.supplied, &s.energized}) r.getVector(*v, v->size());
}

}  // namespace citytwin::energy
