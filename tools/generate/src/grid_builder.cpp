#include "grid_builder.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <string>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "citytwin/geo/spatial_index.hpp"
#include "road_builder.hpp"
#include "terrain_builder.hpp"

namespace citytwin::generate::detail {
namespace {

// A site for a substation: a street corner, with the equipment a few metres off the carriageway
// (inside the verge: parcels start at least 8 m from a street's centreline).
constexpr geo::Vec2 kSiteOffset{6.0, 6.0};

// 20 kV XLPE aluminium cable, 150 mm² (NA2XS2Y 1x150 12/20 kV): the usual urban MV feeder.
constexpr double kFeederKv = 20.0;
constexpr double kFeederRatedAmps = 319.0;
constexpr double kFeederResistanceOhmPerKm = 0.206;
constexpr double kFeederReactanceOhmPerKm = 0.116;

struct SecondarySite {
  std::uint32_t node = 0;
  std::vector<std::uint32_t> buildings;
  geo::Vec2 load;  // mean position of the buildings
};

class StreetGraph {
 public:
  explicit StreetGraph(const city::RoadNetwork& roads) : roads_(roads), adjacency_(roads.nodes.size()) {
    // Cables follow streets in either direction, so one-way rules do not apply.
    for (const auto& link : roads.links) {
      adjacency_[link.from].push_back({link.to, link.lengthM});
      adjacency_[link.to].push_back({link.from, link.lengthM});
    }
    std::vector<geo::BBox> boxes;
    boxes.reserve(roads.nodes.size());
    for (const auto& node : roads.nodes) boxes.push_back({node.position.x, node.position.y, node.position.x, node.position.y});
    index_ = geo::SpatialIndex(boxes);
  }

  // The nearest node that passes `usable` (street corners clear of the river, not bridge ends).
  std::uint32_t nearestNode(geo::Vec2 p, const std::function<bool(std::uint32_t)>& usable) const {
    for (std::size_t k = 4; k < roads_.nodes.size() * 2; k *= 4) {
      for (std::uint32_t candidate : index_.nearest(p, std::min(k, roads_.nodes.size()))) {
        if (usable(candidate)) return candidate;
      }
    }
    return index_.nearest(p, 1).front();
  }

  // Node sequence of a shortest path (Dijkstra with early exit; ties broken by node index).
  std::vector<std::uint32_t> path(std::uint32_t from, std::uint32_t to) const {
    if (from == to) return {from};
    constexpr double kInfinity = std::numeric_limits<double>::infinity();
    std::vector<double> distance(adjacency_.size(), kInfinity);
    std::vector<std::uint32_t> previous(adjacency_.size(), std::numeric_limits<std::uint32_t>::max());
    using Entry = std::pair<double, std::uint32_t>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
    distance[from] = 0.0;
    queue.push({0.0, from});
    while (!queue.empty()) {
      const auto [d, node] = queue.top();
      queue.pop();
      if (d > distance[node]) continue;
      if (node == to) break;
      for (const auto& [next, length] : adjacency_[node]) {
        const double candidate = d + length;
        if (candidate < distance[next]) {
          distance[next] = candidate;
          previous[next] = node;
          queue.push({candidate, next});
        }
      }
    }
    std::vector<std::uint32_t> nodes;
    if (distance[to] == kInfinity) return {from, to};  // cannot happen on a connected network
    for (std::uint32_t node = to; node != from; node = previous[node]) nodes.push_back(node);
    nodes.push_back(from);
    std::reverse(nodes.begin(), nodes.end());
    return nodes;
  }

  geo::Vec2 position(std::uint32_t node) const { return roads_.nodes[node].position; }

