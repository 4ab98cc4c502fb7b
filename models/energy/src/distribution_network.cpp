#include "citytwin/energy/distribution_network.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <numeric>

#include "citytwin/core/error.hpp"
#include "citytwin/geo/geometry.hpp"
#include "citytwin/geo/spatial_index.hpp"

namespace citytwin::energy {
namespace {

// Distance along a polyline of the point's projection onto it.
double distanceAlong(const geo::Polyline& line, geo::Vec2 p) {
  double best = 1e300, along = 0, walked = 0;
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    const geo::Vec2 a = line[i], b = line[i + 1];
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    const double u = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
    const double qx = a.x + u * dx - p.x, qy = a.y + u * dy - p.y;
    const double d2 = qx * qx + qy * qy;
    const double len = std::sqrt(len2);
    if (d2 < best) {
      best = d2;
      along = walked + u * len;
    }
    walked += len;
  }
  return along;
}

int addBus(AcNetwork& net, BusRole role) {
  net.roles.push_back(role);
  net.shunt.emplace_back(0.0, 0.0);
  net.injection.emplace_back(0.0, 0.0);
  net.voltage.emplace_back(1.0, 0.0);
  return static_cast<int>(net.roles.size() - 1);
}

// Bus 0 (the upstream grid) and bus 1 (the busbar) joined by the transformer: 1 % + j6 % on its rating.
void addTransformer(SubstationNetwork& n, double ratedMva) {
  AcNetwork& net = n.network;
  net.baseMva = kNetworkBaseMva;
  addBus(net, BusRole::Reference);
  addBus(net, BusRole::PQ);
  const double rating = ratedMva > 0 ? ratedMva : 1.0;
  net.branches.push_back(
      {0, 1, 0.01 * kNetworkBaseMva / rating, 0.06 * kNetworkBaseMva / rating, 0.0, 1.0, 0.0});
  n.branchRatingPu.push_back(rating / kNetworkBaseMva);
  n.feederOfBranch.push_back(-1);
}

std::string featureName(const NetworkFile& file, std::size_t feature, const std::string& id) {
  return file.source + ": feature " + std::to_string(feature) + (id.empty() ? "" : " (id '" + id + "')");
}

}  // namespace

