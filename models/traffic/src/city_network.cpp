#include "citytwin/traffic/city_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "citytwin/core/splitmix64.hpp"
#include "citytwin/traffic/departure_profile.hpp"

namespace citytwin::traffic {

int roadPriority(const std::string& highwayClass) {
  static const std::map<std::string, int, std::less<>> ranks = {
      {"motorway", 10}, {"motorway_link", 9}, {"trunk", 9},        {"trunk_link", 8},  {"primary", 8},
      {"primary_link", 7}, {"secondary", 7},  {"secondary_link", 6}, {"tertiary", 6}, {"tertiary_link", 5},
      {"unclassified", 4}, {"residential", 3}, {"living_street", 2}, {"service", 1}};
  const auto it = ranks.find(highwayClass);
  return it == ranks.end() ? 2 : it->second;
}

int approachPriority(const city::RoadLink& road) {
  // Circulating traffic on a roundabout goes first, whatever the class of the roads entering it.
  if (road.junction == "roundabout" || road.junction == "circular")
    return roadPriority(road.highwayClass) + 100;
  // A stop or give-way sign at the link's end: it gives way to every unsigned approach (and, among signed
  // approaches, class still orders them).
  if (road.endSign == "stop" || road.endSign == "give_way") return roadPriority(road.highwayClass) - 100;
  return roadPriority(road.highwayClass);
}

MicroNetwork buildCityNetwork(const city::RoadNetwork& roads, const CitySignalTiming& timing) {
  MicroNetwork network;
  network.nodeCount = static_cast<int>(roads.nodes.size());
  for (const city::RoadLink& road : roads.links) {
    MicroLink link;
    link.id = road.id;
    link.from = static_cast<std::int32_t>(road.from);
    link.to = static_cast<std::int32_t>(road.to);
    link.lengthM = std::max(road.lengthM, 1.0);
    link.speedLimit = std::max(road.speedLimitKph, 5.0) / 3.6;
    link.lanes = std::max(1, road.lanes);
    link.priority = approachPriority(road);
    network.links.push_back(std::move(link));
  }
  const auto outgoing = roads.outgoingLinks();
  const auto incoming = roads.incomingLinks();
  for (std::size_t node = 0; node < roads.nodes.size(); ++node) {
    std::vector<std::pair<std::int32_t, std::int32_t>> turns;
    for (std::uint32_t in : incoming[node]) {
      bool any = false;
      for (std::uint32_t out : outgoing[node])
        if (roads.links[out].to != roads.links[in].from || outgoing[node].size() == 1) {
          turns.emplace_back(in, out);
          any = true;
        }
      if (!any)
        for (std::uint32_t out : outgoing[node]) turns.emplace_back(in, out);
    }
    std::int32_t signal = -1;
    std::vector<int> phaseOf(incoming[node].size(), 0);
    if (roads.nodes[node].trafficSignals && incoming[node].size() > 1) {
      // Split approaches by heading: mostly north-south (0) or mostly east-west (1).
      bool bothPhases[2] = {false, false};
      for (std::size_t k = 0; k < incoming[node].size(); ++k) {
        const city::RoadLink& road = roads.links[incoming[node][k]];
        const geo::Vec2 a = roads.nodes[road.from].position, b = roads.nodes[road.to].position;
        phaseOf[k] = std::abs(b.y - a.y) >= std::abs(b.x - a.x) ? 0 : 1;
        bothPhases[phaseOf[k]] = true;
      }
      if (bothPhases[0] && bothPhases[1]) {
        signal = static_cast<std::int32_t>(network.signals.size());
        network.signals.emplace_back();
      }
    }
    std::string green[2], amber[2], red;
    for (std::size_t t = 0; t < turns.size(); ++t) {
      Movement movement;
      movement.fromLink = turns[t].first;
      movement.toLink = turns[t].second;
      if (signal >= 0) {
        const auto k = static_cast<std::size_t>(
            std::find(incoming[node].begin(), incoming[node].end(), static_cast<std::uint32_t>(turns[t].first)) -
            incoming[node].begin());
        movement.signal = signal;
        movement.signalIndex = static_cast<std::int32_t>(t);
        for (int p = 0; p < 2; ++p) {
          green[p] += phaseOf[k] == p ? 'G' : 'r';
          amber[p] += phaseOf[k] == p ? 'y' : 'r';
        }
      }
      network.movements.push_back(movement);
    }
    if (signal >= 0) {
      SignalProgram& program = network.signals[signal];
      program.phases = {{timing.greenS, green[0]}, {timing.amberS, amber[0]}, {timing.greenS, green[1]}, {timing.amberS, amber[1]}};
    }
  }
  network.finalise();
  return network;
}

namespace {

using Random = SplitMix64;

struct WeightedPicker {
  std::vector<std::size_t> items;
  std::vector<double> cumulative;
  void add(std::size_t item, double weight) {
    items.push_back(item);
    cumulative.push_back((cumulative.empty() ? 0.0 : cumulative.back()) + weight);
  }
  bool empty() const { return items.empty() || cumulative.back() <= 0.0; }
  std::size_t pick(Random& random) const {
    const double target = random.uniform() * cumulative.back();
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
    return items[std::min<std::size_t>(static_cast<std::size_t>(it - cumulative.begin()), items.size() - 1)];
  }
};

}  // namespace

std::vector<GeneratedTrip> generateBuildingDemand(const city::CityModel& city, const BuildingDemandOptions& options) {
  std::vector<GeneratedTrip> trips;
  const auto& roads = city.roads;
  if (roads.nodes.empty() || city.buildings.empty()) return trips;
  const auto outgoing = roads.outgoingLinks();
  const auto incoming = roads.incomingLinks();
  // Buildings attach to the nearest node that can both send and receive traffic.
  std::vector<std::size_t> usable;
  auto anyUsable = [&](const std::vector<std::uint32_t>& links) {
    if (options.usableLinks.empty()) return !links.empty();
    return std::any_of(links.begin(), links.end(),
                       [&](std::uint32_t l) { return options.usableLinks[l] != 0; });
  };
  for (std::size_t n = 0; n < roads.nodes.size(); ++n)
    if (anyUsable(outgoing[n]) && anyUsable(incoming[n])) usable.push_back(n);
  if (usable.empty()) return trips;
  auto nearestNode = [&](geo::Vec2 p) {
    std::size_t best = usable.front();
    double bestDistance = std::numeric_limits<double>::infinity();
    for (std::size_t n : usable) {
      const double d = geo::distance(p, roads.nodes[n].position);
      if (d < bestDistance) {
        bestDistance = d;
        best = n;
      }
    }
    return static_cast<std::int32_t>(best);
  };
  WeightedPicker work, shops, schools;
  std::vector<std::int32_t> nodeOf(city.buildings.size(), -1);
  for (std::size_t b = 0; b < city.buildings.size(); ++b) {
    const city::Building& building = city.buildings[b];
    const double area = building.grossFloorAreaM2();
    switch (building.use) {
      case city::BuildingUse::Office:
      case city::BuildingUse::Commercial:
      case city::BuildingUse::Industrial:
        work.add(b, area);
        break;
      case city::BuildingUse::Retail:
        shops.add(b, area);
        break;
      case city::BuildingUse::Education:
        schools.add(b, area);
        break;
      default:
        break;
    }
  }
  double shares[3] = {work.empty() ? 0.0 : options.workShare, shops.empty() ? 0.0 : options.shopShare,
                      schools.empty() ? 0.0 : options.schoolShare};
  const double shareSum = shares[0] + shares[1] + shares[2];
  if (shareSum <= 0.0) return trips;
  const WeightedPicker* pickers[3] = {&work, &shops, &schools};
  Random random(options.seed);
  const DepartureProfile::Window profile =
      options.startClockS >= 0.0
          ? DepartureProfile::weekdayVehicleTrips().window(options.startClockS, options.durationS)
          : DepartureProfile::Window{};
  auto node = [&](std::size_t b) {
    if (nodeOf[b] < 0) nodeOf[b] = nearestNode(geo::pointOnSurface(city.buildings[b].footprint));
    return nodeOf[b];
  };
  for (std::size_t b = 0; b < city.buildings.size(); ++b) {
    const city::Building& home = city.buildings[b];
    if (home.use != city::BuildingUse::Residential) continue;
    const double expected = home.grossFloorAreaM2() / 100.0 * options.tripsPer100M2 * options.scale;
    auto count = static_cast<long>(std::floor(expected));
    if (random.uniform() < expected - static_cast<double>(count)) ++count;
    for (long k = 0; k < count; ++k) {
      double choice = random.uniform() * shareSum;
      int category = 0;
      while (category < 2 && choice >= shares[category]) choice -= shares[category++];
      while (pickers[category]->empty()) category = (category + 1) % 3;  // rounding at the last boundary
      const std::size_t destination = pickers[category]->pick(random);
      GeneratedTrip trip;
      trip.originNode = node(b);
      trip.destinationNode = node(destination);
      if (profile.cumulative.empty()) {
        trip.departS = options.startS + random.uniform() * options.durationS;
      } else {
        const double u = random.uniform();
        trip.departS = options.startS + profile.sample(u, random.uniform());
      }
      if (trip.originNode != trip.destinationNode) trips.push_back(trip);
    }
  }
  return trips;
}

}  // namespace citytwin::traffic
