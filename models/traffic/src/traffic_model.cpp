#include "citytwin/traffic/traffic_model.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/byte_buffer.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/splitmix64.hpp"
#include "citytwin/core/value_reader.hpp"
#include "citytwin/sim/entity_selector.hpp"
#include "citytwin/traffic/assignment_routes.hpp"
#include "citytwin/traffic/city_network.hpp"
#include "citytwin/traffic/demand_calibration.hpp"
#include "citytwin/traffic/dynamic_equilibrium.hpp"
#include "citytwin/traffic/strong_components.hpp"
#include "citytwin/traffic/trip_statistics.hpp"
#include "traffic_kpi_definitions.hpp"

namespace citytwin::traffic {

namespace {

const char* const kKnownKeys[] = {"time_step_s",
                                  "od_file",
                                  "trips_per_100m2",
                                  "work_share",
                                  "shop_share",
                                  "school_share",
                                  "demand_start_s",
                                  "demand_duration_s",
                                  "demand_scale",
                                  "flood_closure_depth_m",
                                  "signal_green_s",
                                  "signal_amber_s",
                                  "max_speed_kph",
                                  "idm_time_headway_s",
                                  "idm_minimum_gap_m",
                                  "idm_acceleration_mps2",
                                  "idm_deceleration_mps2",
                                  "vehicle_length_m",
                                  "vehicle_output_interval",
                                  "link_output_interval",
                                  "routing",
                                  "calibrate_to_observed_flows",
                                  "departure_profile",
                                  "equilibrium_iterations",
                                  "equilibrium_gap",
                                  "reroute_period_s",
                                  "time_to_impatience_s"};

// A bounded number of the [traffic] table.
double numberOr(const ValueReader& p, const std::string& key, double fallback, double minimum,
                double maximum) {
  const Value* node = p.node(key);
  if (!node) return fallback;
  const std::optional<double> value = node->toNumber();
  if (!value) p.fail(key, "expected a number");
  if (*value < minimum || *value > maximum)
    p.fail(key, "expected a value in [" + std::to_string(minimum) + ", " + std::to_string(maximum) + "]");
  return *value;
}

// The road links a close_road, reduce_lanes or change_speed_limit selects, by the engine's selector keys
// (sim::EntitySelector: id, ids, where, area, fraction, all), so one area picks the same links here as in
// a set_attribute. `extraKey` is the kind's own key besides the selection ("by", "speed_kph").
std::vector<std::uint32_t> selectLinks(const sim::Intervention& intervention, const city::CityModel& city,
                                       std::uint64_t seed, const std::string& extraKey) {
  const ValueReader reader(intervention.parameters, intervention.sourceFile, "", intervention.line);
  reader.allow("kind");
  (void)reader.optionalString("description");
  if (!extraKey.empty()) reader.allow(extraKey);
  const sim::EntitySelector selector = sim::EntitySelector::parse(reader, city::Layer::RoadLink);
  reader.rejectUnknownKeys("kind, description, id, ids, where, area, fraction, all" +
                           (extraKey.empty() ? std::string() : ", " + extraKey));
  return selector.resolve(city, seed);
}

// Seconds after midnight of an ISO 8601 date-time ("2026-07-01T07:00:00Z"), read as the clock time
// written (the scenario's local time); 0 when it carries none.
double clockSeconds(const std::string& iso8601) {
  const std::size_t t = iso8601.find('T');
  if (t == std::string::npos || iso8601.size() < t + 6) return 0.0;
  auto digits = [&](std::size_t at) {
    const char a = iso8601[at], b = iso8601[at + 1];
    return (a >= '0' && a <= '9' && b >= '0' && b <= '9') ? (a - '0') * 10 + (b - '0') : -1;
  };
  const int hour = digits(t + 1), minute = digits(t + 4);
  const int second = iso8601.size() >= t + 9 ? digits(t + 7) : 0;
  if (hour < 0 || minute < 0) return 0.0;
  return hour * 3600.0 + minute * 60.0 + std::max(second, 0);
}

struct OdRow {
  std::int32_t origin = 0, destination = 0;
  double trips = 0.0, start = 0.0, end = 3600.0;
};

// CSV: origin,destination,trips,depart_start_s,depart_end_s with RoadNode ids; '#' starts a comment.
std::vector<OdRow> readOdTable(const std::filesystem::path& path, const city::RoadNetwork& roads) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open OD table '" + path.string() + "'");
  std::map<std::string, std::int32_t> nodeById;
  for (std::size_t i = 0; i < roads.nodes.size(); ++i)
    nodeById.emplace(roads.nodes[i].id, static_cast<std::int32_t>(i));
  std::vector<OdRow> rows;
  std::string line;
  std::size_t lineNumber = 0;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.empty() || line[0] == '#' || line.rfind("origin", 0) == 0) continue;
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, ',')) fields.push_back(field);
    if (fields.size() != 5)
      throw InputError({path.string(), lineNumber, ""},
                       "expected origin,destination,trips,depart_start_s,depart_end_s");
    OdRow row;
    const char* names[2] = {"origin", "destination"};
    for (int k = 0; k < 2; ++k) {
      const auto it = nodeById.find(fields[k]);
      if (it == nodeById.end())
        throw InputError({path.string(), lineNumber, names[k]}, "unknown road node '" + fields[k] + "'");
      (k == 0 ? row.origin : row.destination) = it->second;
    }
    const char* numberNames[3] = {"trips", "depart_start_s", "depart_end_s"};
    double values[3];
    for (int k = 0; k < 3; ++k) {
      char* end = nullptr;
      values[k] = std::strtod(fields[2 + k].c_str(), &end);
      if (end == fields[2 + k].c_str() || values[k] < 0)
        throw InputError({path.string(), lineNumber, numberNames[k]}, "expected a non-negative number");
    }
    if (values[2] < values[1])
      throw InputError({path.string(), lineNumber, "depart_end_s"}, "ends before it starts");
    row.trips = values[0];
    row.start = values[1];
    row.end = values[2];
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