std::vector<SubstationNetwork> buildDistributionNetworks(const city::CityModel& city) {
  const city::GridAssets& grid = city.grid;
  std::vector<SubstationNetwork> out(grid.substations.size());
  for (std::size_t s = 0; s < grid.substations.size(); ++s) {
    const city::Substation& sub = grid.substations[s];
    SubstationNetwork& n = out[s];
    n.id = sub.id;
    n.citySubstation = static_cast<std::int32_t>(s);
    n.floodThresholdM = sub.floodThresholdM;
    addTransformer(n, sub.ratedMva);
  }
  // Substations that feed buildings themselves head networks of their own; only the others (the generated
  // town's MV/LV substations) stand between a feeder passing through their site and the buildings nearest
  // them.
  std::vector<char> feedsBuildings(grid.substations.size(), 0);
  for (const city::Feeder& feeder : grid.feeders)
    if (feeder.substation < grid.substations.size() && !feeder.servedBuildings.empty())
      feedsBuildings[feeder.substation] = 1;
  std::map<std::pair<double, double>, std::uint32_t> substationAt;
  for (std::uint32_t k = 0; k < grid.substations.size(); ++k)
    if (!feedsBuildings[k])
      substationAt.emplace(std::make_pair(grid.substations[k].position.x, grid.substations[k].position.y), k);

  // Parents before the feeders branching off them (the input order where it already is one).
  const std::size_t feederCount = grid.feeders.size();
  std::vector<std::vector<std::uint32_t>> children(feederCount);
  std::vector<std::uint32_t> order;
  for (std::uint32_t f = 0; f < feederCount; ++f) {
    const city::Feeder& feeder = grid.feeders[f];
    if (feeder.substation == city::kNoSubstation) {
      if (!feeder.servedBuildings.empty())
        throw Error("grid: feeder " + feeder.id + " serves buildings but belongs to no substation");
      continue;
    }
    if (feeder.substation >= out.size())
      throw Error("grid: feeder " + feeder.id + " refers to substation " + std::to_string(feeder.substation) +
                  " of " + std::to_string(out.size()));
    if (feeder.parentFeeder < 0) {
      order.push_back(f);
      continue;
    }
    const auto parent = static_cast<std::size_t>(feeder.parentFeeder);
    if (parent >= feederCount || grid.feeders[parent].substation != feeder.substation)
      throw Error("grid: feeder " + feeder.id + " branches off a feeder that is not of its substation");
    children[parent].push_back(f);
  }
  for (std::size_t next = 0; next < order.size(); ++next)
    for (std::uint32_t child : children[order[next]]) order.push_back(child);
  std::size_t inTrees = 0;
  for (const city::Feeder& feeder : grid.feeders) inTrees += feeder.substation != city::kNoSubstation;
  if (order.size() != inTrees)
    throw Error("grid: the feeders' parent links form a loop (a feeder must lead back to its substation)");
  std::vector<int> startBus(feederCount, 1);  // the bus a feeder leaves from: the busbar or its junction

  for (const std::uint32_t f : order) {
    const city::Feeder& feeder = grid.feeders[f];
    SubstationNetwork& n = out[feeder.substation];
    const city::Substation& sub = grid.substations[feeder.substation];
    AcNetwork& net = n.network;
    const double kv = feeder.voltageKv > 0 ? feeder.voltageKv : (sub.secondaryKv > 0 ? sub.secondaryKv : 0.4);
    const double zBase = kv * kv / kNetworkBaseMva;
    const double r = (feeder.resistanceOhmPerKm > 0 ? feeder.resistanceOhmPerKm : 0.32) / zBase;
    const double x = (feeder.reactanceOhmPerKm > 0 ? feeder.reactanceOhmPerKm : 0.08) / zBase;
    const double amps = feeder.ratedAmps > 0 ? feeder.ratedAmps : 300.0;
    const double ratingPu = amps * std::sqrt(3.0) * kv * 1e-3 / kNetworkBaseMva;
    geo::Polyline route = feeder.route;
    if (route.size() < 2) route = {sub.position, sub.position};
    // Served buildings, and the junctions where feeders branching off this one start (building = -1 - child).
    struct Served {
      double along;
      std::int64_t building;
    };
    std::vector<Served> served;
    for (std::uint32_t b : feeder.servedBuildings) {
      if (b >= city.buildings.size())
        throw Error("grid: feeder " + feeder.id + " serves building " + std::to_string(b) + " of " +
                    std::to_string(city.buildings.size()));
      const geo::Vec2 p = geo::pointOnSurface(city.buildings[b].footprint);
      const double along = feeder.route.size() >= 2
                               ? distanceAlong(route, p) + geo::distanceToPolyline(route, p)
                               : geo::distance(sub.position, p);
      served.push_back({along, b});
    }
    for (std::uint32_t child : children[f]) {
      const geo::Polyline& childRoute = grid.feeders[child].route;
      const geo::Vec2 junction = childRoute.empty() ? route.back() : childRoute.front();
      served.push_back({distanceAlong(route, junction), -1 - static_cast<std::int64_t>(child)});
    }
    std::stable_sort(served.begin(), served.end(),
                     [](const Served& a, const Served& b) { return a.along < b.along; });
    // Substations on the route; a building depends on the nearest (ties to the lower index).
    std::vector<std::uint32_t> onRoute;
    for (const geo::Vec2& vertex : feeder.route) {
      const auto it = substationAt.find({vertex.x, vertex.y});
      if (it == substationAt.end() || it->second == feeder.substation) continue;
      if (std::find(onRoute.begin(), onRoute.end(), it->second) == onRoute.end())
        onRoute.push_back(it->second);
    }
    std::sort(onRoute.begin(), onRoute.end());
    const auto secondaryOf = [&](std::uint32_t b) {
      std::int32_t best = -1;
      double bestDistance = std::numeric_limits<double>::infinity();
      const geo::Vec2 centre = geo::bounds(city.buildings[b].footprint).centre();
      for (std::uint32_t k : onRoute) {
        const double d = geo::distance(grid.substations[k].position, centre);
        if (d < bestDistance) {
          bestDistance = d;
          best = static_cast<std::int32_t>(k);
        }
      }
      return best;
    };
    const int firstBus = startBus[f];
    int previousBus = firstBus;
    double previousAlong = 0;
    for (const Served& sv : served) {
      if (previousBus == firstBus || sv.along - previousAlong > 1.0) {
        const int bus = addBus(net, BusRole::PQ);
        const double km = std::max(sv.along - previousAlong, 1.0) * 1e-3;
        net.branches.push_back({previousBus, bus, r * km, x * km, 0.0, 1.0, 0.0});
        n.branchRatingPu.push_back(ratingPu);
        n.feederOfBranch.push_back(static_cast<std::int32_t>(f));
        previousBus = bus;
        previousAlong = sv.along;
      }
      if (sv.building < 0) {
        startBus[static_cast<std::size_t>(-1 - sv.building)] = previousBus;
        continue;
      }
      const auto b = static_cast<std::uint32_t>(sv.building);
      n.buildings.push_back(b);
      n.busOfBuilding.push_back(previousBus);
      n.secondaryOfBuilding.push_back(secondaryOf(b));
    }
  }
  return out;
}

