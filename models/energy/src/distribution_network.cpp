#include "citytwin/energy/distribution_network.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <numeric>

#include "citytwin/core/error.hpp"
#include "citytwin/energy/standard_types.hpp"
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

// The series impedance (p.u. on kNetworkBaseMva) and rating of a substation's transformer: its standard
// type's short-circuit voltage split into vkr and sqrt(vk^2 - vkr^2) on the rating (parallel units: the same
// per-unit values on the total rating), else 1 % + j6 % on the rating (1 MVA when unknown).
AcBranch transformerBranch(int from, int to, double ratedMva, const std::string& transformer,
                           double tapPercent, double& ratingPu) {
  const double rating = ratedMva > 0 ? ratedMva : 1.0;
  double rPercent = 1.0, xPercent = 6.0;
  if (const auto choice = findTransformer(transformer)) {
    rPercent = choice->type->shortCircuitResistivePercent;
    xPercent = std::sqrt(std::max(
        0.0, choice->type->shortCircuitPercent * choice->type->shortCircuitPercent - rPercent * rPercent));
  }
  ratingPu = rating / kNetworkBaseMva;
  // The off-nominal ratio sits on the primary side: 1 / (1 + tap) raises the secondary by the tap.
  return {from,
          to,
          rPercent * 1e-2 * kNetworkBaseMva / rating,
          xPercent * 1e-2 * kNetworkBaseMva / rating,
          0.0,
          1.0 / (1.0 + tapPercent * 1e-2),
          0.0};
}

void addBranch(SubstationNetwork& n, const AcBranch& branch, double ratingPu, std::int32_t feeder,
               std::int32_t substation) {
  n.network.branches.push_back(branch);
  n.branchRatingPu.push_back(ratingPu);
  n.feederOfBranch.push_back(feeder);
  n.substationOfBranch.push_back(substation);
}

// Bus 0 (the upstream grid) and bus 1 (the busbar) joined by the transformer.
void addTransformer(SubstationNetwork& n, double ratedMva, const std::string& transformer, double tapPercent,
                    std::int32_t substation) {
  AcNetwork& net = n.network;
  net.baseMva = kNetworkBaseMva;
  addBus(net, BusRole::Reference);
  addBus(net, BusRole::PQ);
  double ratingPu = 0;
  const AcBranch branch = transformerBranch(0, 1, ratedMva, transformer, tapPercent, ratingPu);
  addBranch(n, branch, ratingPu, -1, substation);
}

std::string featureName(const NetworkFile& file, std::size_t feature, const std::string& id) {
  return file.source + ": feature " + std::to_string(feature) + (id.empty() ? "" : " (id '" + id + "')");
}

}  // namespace