 private:
  struct Edge {
    std::uint32_t to;
    double length;
  };
  const city::RoadNetwork& roads_;
  std::vector<std::vector<Edge>> adjacency_;
  geo::SpatialIndex index_;
};

geo::Vec2 siteOf(const StreetGraph& graph, std::uint32_t node) {
  const geo::Vec2 corner = graph.position(node);
  return {corner.x + kSiteOffset.x, corner.y + kSiteOffset.y};
}

// One site per 250 m square that has buildings (at the usable street corner nearest its buildings'
// mean position); then every building connects to its nearest site, so "a building's secondary
// substation is the nearest one" holds exactly. Sites left without buildings are dropped.
std::vector<SecondarySite> secondarySites(const TownPlan& plan, const StreetGraph& graph,
                                          const std::vector<city::Building>& buildings,
                                          const std::function<bool(std::uint32_t)>& usable) {
  const auto across = static_cast<std::size_t>(std::ceil(plan.sizeM / kSecondaryAreaM));
  std::vector<std::vector<std::uint32_t>> areas(across * across);
  const auto areaIndex = [&](double offset) {
    return std::min(across - 1, static_cast<std::size_t>(std::max(0.0, std::floor(offset / kSecondaryAreaM))));
  };
  std::vector<geo::Vec2> centres(buildings.size());
  for (std::uint32_t b = 0; b < buildings.size(); ++b) {
    centres[b] = geo::bounds(buildings[b].footprint).centre();
    areas[areaIndex(centres[b].y - plan.town.minY) * across + areaIndex(centres[b].x - plan.town.minX)].push_back(b);
  }
  std::vector<std::uint32_t> siteNodes;
  for (const auto& members : areas) {
    if (members.empty()) continue;
    geo::Vec2 mean;
    for (std::uint32_t b : members) {
      mean.x += centres[b].x;
      mean.y += centres[b].y;
    }
    mean.x /= static_cast<double>(members.size());
    mean.y /= static_cast<double>(members.size());
    const std::uint32_t node = graph.nearestNode(mean, usable);
    if (std::find(siteNodes.begin(), siteNodes.end(), node) == siteNodes.end()) siteNodes.push_back(node);
  }

  std::vector<geo::BBox> siteBoxes;
  for (std::uint32_t node : siteNodes) {
    const geo::Vec2 site = siteOf(graph, node);
    siteBoxes.push_back({site.x, site.y, site.x, site.y});
  }
  const geo::SpatialIndex siteIndex(siteBoxes);
  std::vector<std::vector<std::uint32_t>> members(siteNodes.size());
  std::vector<std::uint32_t> nearest(buildings.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, buildings.size(), 1024), [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t b = range.begin(); b != range.end(); ++b) nearest[b] = siteIndex.nearest(centres[b], 1).front();
  });
  for (std::uint32_t b = 0; b < buildings.size(); ++b) members[nearest[b]].push_back(b);

  std::vector<SecondarySite> sites;
  for (std::size_t s = 0; s < siteNodes.size(); ++s) {
    if (members[s].empty()) continue;
    SecondarySite site;
    site.node = siteNodes[s];
    site.buildings = std::move(members[s]);
    for (std::uint32_t b : site.buildings) {
      site.load.x += centres[b].x;
      site.load.y += centres[b].y;
    }
    site.load.x /= static_cast<double>(site.buildings.size());
    site.load.y /= static_cast<double>(site.buildings.size());
    sites.push_back(std::move(site));
  }
  return sites;
}