struct TrafficModel::Settings {
  double timeStep = 0.5;
  double closureDepth = 0.3;
  double demandScale = 1.0;
  double calibrationFactor = 1.0;  // observed flows / the demand's free-flow flows on observed links
};

TrafficModel::TrafficModel() : settings_(std::make_unique<Settings>()) {}
TrafficModel::~TrafficModel() = default;

sim::ModelDescription TrafficModel::describe() const {
  sim::ModelDescription description;
  description.name = "traffic";
  // Traffic runs alone too: without flood depths no road floods, without live flows nothing calibrates.
  description.reads = {{city::columns::kRoadLinkFloodDepth, sim::ReadNeed::Optional},
                       {city::columns::kRoadLinkClosed, sim::ReadNeed::Optional},
                       {city::columns::kRoadLinkObservedFlow, sim::ReadNeed::Optional}};
  description.writes = {city::columns::kRoadLinkClosed, city::columns::kRoadLinkFlow,
                        city::columns::kRoadLinkMeanSpeed};
  description.writtenValues = sim::WrittenValues::ForStep;  // closures, flows and speeds of [t, t + dt)
  description.preferredStep = sim::kMinute;
  description.canSnapshot = true;
  description.interventionKinds = {"close_road", "reduce_lanes", "change_speed_limit", "scale_demand"};
  description.kpis = trafficKpiDefinitions();
  return description;
}