std::vector<SubstationNetwork> buildDistributionNetworks(const city::CityModel& city) {
  const city::GridAssets& grid = city.grid;
  const std::size_t substationCount = grid.substations.size();
  const std::size_t feederCount = grid.feeders.size();
  // The network each substation belongs to: its own, or that of the substation at the top of its supply
  // chain.
  const auto supplier = [&](std::size_t s) -> std::int64_t {
    const std::int32_t f = grid.substations[s].supplyFeeder;
    if (f < 0) return -1;
    if (static_cast<std::size_t>(f) >= feederCount)
      throw Error("grid: substation " + grid.substations[s].id + " is supplied by feeder " +
                  std::to_string(f) + " of " + std::to_string(feederCount));
    const std::uint32_t up = grid.feeders[static_cast<std::size_t>(f)].substation;
    if (up >= substationCount || up == s)
      throw Error("grid: substation " + grid.substations[s].id + " is supplied by feeder " +
                  grid.feeders[static_cast<std::size_t>(f)].id + " of no other substation");
    return up;
  };
  std::vector<std::size_t> networkOf(substationCount, 0);
  std::vector<SubstationNetwork> out;
  std::vector<std::size_t> headIndex(substationCount, static_cast<std::size_t>(-1));
  for (std::size_t s = 0; s < substationCount; ++s) {
    if (supplier(s) >= 0) continue;
    const city::Substation& sub = grid.substations[s];
    headIndex[s] = out.size();
    SubstationNetwork& n = out.emplace_back();
    n.id = sub.id;
    n.citySubstation = static_cast<std::int32_t>(s);
    n.floodThresholdM = sub.floodThresholdM;
    addTransformer(n, sub.ratedMva, sub.transformer, sub.tapPercent, static_cast<std::int32_t>(s));
  }
  for (std::size_t s = 0; s < substationCount; ++s) {
    std::size_t top = s;
    for (std::size_t depth = 0; supplier(top) >= 0; ++depth) {
      if (depth > substationCount)
        throw Error("grid: the supply of substation " + grid.substations[s].id +
                    " forms a loop (a substation must lead back to one fed from the upstream grid)");
      top = static_cast<std::size_t>(supplier(top));
    }
    networkOf[s] = headIndex[top];
  }
  // Substations that feed buildings themselves or are supplied by a feeder have a busbar of their own; only
  // the others (the generated town's MV/LV substations) stand between a feeder passing through their site and
  // the buildings nearest them.
  std::vector<char> feedsBuildings(substationCount, 0);
  for (const city::Feeder& feeder : grid.feeders)
    if (feeder.substation < substationCount && !feeder.servedBuildings.empty())
      feedsBuildings[feeder.substation] = 1;
  std::map<std::pair<double, double>, std::uint32_t> substationAt;
  for (std::uint32_t k = 0; k < substationCount; ++k)
    if (!feedsBuildings[k] && grid.substations[k].supplyFeeder < 0)
      substationAt.emplace(std::make_pair(grid.substations[k].position.x, grid.substations[k].position.y), k);

  // Parents before the feeders branching off them (the input order where it already is one); a supplied
  // substation's feeders after the feeder supplying it.
  std::vector<std::vector<std::uint32_t>> children(feederCount), suppliedBy(feederCount);
  for (std::uint32_t k = 0; k < substationCount; ++k)
    if (grid.substations[k].supplyFeeder >= 0)
      suppliedBy[static_cast<std::size_t>(grid.substations[k].supplyFeeder)].push_back(k);
  std::vector<std::vector<std::uint32_t>> rootsOf(substationCount);
  std::vector<std::uint32_t> order;
  for (std::uint32_t f = 0; f < feederCount; ++f) {
    const city::Feeder& feeder = grid.feeders[f];
    if (feeder.substation == city::kNoSubstation) {
      if (!feeder.servedBuildings.empty())
        throw Error("grid: feeder " + feeder.id + " serves buildings but belongs to no substation");
      continue;
    }
    if (feeder.substation >= substationCount)
      throw Error("grid: feeder " + feeder.id + " refers to substation " + std::to_string(feeder.substation) +
                  " of " + std::to_string(substationCount));
    if (feeder.parentFeeder < 0) {
      if (grid.substations[feeder.substation].supplyFeeder < 0)
        order.push_back(f);
      else
        rootsOf[feeder.substation].push_back(f);
      continue;
    }
    const auto parent = static_cast<std::size_t>(feeder.parentFeeder);
    if (parent >= feederCount || grid.feeders[parent].substation != feeder.substation)
      throw Error("grid: feeder " + feeder.id + " branches off a feeder that is not of its substation");
    children[parent].push_back(f);
  }
  for (std::size_t next = 0; next < order.size(); ++next) {
    for (std::uint32_t child : children[order[next]]) order.push_back(child);
    for (std::uint32_t k : suppliedBy[order[next]])
      for (std::uint32_t root : rootsOf[k]) order.push_back(root);
  }
  std::size_t inTrees = 0;
  for (const city::Feeder& feeder : grid.feeders) inTrees += feeder.substation != city::kNoSubstation;
  if (order.size() != inTrees)
    throw Error("grid: the feeders' parent links form a loop (a feeder must lead back to its substation)");
  std::vector<int> startBus(feederCount, 1);  // the bus a feeder leaves from: the busbar or its junction

  for (const std::uint32_t f : order) {
    const city::Feeder& feeder = grid.feeders[f];
    SubstationNetwork& n = out[networkOf[feeder.substation]];
    const bool behindSecondary = n.citySubstation != static_cast<std::int32_t>(feeder.substation);
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
    // What hangs on the feeder, by distance along its route: served buildings, the junctions where feeders
    // branching off it start, the substations it supplies.
    enum class Kind { Building, Junction, Secondary };
    struct Served {
      double along;
      Kind kind;
      std::uint32_t index;
    };
    std::vector<Served> served;
    const auto alongTo = [&](geo::Vec2 p) {
      return feeder.route.size() >= 2 ? distanceAlong(route, p) + geo::distanceToPolyline(route, p)
                                      : geo::distance(sub.position, p);
    };
    for (std::uint32_t b : feeder.servedBuildings) {
      if (b >= city.buildings.size())
        throw Error("grid: feeder " + feeder.id + " serves building " + std::to_string(b) + " of " +
                    std::to_string(city.buildings.size()));
      served.push_back({alongTo(geo::pointOnSurface(city.buildings[b].footprint)), Kind::Building, b});
    }
    for (std::uint32_t child : children[f]) {
      const geo::Polyline& childRoute = grid.feeders[child].route;
      const geo::Vec2 junction = childRoute.empty() ? route.back() : childRoute.front();
      served.push_back({distanceAlong(route, junction), Kind::Junction, child});
    }
    for (std::uint32_t k : suppliedBy[f])
      served.push_back({alongTo(grid.substations[k].position), Kind::Secondary, k});
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
      if (behindSecondary) return static_cast<std::int32_t>(feeder.substation);
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
        addBranch(n, {previousBus, bus, r * km, x * km, 0.0, 1.0, 0.0}, ratingPu,
                  static_cast<std::int32_t>(f), -1);
        previousBus = bus;
        previousAlong = sv.along;
      }
      if (sv.kind == Kind::Junction) {
        startBus[sv.index] = previousBus;
        continue;
      }
      if (sv.kind == Kind::Secondary) {
        // The supplied substation's transformer, from this node to the busbar its own feeders leave.
        const city::Substation& secondary = grid.substations[sv.index];
        const int busbar = addBus(net, BusRole::PQ);
        double transformerRatingPu = 0;
        const AcBranch branch =
            transformerBranch(previousBus, busbar, secondary.ratedMva, secondary.transformer,
                              secondary.tapPercent, transformerRatingPu);
        addBranch(n, branch, transformerRatingPu, -1, static_cast<std::int32_t>(sv.index));
        for (std::uint32_t root : rootsOf[sv.index]) startBus[root] = busbar;
        continue;
      }
      n.buildings.push_back(sv.index);
      n.busOfBuilding.push_back(previousBus);
      n.secondaryOfBuilding.push_back(secondaryOf(sv.index));
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
    addTransformer(n, sub.ratedMva, "", 0.0, n.citySubstation);
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
    addBranch(n,
              {indexInNetwork[line.from], indexInNetwork[line.to], line.rOhm / zBase, line.xOhm / zBase, 0.0,
               1.0, 0.0},
              line.ratedAmps * std::sqrt(3.0) * kv * 1e-3 / kNetworkBaseMva, -1, -1);
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