// Primary sites: the first on the floodplain next to the river nearest the centre (so flood cascades
// reach the grid), the rest spread over the load by a few rounds of weighted k-means.
std::vector<std::uint32_t> primarySites(const TownPlan& plan, const city::RoadNetwork& roads, const StreetGraph& graph,
                                        const std::vector<SecondarySite>& secondaries,
                                        const std::function<bool(std::uint32_t)>& usable) {
  const double areaKm2 = plan.sizeM * plan.sizeM / 1e6;
  const auto count = static_cast<std::size_t>(std::max(1.0, std::round(areaKm2 / 6.0)));
  const double nearBank = plan.river.halfWidthM + kRoadRiverClearanceM;
  std::uint32_t riverside = 0;
  double bestScore = std::numeric_limits<double>::infinity();
  for (std::uint32_t n = 0; n < roads.nodes.size(); ++n) {
    if (!usable(n)) continue;
    const geo::Vec2 p = roads.nodes[n].position;
    const double fromBank = plan.river.offset(p) - nearBank;
    // Within ~one block of the bank, as close to the centre as possible.
    const double score = std::abs(p.x - plan.centre.x) + (fromBank > 160.0 ? 1e9 : 0.0) + fromBank;
    if (score < bestScore) {
      bestScore = score;
      riverside = n;
    }
  }
  std::vector<geo::Vec2> centres{roads.nodes[riverside].position};
  // Farthest-point seeding, then weighted k-means with the riverside site held fixed.
  while (centres.size() < count && !secondaries.empty()) {
    std::size_t farthest = 0;
    double farthestDistance = -1.0;
    for (std::size_t s = 0; s < secondaries.size(); ++s) {
      double nearest = std::numeric_limits<double>::infinity();
      for (const auto& c : centres) nearest = std::min(nearest, geo::distance(c, secondaries[s].load));
      if (nearest > farthestDistance) {
        farthestDistance = nearest;
        farthest = s;
      }
    }
    centres.push_back(secondaries[farthest].load);
  }
  for (int round = 0; round < 8; ++round) {
    std::vector<geo::Vec2> sums(centres.size());
    std::vector<double> weights(centres.size(), 0.0);
    for (const auto& site : secondaries) {
      std::size_t best = 0;
      for (std::size_t c = 1; c < centres.size(); ++c) {
        if (geo::distance(centres[c], site.load) < geo::distance(centres[best], site.load)) best = c;
      }
      const auto weight = static_cast<double>(site.buildings.size());
      sums[best].x += site.load.x * weight;
      sums[best].y += site.load.y * weight;
      weights[best] += weight;
    }
    for (std::size_t c = 1; c < centres.size(); ++c) {
      if (weights[c] > 0) centres[c] = {sums[c].x / weights[c], sums[c].y / weights[c]};
    }
  }
  std::vector<std::uint32_t> nodes{riverside};
  for (std::size_t c = 1; c < centres.size(); ++c) nodes.push_back(graph.nearestNode(centres[c], usable));
  return nodes;
}

}  // namespace