void TrafficModel::initialise(const sim::ModelContext& context, city::CityState& state) {
  const ValueReader p(context.parameters, context.scenarioFile);
  for (const std::string& key : context.parameters.keys()) {
    if (std::find(std::begin(kKnownKeys), std::end(kKnownKeys), key) == std::end(kKnownKeys))
      p.fail(key, "unknown [traffic] key");
  }
  Settings& s = *settings_;
  s.timeStep = numberOr(p, "time_step_s", 0.5, 0.05, 2.0);
  s.closureDepth = numberOr(p, "flood_closure_depth_m", 0.3, 0.0, 100.0);
  s.demandScale = numberOr(p, "demand_scale", 1.0, 0.0, 100.0);
  std::string routing = "dynamic_equilibrium";
  if (const Value* node = p.node("routing")) {
    const std::optional<std::string> value = node->toText();
    if (!value || (*value != "free_flow" && *value != "assignment" && *value != "dynamic_equilibrium"))
      p.fail("routing", "expected \"dynamic_equilibrium\", \"free_flow\" or \"assignment\"");
    routing = *value;
  }
  const int equilibriumIterations = static_cast<int>(numberOr(p, "equilibrium_iterations", 6.0, 1.0, 100.0));
  const double equilibriumGap = numberOr(p, "equilibrium_gap", 0.02, 0.0, 1.0);
  const double reroutePeriod = numberOr(p, "reroute_period_s", 120.0, 0.0, 86400.0);
  const double timeToImpatience = numberOr(p, "time_to_impatience_s", 0.0, 0.0, 86400.0);
  bool calibrate = true;
  if (const Value* node = p.node("calibrate_to_observed_flows")) {
    const std::optional<bool> value = node->toBoolean();
    if (!value) p.fail("calibrate_to_observed_flows", "expected true or false");
    calibrate = *value;
  }
  ResultRecorder::Intervals intervals;
  intervals.vehiclesS = numberOr(p, "vehicle_output_interval", 10.0, 0.0, 1e7);
  intervals.linksS = numberOr(p, "link_output_interval", 300.0, 0.0, 1e7);
  CitySignalTiming timing;
  timing.greenS = numberOr(p, "signal_green_s", 27.0, 1.0, 600.0);
  timing.amberS = numberOr(p, "signal_amber_s", 3.0, 0.0, 60.0);
  VehicleType car;
  car.idm.desiredSpeed = numberOr(p, "max_speed_kph", 120.0, 5.0, 300.0) / 3.6;
  car.idm.timeHeadway = numberOr(p, "idm_time_headway_s", 1.6, 0.1, 10.0);
  car.idm.minimumGap = numberOr(p, "idm_minimum_gap_m", 2.0, 0.1, 20.0);
  car.idm.acceleration = numberOr(p, "idm_acceleration_mps2", 0.73, 0.1, 10.0);
  car.idm.comfortableDeceleration = numberOr(p, "idm_deceleration_mps2", 1.67, 0.1, 10.0);
  car.idm.length = numberOr(p, "vehicle_length_m", 5.0, 1.0, 30.0);

  const city::RoadNetwork& roads = context.city.roads;
  roadCount_ = roads.links.size();
  MicroNetwork network = buildCityNetwork(roads, timing);
  closedByIntervention_.assign(roadCount_, 0);
  for (const sim::Intervention& intervention : context.interventions) {
    if (intervention.kind == "scale_demand") {
      const Value* factor = intervention.parameters.find("factor");
      const std::optional<double> value = factor ? factor->toNumber() : std::nullopt;
      if (!value || *value < 0)
        throw InputError(intervention.locationOf("factor"), "expected a non-negative factor");
      s.demandScale *= *value;
      continue;
    }
    const std::string extraKey = intervention.kind == "reduce_lanes"         ? "by"
                                 : intervention.kind == "change_speed_limit" ? "speed_kph"
                                                                             : "";
    const std::vector<std::uint32_t> links = selectLinks(intervention, context.city, context.seed, extraKey);
    if (intervention.kind == "close_road") {
      for (std::uint32_t l : links) closedByIntervention_[l] = 1;
    } else if (intervention.kind == "reduce_lanes") {
      const Value* by = intervention.parameters.find("by");
      const std::optional<std::int64_t> count = by ? by->toInteger() : std::optional<std::int64_t>(1);
      if (!count || *count < 0)
        throw InputError(intervention.locationOf("by"), "expected a non-negative lane count");
      for (std::uint32_t l : links)
        network.links[l].lanes = std::max(1, network.links[l].lanes - static_cast<int>(*count));
    } else if (intervention.kind == "change_speed_limit") {
      const Value* speed = intervention.parameters.find("speed_kph");
      const std::optional<double> value = speed ? speed->toNumber() : std::nullopt;
      if (!value || *value < 5.0)
        throw InputError(intervention.locationOf("speed_kph"), "expected a speed of at least 5 km/h");
      for (std::uint32_t l : links) network.links[l].speedLimit = *value / 3.6;
    } else {
      throw InputError(intervention.locationOf("kind"),
                       "traffic does not handle '" + intervention.kind + "'");
    }
  }
  // Trips start and end on the largest strongly connected part of the intact network (closures of a
  // variant must not move the demand): between two of its links there is always a route.
  const std::vector<std::uint8_t> connected = largestStronglyConnectedLinks(network);
  for (std::size_t l = 0; l < roadCount_; ++l) network.links[l].closed = closedByIntervention_[l] != 0;

  // Demand: node-to-node trips, from an OD table or from building uses.
  std::vector<GeneratedTrip> trips;
  if (const Value* od = p.node("od_file")) {
    const std::optional<std::string> name = od->toText();
    if (!name) p.fail("od_file", "expected a file name");
    std::filesystem::path path = *name;
    if (path.is_relative()) path = context.scenarioDirectory / path;
    SplitMix64 random(context.seed);
    auto uniform = [&random] { return random.uniform(); };
    for (const OdRow& row : readOdTable(path, roads)) {
      const double expected = row.trips * s.demandScale;
      auto count = static_cast<long>(std::floor(expected));
      if (uniform() < expected - static_cast<double>(count)) ++count;
      for (long k = 0; k < count; ++k)
        trips.push_back({row.origin, row.destination, row.start + uniform() * (row.end - row.start)});
    }
  } else {
    BuildingDemandOptions demand;
    demand.tripsPer100M2 = numberOr(p, "trips_per_100m2", 0.5, 0.0, 100.0);
    demand.workShare = numberOr(p, "work_share", 0.6, 0.0, 1.0);
    demand.shopShare = numberOr(p, "shop_share", 0.25, 0.0, 1.0);
    demand.schoolShare = numberOr(p, "school_share", 0.15, 0.0, 1.0);
    demand.startS = numberOr(p, "demand_start_s", 0.0, 0.0, 1e7);
    demand.durationS = numberOr(p, "demand_duration_s", 7200.0, 1.0, 1e7);
    std::string profile = "weekday";
    if (const Value* node = p.node("departure_profile")) {
      const std::optional<std::string> value = node->toText();
      if (!value || (*value != "weekday" && *value != "uniform"))
        p.fail("departure_profile", "expected \"weekday\" or \"uniform\"");
      profile = *value;
    }
    if (profile == "weekday") demand.startClockS = clockSeconds(context.startIso8601) + demand.startS;
    demand.scale = s.demandScale;
    demand.seed = context.seed;
    demand.usableLinks = connected;
    trips = generateBuildingDemand(context.city, demand);
  }

  MicrosimulationOptions simulationOptions{s.timeStep, 4.0, 30.0};
  simulationOptions.reroutePeriodS = reroutePeriod;
  simulationOptions.timeToImpatienceS = timeToImpatience;
  simulation_ =
      std::make_unique<Microsimulation>(std::move(network), std::vector<VehicleType>{car}, simulationOptions);
  const auto outgoing = roads.outgoingLinks();
  const auto incoming = roads.incomingLinks();
  auto anyConnected = [&](const std::vector<std::uint32_t>& links) {
    return std::any_of(links.begin(), links.end(), [&](std::uint32_t l) { return connected[l] != 0; });
  };
  unroutable_ = 0;
  trips_.clear();
  trips_.reserve(trips.size());
  std::map<std::pair<std::int32_t, std::int32_t>, std::optional<std::vector<std::int32_t>>> routes;
  std::vector<std::optional<std::vector<std::int32_t>>> fastest(trips.size());
  {
    // The routes the loop below compares, from one search per origin link to all the destination links
    // its trips need (in parallel; each search on its own, so the routes do not depend on the threads).
    std::map<std::int32_t, std::vector<std::int32_t>> targets;
    for (const GeneratedTrip& trip : trips) {
      const bool originConnected = anyConnected(outgoing[trip.originNode]);
      const bool destinationConnected = anyConnected(incoming[trip.destinationNode]);
      for (std::uint32_t out : outgoing[trip.originNode]) {
        if (simulation_->network().links[out].closed || (originConnected && !connected[out])) continue;
        auto& to = targets[static_cast<std::int32_t>(out)];
        for (std::uint32_t in : incoming[trip.destinationNode])
          if (!simulation_->network().links[in].closed && (!destinationConnected || connected[in]))
            to.push_back(static_cast<std::int32_t>(in));
      }
    }
    std::vector<std::pair<std::int32_t, std::vector<std::int32_t>>> searches(targets.begin(), targets.end());
    targets.clear();
    for (auto& [out, to] : searches) {
      std::sort(to.begin(), to.end());
      to.erase(std::unique(to.begin(), to.end()), to.end());
    }
    std::vector<std::vector<std::optional<std::vector<std::int32_t>>>> found(searches.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, searches.size(), 16),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        for (std::size_t i = range.begin(); i < range.end(); ++i)
                          found[i] = simulation_->fastestRoutes(searches[i].first, searches[i].second);
                      });
    for (std::size_t i = 0; i < searches.size(); ++i)
      for (std::size_t k = 0; k < searches[i].second.size(); ++k) {
        auto& route = found[i][k];
        if (route)
          route->insert(route->begin(), searches[i].first);
        else
          route = std::vector<std::int32_t>{};  // remembered as unroutable
        routes[{searches[i].first, searches[i].second[k]}] = std::move(route);
      }
  }
  double firstDeparture = 0.0, lastDeparture = 0.0;
  for (std::size_t k = 0; k < trips.size(); ++k) {
    const GeneratedTrip& trip = trips[k];
    firstDeparture = k == 0 ? trip.departS : std::min(firstDeparture, trip.departS);
    lastDeparture = std::max(lastDeparture, trip.departS);
    // Start on the origin's open outgoing link and end on the destination's open incoming link that give
    // the fastest route (first found on ties).
    // Links of the connected component only, where the node has any (an OD table may name others).
    std::optional<std::vector<std::int32_t>>& best = fastest[k];
    double bestTime = 0.0;
    const bool originConnected = anyConnected(outgoing[trip.originNode]);
    const bool destinationConnected = anyConnected(incoming[trip.destinationNode]);
    for (std::uint32_t out : outgoing[trip.originNode]) {
      if (simulation_->network().links[out].closed || (originConnected && !connected[out])) continue;
      for (std::uint32_t in : incoming[trip.destinationNode]) {
        if (simulation_->network().links[in].closed || (destinationConnected && !connected[in])) continue;
        auto& cached = routes[{static_cast<std::int32_t>(out), static_cast<std::int32_t>(in)}];
        if (!cached) {
          cached = simulation_->fastestRoute(static_cast<std::int32_t>(out), static_cast<std::int32_t>(in));
          if (cached)
            cached->insert(cached->begin(), static_cast<std::int32_t>(out));
          else
            cached = std::vector<std::int32_t>{};  // remembered as unroutable
        }
        if (cached->empty()) continue;
        double time = 0.0;
        for (std::int32_t link : *cached)
          time += simulation_->network().links[link].lengthM / simulation_->network().links[link].speedLimit;
        if (!best || time < bestTime) {
          best = *cached;
          bestTime = time;
        }
      }
    }
  }
  routes.clear();
  // Hourly rates over the departure window (at least 15 minutes, so a burst is not taken for a flood).
  const double window = std::max(lastDeparture - firstDeparture, 900.0);
  // Observed flows (e.g. from the live context) calibrate the demand: trips are thinned or repeated so the
  // demand's flows on the observed links match what was observed there in total.
  s.calibrationFactor = 1.0;
  if (calibrate && state.has(city::columns::kRoadLinkObservedFlow)) {
    s.calibrationFactor =
        observedFlowFactor(fastest, window, state.column(city::columns::kRoadLinkObservedFlow));
    if (s.calibrationFactor != 1.0) {
      std::vector<GeneratedTrip> calibrated;
      std::vector<std::optional<std::vector<std::int32_t>>> calibratedRoutes;
      std::size_t previous = trips.size();
      double copy = 0.0;
      for (std::size_t k : resampleTrips(trips.size(), s.calibrationFactor, context.seed ^ 0xCA11B8A7EULL)) {
        copy = k == previous ? copy + 1.0 : 0.0;  // repeated trips leave a second apart
        previous = k;
        calibrated.push_back(trips[k]);
        calibrated.back().departS += copy;
        calibratedRoutes.push_back(fastest[k]);
      }
      trips = std::move(calibrated);
      fastest = std::move(calibratedRoutes);
    }
  }
  std::unique_ptr<AssignmentRoutes> assigned;
  if (routing == "assignment") {
    std::vector<AssignmentRoutes::Demand> demand;
    for (std::size_t k = 0; k < trips.size(); ++k)
      if (fastest[k]) demand.push_back({trips[k].originNode, trips[k].destinationNode, 3600.0 / window});
    std::vector<double> capacity(roadCount_);
    for (std::size_t l = 0; l < roadCount_; ++l)  // lanes removed by interventions remove their share
      capacity[l] = roads.links[l].capacityVehPerHour * simulation_->network().links[l].lanes /
                    std::max(1, roads.links[l].lanes);
    assigned = std::make_unique<AssignmentRoutes>(simulation_->network(), capacity, demand);
  }
  auto drivable = [&](const std::vector<std::int32_t>& route) {
    for (std::size_t i = 1; i < route.size(); ++i)
      if (!simulation_->network().movement(route[i - 1], route[i])) return false;
    return !route.empty();
  };
  const std::vector<double> intactFreeFlow = freeFlowWithoutClosures(trips, fastest, outgoing, incoming);
  unrouted_.clear();
  std::vector<TripRequest> requests;
  for (std::size_t k = 0; k < trips.size(); ++k) {
    const GeneratedTrip& trip = trips[k];
    trips_.push_back({trip.originNode, trip.destinationNode, trip.departS, -1});
    if (!fastest[k]) {
      ++unroutable_;
      unrouted_.push_back({trip.departS, intactFreeFlow[k]});
      continue;
    }
    std::vector<std::int32_t> route = std::move(*fastest[k]);
    if (assigned) {
      auto drawn = assigned->draw(trip.originNode, trip.destinationNode, context.seed * 0x100000001B3ULL + k);
      if (drawn && drivable(*drawn)) route = std::move(*drawn);
    }
    trips_.back().simulated = static_cast<std::int32_t>(requests.size());
    requests.push_back({"trip" + std::to_string(k), std::move(route), trip.departS, 0});
  }
  routeGap_ = 0.0;
  if (routing == "dynamic_equilibrium") {
    DynamicEquilibriumOptions equilibrium;
    equilibrium.maxIterations = equilibriumIterations;
    equilibrium.targetRelativeGap = equilibriumGap;
    // The run's end; a context without one (a model driven step by step) gets the last departure + 30 min.
    equilibrium.endS = context.end > 0 ? sim::toSeconds(context.end) : lastDeparture + 1800.0;
    equilibrium.seed = context.seed ^ 0xD0E1757EULL;
    routeGap_ =
        iterateDynamicEquilibrium(simulation_->network(), {car}, simulationOptions, requests, equilibrium)
            .relativeGap;
  }
  for (TripRequest& request : requests) simulation_->addTrip(std::move(request));
  nodeIds_.clear();
  nodeIds_.reserve(roads.nodes.size());
  for (const city::RoadNode& node : roads.nodes) nodeIds_.push_back(node.id);
  linkIds_.clear();
  for (const city::RoadLink& link : roads.links) linkIds_.push_back(link.id);
  recorder_ = std::make_unique<ResultRecorder>(roads, intervals);
  state.column(city::columns::kRoadLinkClosed, 0.0);
  state.column(city::columns::kRoadLinkFlow, 0.0);
  state.column(city::columns::kRoadLinkMeanSpeed, 0.0);
}