std::vector<SubstationNetwork> buildDistributionNetworks(const NetworkFile& file, const city::CityModel& city,
                                                         double serviceRadiusM) {
  const std::size_t busCount = file.buses.size();
  std::vector<std::vector<std::size_t>> linesAt(busCount);
  for (std::size_t l = 0; l < file.lines.size(); ++l) {
    linesAt[file.lines[l].from].push_back(l);
    linesAt[file.lines[l].to].push_back(l);
  }
  std::map<std::string, std::size_t> citySubstation;
  for (std::size_t s = 0; s < city.grid.substations.size(); ++s)
    citySubstation.emplace(city.grid.substations[s].id, s);

  // Each substation's network is every bus its lines reach; one bus reached from two substations would need
  // two slack buses, which these radial distribution studies do not model.
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> networkOfBus(busCount, kNone);
  std::vector<int> indexInNetwork(busCount, -1);
  std::vector<SubstationNetwork> out;
  for (std::size_t root = 0; root < busCount; ++root) {
    const NetworkBus& sub = file.buses[root];
    if (!sub.substation) continue;
    if (networkOfBus[root] != kNone)
      throw Error(featureName(file, sub.feature, sub.id) +
                  ": substation is connected by lines to substation '" + out[networkOfBus[root]].id +
                  "'; each substation must feed a network of its own");
    const std::size_t k = out.size();
    SubstationNetwork& n = out.emplace_back();
    n.id = sub.id;
    if (const auto it = citySubstation.find(sub.id); it != citySubstation.end()) {
      n.citySubstation = static_cast<std::int32_t>(it->second);
      n.floodThresholdM = city.grid.substations[it->second].floodThresholdM;
    }
    if (sub.floodThresholdM >= 0) n.floodThresholdM = sub.floodThresholdM;
    addTransformer(n, sub.ratedMva);
    networkOfBus[root] = k;
    indexInNetwork[root] = 1;
    std::deque<std::size_t> queue{root};
    while (!queue.empty()) {
      const std::size_t bus = queue.front();
      queue.pop_front();
      for (std::size_t l : linesAt[bus]) {
        const NetworkLine& line = file.lines[l];
        const std::size_t next = line.from == bus ? line.to : line.from;
        if (networkOfBus[next] == kNone) {
          if (file.buses[next].substation)
            throw Error(featureName(file, line.feature, line.id) + ": the line joins substations '" + sub.id +
                        "' and '" + file.buses[next].id +
                        "'; each substation must feed a network of its own");
          networkOfBus[next] = k;
          indexInNetwork[next] = addBus(n.network, BusRole::PQ);
          queue.push_back(next);
        }
      }
    }
  }
  for (const NetworkBus& bus : file.buses)
    if (networkOfBus[&bus - file.buses.data()] == kNone)
      throw Error(featureName(file, bus.feature, bus.id) + ": the bus is connected to no substation");

  for (const NetworkLine& line : file.lines) {
    SubstationNetwork& n = out[networkOfBus[line.from]];
    const double kv = file.buses[line.from].kv;
    const double zBase = kv * kv / kNetworkBaseMva;
    n.network.branches.push_back({indexInNetwork[line.from], indexInNetwork[line.to], line.rOhm / zBase,
                                  line.xOhm / zBase, 0.0, 1.0, 0.0});
    n.branchRatingPu.push_back(line.ratedAmps * std::sqrt(3.0) * kv * 1e-3 / kNetworkBaseMva);
    n.feederOfBranch.push_back(-1);
  }

  // Service connections: listed ones first, then the nearest bus within the radius.
  std::map<std::string, std::uint32_t> buildingIndex;
  for (std::uint32_t b = 0; b < city.buildings.size(); ++b) buildingIndex.emplace(city.buildings[b].id, b);
  std::vector<std::size_t> busOfBuilding(city.buildings.size(), kNone);
  for (const NetworkService& service : file.services) {
    const auto it = buildingIndex.find(service.building);
    if (it == buildingIndex.end())
      throw Error(featureName(file, service.feature, "") + ", field 'building': no building '" +
                  service.building + "' in the city");
    busOfBuilding[it->second] = service.bus;
  }
  if (serviceRadiusM > 0) {
    std::vector<geo::BBox> boxes;
    for (const NetworkBus& bus : file.buses)
      boxes.push_back({bus.position.x, bus.position.y, bus.position.x, bus.position.y});
    const geo::SpatialIndex index(boxes);
    for (std::uint32_t b = 0; b < city.buildings.size(); ++b) {
      if (busOfBuilding[b] != kNone || city.buildings[b].footprint.empty()) continue;
      const geo::Vec2 p = geo::pointOnSurface(city.buildings[b].footprint);
      const std::uint32_t nearest = index.nearest(p, 1).front();
      if (geo::distance(file.buses[nearest].position, p) <= serviceRadiusM) busOfBuilding[b] = nearest;
    }
  }
  for (std::uint32_t b = 0; b < city.buildings.size(); ++b) {
    if (busOfBuilding[b] == kNone) continue;
    SubstationNetwork& n = out[networkOfBus[busOfBuilding[b]]];
    n.buildings.push_back(b);
    n.busOfBuilding.push_back(indexInNetwork[busOfBuilding[b]]);
    n.secondaryOfBuilding.push_back(-1);
  }
  return out;
}

}  // namespace citytwin::energy