city::GridAssets buildGrid(const TownPlan& plan, const city::RoadNetwork& roads,
                           const std::vector<city::Building>& buildings, const geo::RasterGrid& terrain,
                           Progress* progress) {
  city::GridAssets grid;
  if (roads.nodes.empty()) return grid;
  const StreetGraph graph(roads);
  const double clearance = plan.river.halfWidthM + kRoadRiverClearanceM;
  // Street corners only (bridge ends sit inside the clearance), with the site itself well off the channel.
  const auto usable = [&](std::uint32_t node) {
    return plan.river.offset(roads.nodes[node].position) >= clearance &&
           plan.river.offset(siteOf(graph, node)) >= plan.river.halfWidthM + 4.0;
  };
  const std::vector<SecondarySite> secondaries = secondarySites(plan, graph, buildings, usable);
  const std::vector<std::uint32_t> primaries = primarySites(plan, roads, graph, secondaries, usable);

  for (std::size_t p = 0; p < primaries.size(); ++p) {
    city::Substation station;
    station.id = "sample:substation/primary-" + std::to_string(p + 1);
    station.source = "generated";
    station.name = "Primary substation " + std::to_string(p + 1);
    station.position = siteOf(graph, primaries[p]);
    station.groundElevationM = terrainElevationM(terrain, plan, station.position);
    station.ratedMva = 40.0;
    station.primaryKv = 110.0;
    station.secondaryKv = 20.0;
    station.floodThresholdM = 0.3;
    grid.substations.push_back(std::move(station));
  }
  for (std::size_t s = 0; s < secondaries.size(); ++s) {
    city::Substation station;
    station.id = "sample:substation/secondary-" + std::to_string(s + 1);
    station.source = "generated";
    station.name = "Secondary substation " + std::to_string(s + 1);
    station.position = siteOf(graph, secondaries[s].node);
    station.groundElevationM = terrainElevationM(terrain, plan, station.position);
    station.ratedMva = 0.63;
    station.primaryKv = 20.0;
    station.secondaryKv = 0.4;
    station.floodThresholdM = 0.3;
    grid.substations.push_back(std::move(station));
  }

  // Each secondary hangs off its nearest primary; a primary's secondaries are swept by bearing into
  // feeders of about kBuildingsPerFeeder buildings, and each feeder visits its secondaries nearest-first.
  std::vector<std::vector<std::size_t>> byPrimary(primaries.size());
  for (std::size_t s = 0; s < secondaries.size(); ++s) {
    const geo::Vec2 site = graph.position(secondaries[s].node);
    std::size_t best = 0;
    for (std::size_t p = 1; p < primaries.size(); ++p) {
      if (geo::distance(graph.position(primaries[p]), site) < geo::distance(graph.position(primaries[best]), site)) best = p;
    }
    byPrimary[best].push_back(s);
  }
  struct FeederPlan {
    std::size_t primary;
    std::vector<std::size_t> secondaries;
  };
  std::vector<FeederPlan> plans;
  for (std::size_t p = 0; p < primaries.size(); ++p) {
    const geo::Vec2 origin = graph.position(primaries[p]);
    auto& members = byPrimary[p];
    std::vector<double> bearing(secondaries.size(), 0.0);
    for (std::size_t s : members) {
      const geo::Vec2 site = graph.position(secondaries[s].node);
      bearing[s] = std::atan2(site.y - origin.y, site.x - origin.x);
    }
    std::stable_sort(members.begin(), members.end(), [&](std::size_t a, std::size_t b) { return bearing[a] < bearing[b]; });
    FeederPlan current{p, {}};
    std::size_t served = 0;
    for (std::size_t s : members) {
      if (!current.secondaries.empty() && served + secondaries[s].buildings.size() > kBuildingsPerFeeder) {
        plans.push_back(std::move(current));
        current = {p, {}};
        served = 0;
      }
      current.secondaries.push_back(s);
      served += secondaries[s].buildings.size();
    }
    if (!current.secondaries.empty()) plans.push_back(std::move(current));
  }

  grid.feeders.resize(plans.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, plans.size(), 1), [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t f = range.begin(); f != range.end(); ++f) {
      const FeederPlan& feederPlan = plans[f];
      city::Feeder& feeder = grid.feeders[f];
      feeder.id = "sample:feeder/" + std::to_string(f + 1);
      feeder.source = "generated";
      feeder.substation = static_cast<std::uint32_t>(feederPlan.primary);
      feeder.voltageKv = kFeederKv;
      feeder.ratedAmps = kFeederRatedAmps;
      feeder.resistanceOhmPerKm = kFeederResistanceOhmPerKm;
      feeder.reactanceOhmPerKm = kFeederReactanceOhmPerKm;
      std::uint32_t at = primaries[feederPlan.primary];
      feeder.route.push_back(siteOf(graph, at));
      std::vector<std::size_t> remaining = feederPlan.secondaries;
      while (!remaining.empty()) {
        auto next = remaining.begin();
        for (auto it = remaining.begin(); it != remaining.end(); ++it) {
          if (geo::distance(graph.position(secondaries[*it].node), graph.position(at)) <
              geo::distance(graph.position(secondaries[*next].node), graph.position(at))) {
            next = it;
          }
        }
        const SecondarySite& site = secondaries[*next];
        for (std::uint32_t node : graph.path(at, site.node)) feeder.route.push_back(graph.position(node));
        feeder.route.push_back(siteOf(graph, site.node));
        feeder.servedBuildings.insert(feeder.servedBuildings.end(), site.buildings.begin(), site.buildings.end());
        at = site.node;
        remaining.erase(next);
      }
    }
    if (progress) progress->advance(range.size());
  });
  return grid;
}

}  // namespace citytwin::generate::detail