std::vector<double> TrafficModel::freeFlowWithoutClosures(
    const std::vector<GeneratedTrip>& trips,
    const std::vector<std::optional<std::vector<std::int32_t>>>& fastest,
    const std::vector<std::vector<std::uint32_t>>& outgoing,
    const std::vector<std::vector<std::uint32_t>>& incoming) {
  std::vector<double> freeFlow(trips.size(), 0.0);
  if (std::all_of(fastest.begin(), fastest.end(), [](const auto& route) { return route.has_value(); }))
    return freeFlow;
  // Opening a link only flips its flag, and closing it again reroutes nothing: no trip is loaded yet.
  std::vector<std::int32_t> reopened;
  for (std::size_t l = 0; l < roadCount_; ++l) {
    if (!simulation_->network().links[l].closed) continue;
    reopened.push_back(static_cast<std::int32_t>(l));
    simulation_->setClosed(static_cast<std::int32_t>(l), false);
  }
  std::map<std::pair<std::int32_t, std::int32_t>, double> byNodes;
  for (std::size_t k = 0; k < trips.size(); ++k) {
    if (fastest[k]) continue;
    const auto key = std::make_pair(trips[k].originNode, trips[k].destinationNode);
    const auto known = byNodes.find(key);
    if (known != byNodes.end()) {
      freeFlow[k] = known->second;
      continue;
    }
    double best = 0.0;
    for (std::uint32_t out : outgoing[static_cast<std::size_t>(key.first)])
      for (std::uint32_t in : incoming[static_cast<std::size_t>(key.second)]) {
        const auto route =
            simulation_->fastestRoute(static_cast<std::int32_t>(out), static_cast<std::int32_t>(in));
        if (!route) continue;
        double time = simulation_->freeFlowSeconds(static_cast<std::int32_t>(out));
        for (std::int32_t link : *route) time += simulation_->freeFlowSeconds(link);
        if (best == 0.0 || time < best) best = time;
      }
    byNodes.emplace(key, best);
    freeFlow[k] = best;
  }
  for (std::int32_t link : reopened) simulation_->setClosed(link, true);
  return freeFlow;
}

