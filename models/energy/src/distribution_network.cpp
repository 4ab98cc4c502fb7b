#include "citytwin/energy/distribution_network.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "citytwin/core/error.hpp"
#include "citytwin/geo/geometry.hpp"

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

}  // namespace

std::vector<SubstationNetwork> buildDistributionNetworks(const city::CityModel& city) {
  const city::GridAssets& grid = city.grid;
  std::vector<SubstationNetwork> out(grid.substations.size());
  for (std::size_t s = 0; s < grid.substations.size(); ++s) {
    const city::Substation& sub = grid.substations[s];
    SubstationNetwork& n = out[s];
    n.substation = static_cast<std::uint32_t>(s);
    AcNetwork& net = n.network;
    net.baseMva = kNetworkBaseMva;
    const auto addBus = [&](BusRole role) {
      net.roles.push_back(role);
      net.shunt.emplace_back(0.0, 0.0);
      net.injection.emplace_back(0.0, 0.0);
      net.voltage.emplace_back(1.0, 0.0);
      return static_cast<int>(net.roles.size() - 1);
    };
    addBus(BusRole::Reference);
    addBus(BusRole::PQ);
    const double rating = sub.ratedMva > 0 ? sub.ratedMva : 1.0;
    net.branches.push_back({0, 1, 0.01 * kNetworkBaseMva / rating, 0.06 * kNetworkBaseMva / rating, 0.0, 1.0, 0.0});
    n.branchRatingPu.push_back(rating / kNetworkBaseMva);
  }
  for (const city::Feeder& feeder : grid.feeders) {
    if (feeder.substation >= out.size())
      throw Error("grid: feeder " + feeder.id + " refers to substation " + std::to_string(feeder.substation) +
                  " of " + std::to_string(out.size()));
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
    struct Served {
      double along;
      std::uint32_t building;
    };
    std::vector<Served> served;
    for (std::uint32_t b : feeder.servedBuildings) {
      if (b >= city.buildings.size())
        throw Error("grid: feeder " + feeder.id + " serves building " + std::to_string(b) + " of " +
                    std::to_string(city.buildings.size()));
      const geo::Vec2 p = geo::pointOnSurface(city.buildings[b].footprint);
      const double along = feeder.route.size() >= 2 ? distanceAlong(route, p) + geo::distanceToPolyline(route, p)
                                                     : geo::distance(sub.position, p);
      served.push_back({along, b});
    }
    std::stable_sort(served.begin(), served.end(), [](const Served& a, const Served& b) { return a.along < b.along; });
    int previousBus = 1;
    double previousAlong = 0;
    for (const Served& sv : served) {
      if (previousBus == 1 || sv.along - previousAlong > 1.0) {
        const int bus = static_cast<int>(net.roles.size());
        net.roles.push_back(BusRole::PQ);
        net.shunt.emplace_back(0.0, 0.0);
        net.injection.emplace_back(0.0, 0.0);
        net.voltage.emplace_back(1.0, 0.0);
        const double km = std::max(sv.along - previousAlong, 1.0) * 1e-3;
        net.branches.push_back({previousBus, bus, r * km, x * km, 0.0, 1.0, 0.0});
        n.branchRatingPu.push_back(ratingPu);
        previousBus = bus;
        previousAlong = sv.along;
      }
      n.buildings.push_back(sv.building);
      n.busOfBuilding.push_back(previousBus);
    }
  }
  return out;
}

}  // namespace citytwin::energy