const Microsimulation& TrafficModel::simulation() const {
  if (!simulation_) throw Error("traffic model used before initialise()");
  return *simulation_;
}

void TrafficModel::step(sim::SimTime t, sim::SimTime dt, const city::CityState& published,
                        city::CityState& staged) {
  if (!simulation_) throw Error("traffic model stepped before initialise()");
  const bool hasDepth = published.has(city::columns::kRoadLinkFloodDepth);
  const bool hasClosed = published.has(city::columns::kRoadLinkClosed);
  const std::vector<double>* depth =
      hasDepth ? &published.column(city::columns::kRoadLinkFloodDepth) : nullptr;
  const std::vector<double>* closedColumn =
      hasClosed ? &published.column(city::columns::kRoadLinkClosed) : nullptr;
  std::vector<double>& closedOut = staged.column(city::columns::kRoadLinkClosed, 0.0);
  for (std::size_t l = 0; l < roadCount_; ++l) {
    const bool flooded = depth && (*depth)[l] > settings_->closureDepth;
    const bool wasClosed = closedColumn && (*closedColumn)[l] >= 0.5;
    const bool closed = closedByIntervention_[l] || flooded || wasClosed;
    if (flooded && !wasClosed && !closedByIntervention_[l]) {
      char text[96];
      std::snprintf(text, sizeof text, " (%.2f m of water, closure depth %.2f m)", (*depth)[l],
                    settings_->closureDepth);
      events_.push_back({t, "", "road_closed", linkIds_[l], "road closed by flood: " + linkIds_[l] + text});
    }
    simulation_->setClosed(static_cast<std::int32_t>(l), closed);
    closedOut[l] = closed ? 1.0 : 0.0;
  }
  simulation_->resetLinkCounters();
  const double end = sim::toSeconds(t + dt);
  while (simulation_->time() + 1e-9 < end) {
    simulation_->step();
    recorder_->record(*simulation_);
  }
  std::vector<double>& flow = staged.column(city::columns::kRoadLinkFlow, 0.0);
  std::vector<double>& speed = staged.column(city::columns::kRoadLinkMeanSpeed, 0.0);
  const double hours = sim::toSeconds(dt) / 3600.0;
  const auto& counters = simulation_->linkCounters();
  for (std::size_t l = 0; l < roadCount_; ++l) {
    flow[l] = hours > 0 ? static_cast<double>(counters[l].exits) / hours : 0.0;
    speed[l] = counters[l].vehicleSeconds > 0 ? counters[l].metres / counters[l].vehicleSeconds * 3.6
                                              : simulation_->network().links[l].speedLimit * 3.6;
  }
}

std::vector<sim::Event> TrafficModel::takeEvents() {
  return std::exchange(events_, {});
}

sim::Kpis TrafficModel::kpis() const {
  sim::Kpis kpis;
  if (!simulation_) return kpis;
  const TripStatistics stats = summariseTrips(simulation_->trips());
  const TripCosts costs =
      chargeTrips(simulation_->trips(), simulation_->remainingFreeFlowS(), unrouted_, simulation_->time());
  kpis["vehicle_hours_travelled"] = simulation_->vehicleSecondsTravelled() / 3600.0;
  kpis["vehicle_hours_delay"] = costs.delayS / 3600.0;
  kpis["trips_not_completed"] = static_cast<double>(stats.trips - stats.arrived + unroutable_);
  kpis["mean_travel_time_s"] =
      costs.requested > 0 ? costs.chargedTimeS / static_cast<double>(costs.requested) : 0.0;
  kpis["trip_completion_rate"] =
      costs.requested > 0 ? static_cast<double>(costs.arrived) / static_cast<double>(costs.requested) : 1.0;
  kpis["trips"] = static_cast<double>(stats.trips + unroutable_);
  kpis["trips_stranded"] = static_cast<double>(stats.stranded + unroutable_);
  kpis["jam_teleports"] = static_cast<double>(simulation_->jamTeleports());
  kpis["demand_calibration_factor"] = settings_->calibrationFactor;
  kpis["route_relative_gap"] = routeGap_;
  return kpis;
}

void TrafficModel::writeOutputs(const std::filesystem::path& directory) const {
  if (!simulation_) return;
  const std::filesystem::path folder = directory / "traffic";
  std::filesystem::create_directories(folder);
  recorder_->write(folder);
  writeTripTable(folder / "trips.csv", trips_, simulation_->trips(), nodeIds_);
}

// The simulation's bytes behind their length, then the recorder's.
std::vector<std::uint8_t> TrafficModel::snapshot() const {
  if (!simulation_) throw Error("traffic model snapshot before initialise()");
  ByteWriter out;
  out.putVector(simulation_->snapshot());
  recorder_->appendSnapshot(out);
  return std::move(out.bytes);
}

void TrafficModel::restore(std::span<const std::uint8_t> bytes) {
  if (!simulation_) throw Error("traffic model restored before initialise()");
  ByteReader in(bytes, "traffic snapshot");
  simulation_->restore(in.getVector<std::uint8_t>());
  recorder_->restore(in);
}

}  // namespace citytwin::traffic
