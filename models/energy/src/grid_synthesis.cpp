#include "citytwin/energy/grid_synthesis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <queue>
#include <utility>
#include <vector>

#include "citytwin/core/error.hpp"
#include "citytwin/energy/distribution_network.hpp"
#include "citytwin/energy/newton_raphson.hpp"
#include "citytwin/energy/typology.hpp"
#include "citytwin/geo/spatial_index.hpp"

namespace citytwin::energy {
namespace {

// pandapower's basic standard line types (pandapower/std_types.py; manufacturers' data for 0.6/1 kV NAYY
// cables laid in ground): resistance at 20 degC, reactance at 50 Hz, thermal current.
constexpr CableType kLowVoltageCables[] = {
    {"NAYY 4x50 SE", 0.642, 0.083, 142.0},
    {"NAYY 4x120 SE", 0.225, 0.080, 242.0},
    {"NAYY 4x150 SE", 0.208, 0.080, 270.0},
};
constexpr std::size_t kCableTypes = std::size(kLowVoltageCables);

constexpr double kLowVoltageKv = 0.4;
constexpr double kMediumVoltageKv = 20.0;  // assumed primary voltage of a synthesised MV/LV substation
constexpr double kPowerFactor = 0.95;      // as the energy model's loads
constexpr double kReactiveShare = 0.3287;  // tan(acos(0.95))
constexpr double kCooledUseAllowanceWPerM2 = 25.0;
// Standard MV/LV distribution transformer ratings (IEC 60076 preferred values); larger needs take several
// 630 kVA units.
constexpr double kTransformerMva[] = {0.25, 0.4, 0.63};
constexpr double kLargestUnitMva = 0.63;
// Equipment stands this far from the street node it connects to (off the carriageway).
constexpr double kSiteOffsetM = 4.0;
// A mapped substation is used for a service area when it lies within this distance of the area's box.
constexpr double kOsmSiteReachM = 50.0;
constexpr double kOsmDistributionMaxKv = 36.0;
constexpr int kMaxSizingRounds = 200;

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// Cables follow streets in either direction, so one-way rules do not apply; each street piece is one edge.
class StreetGraph {
 public:
  struct Edge {
    std::uint32_t to;
    double lengthM;
    std::uint32_t link;
  };

  explicit StreetGraph(const city::RoadNetwork& roads) : roads_(roads), edges_(roads.nodes.size()) {
    for (std::uint32_t l = 0; l < roads.links.size(); ++l) {
      const city::RoadLink& link = roads.links[l];
      if (link.from == link.to) continue;
      const double length = link.lengthM > 0 ? link.lengthM : geo::length(link.geometry);
      edges_[link.from].push_back({link.to, length, l});
      edges_[link.to].push_back({link.from, length, l});
    }
    std::vector<geo::BBox> boxes;
    for (std::uint32_t n = 0; n < roads.nodes.size(); ++n) {
      if (edges_[n].empty()) continue;
      const geo::Vec2 p = roads.nodes[n].position;
      boxes.push_back({p.x, p.y, p.x, p.y});
      connected_.push_back(n);
    }
    index_ = geo::SpatialIndex(boxes);
  }

  bool empty() const { return connected_.empty(); }
  std::size_t size() const { return edges_.size(); }
  geo::Vec2 position(std::uint32_t node) const { return roads_.nodes[node].position; }
  const std::vector<Edge>& edges(std::uint32_t node) const { return edges_[node]; }

  std::uint32_t nearestNode(geo::Vec2 p) const { return connected_[index_.nearest(p, 1).front()]; }

  // The street geometry of an edge walked from `from`.
  geo::Polyline geometry(const Edge& edge, std::uint32_t from) const {
    const city::RoadLink& link = roads_.links[edge.link];
    geo::Polyline line = link.geometry;
    if (line.size() < 2) line = {roads_.nodes[link.from].position, roads_.nodes[link.to].position};
    if (link.from != from) std::reverse(line.begin(), line.end());
    return line;
  }

  // Shortest-path tree from `root` until every target is settled (ties: the first path found, in node and
  // link order). previous[n] is the edge index into edges(parent) that reaches n, with the parent.
  struct Tree {
    std::vector<double> distance;
    std::vector<std::uint32_t> parent;
    std::vector<std::uint32_t> parentEdge;
  };
  Tree shortestPaths(std::uint32_t root, const std::vector<std::uint32_t>& targets) const {
    constexpr double kInfinity = std::numeric_limits<double>::infinity();
    Tree t{std::vector<double>(size(), kInfinity), std::vector<std::uint32_t>(size(), kNone),
           std::vector<std::uint32_t>(size(), kNone)};
    std::vector<char> wanted(size(), 0), settled(size(), 0);
    std::size_t remaining = 0;
    for (std::uint32_t n : targets)
      if (!wanted[n]) wanted[n] = 1, ++remaining;
    using Entry = std::pair<double, std::uint32_t>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
    t.distance[root] = 0;
    queue.push({0.0, root});
    while (!queue.empty() && remaining > 0) {
      const auto [d, node] = queue.top();
      queue.pop();
      if (settled[node]) continue;
      settled[node] = 1;
      if (wanted[node]) --remaining;
      for (std::uint32_t e = 0; e < edges_[node].size(); ++e) {
        const Edge& edge = edges_[node][e];
        const double candidate = d + edge.lengthM;
        if (candidate < t.distance[edge.to]) {
          t.distance[edge.to] = candidate;
          t.parent[edge.to] = node;
          t.parentEdge[edge.to] = e;
          queue.push({candidate, edge.to});
        }
      }
    }
    return t;
  }

 private:
  const city::RoadNetwork& roads_;
  std::vector<std::vector<Edge>> edges_;
  std::vector<std::uint32_t> connected_;
  geo::SpatialIndex index_;
};

double transformerRatingFor(double kva, double utilisation) {
  for (double mva : kTransformerMva)
    if (kva <= utilisation * mva * 1000.0) return mva;
  return std::ceil(kva / (utilisation * kLargestUnitMva * 1000.0)) * kLargestUnitMva;
}

double nextTransformerRating(double mva) {
  for (double standard : kTransformerMva)
    if (standard > mva + 1e-9) return standard;
  return mva + kLargestUnitMva;
}

// A cable choice: a type and a number of parallel runs.
struct CableChoice {
  std::size_t type = 0;
  int runs = 1;
};

CableChoice cableFor(double amps, double utilisation) {
  for (std::size_t t = 0; t < kCableTypes; ++t)
    if (amps <= utilisation * kLowVoltageCables[t].ratedAmps) return {t, 1};
  const double largest = kLowVoltageCables[kCableTypes - 1].ratedAmps;
  return {kCableTypes - 1, static_cast<int>(std::ceil(amps / (utilisation * largest)))};
}

CableChoice reinforced(CableChoice c) {
  if (c.type + 1 < kCableTypes) return {c.type + 1, c.runs};
  return {c.type, c.runs + 1};
}

void applyCable(city::Feeder& feeder, CableChoice c) {
  const CableType& type = kLowVoltageCables[c.type];
  feeder.resistanceOhmPerKm = type.resistanceOhmPerKm / c.runs;
  feeder.reactanceOhmPerKm = type.reactanceOhmPerKm / c.runs;
  feeder.ratedAmps = type.ratedAmps * c.runs;
  feeder.cable = (c.runs > 1 ? std::to_string(c.runs) + " x " : std::string()) + type.name;
}

double ampsAtLowVoltage(double kva) {
  return kva / (std::sqrt(3.0) * kLowVoltageKv);
}

struct ServiceArea {
  std::vector<std::uint32_t> buildings;
  geo::BBox box;
  double kva = 0;
  geo::Vec2 loadCentre;
};

// Recursive bisection at the load-weighted median of the longer side, until an area fits one transformer's
// utilised capacity and the span (a single building always fits: larger ones were given their own site).
void bisect(std::vector<std::uint32_t> buildings, const std::vector<geo::Vec2>& at,
            const std::vector<double>& kva, double maxKva, double maxSpanM, std::vector<ServiceArea>& out) {
  ServiceArea area;
  double wx = 0, wy = 0;
  for (std::uint32_t b : buildings) {
    area.box.expand(at[b]);
    area.kva += kva[b];
    wx += kva[b] * at[b].x;
    wy += kva[b] * at[b].y;
  }
  area.loadCentre = area.kva > 0 ? geo::Vec2{wx / area.kva, wy / area.kva} : area.box.centre();
  const bool fits = area.kva <= maxKva && std::max(area.box.width(), area.box.height()) <= maxSpanM;
  if (fits || buildings.size() <= 1) {
    area.buildings = std::move(buildings);
    out.push_back(std::move(area));
    return;
  }
  const bool alongX = area.box.width() >= area.box.height();
  std::sort(buildings.begin(), buildings.end(), [&](std::uint32_t a, std::uint32_t b) {
    const double ka = alongX ? at[a].x : at[a].y, kb = alongX ? at[b].x : at[b].y;
    return ka != kb ? ka < kb : a < b;
  });
  double half = 0;
  std::size_t cut = 0;
  while (cut + 1 < buildings.size() && half + kva[buildings[cut]] <= area.kva / 2)
    half += kva[buildings[cut++]];
  cut = std::clamp<std::size_t>(cut, 1, buildings.size() - 1);
  std::vector<std::uint32_t> second(buildings.begin() + static_cast<std::ptrdiff_t>(cut), buildings.end());
  buildings.resize(cut);
  bisect(std::move(buildings), at, kva, maxKva, maxSpanM, out);
  bisect(std::move(second), at, kva, maxKva, maxSpanM, out);
}

// One synthesised substation and its feeder sections, before they are added to the city.
struct SiteGrid {
  std::uint32_t substation = 0;
  std::vector<std::uint32_t> feeders;  // indices into city.grid.feeders
  std::vector<CableChoice> cables;     // parallel to feeders
};

}  // namespace

const CableType* lowVoltageCableTypes(std::size_t& count) {
  count = kCableTypes;
  return kLowVoltageCables;
}

double designPeakKw(const city::Building& building) {
  const UseProfile& use = useProfile(building.use);
  const double floorArea = building.footprintAreaM2() * effectiveLevels(building);
  return floorArea * (use.electricityWPerM2 + (use.cooled ? kCooledUseAllowanceWPerM2 : 0.0)) * 1e-3;
}

GridSynthesisReport synthesiseGrid(city::CityModel& city, const GridSynthesisOptions& options) {
  GridSynthesisReport report;
  city::GridAssets& grid = city.grid;
  const double utilisation = options.designUtilisation;

  std::vector<char> served(city.buildings.size(), 0);
  for (const city::Feeder& feeder : grid.feeders)
    for (std::uint32_t b : feeder.servedBuildings)
      if (b < served.size()) served[b] = 1;
  std::vector<geo::Vec2> at(city.buildings.size());
  std::vector<double> kva(city.buildings.size(), 0.0);
  std::vector<std::uint32_t> pending;
  for (std::uint32_t b = 0; b < city.buildings.size(); ++b) {
    if (served[b] || city.buildings[b].footprint.empty()) continue;
    at[b] = geo::pointOnSurface(city.buildings[b].footprint);
    const double kw = designPeakKw(city.buildings[b]);
    kva[b] = kw / kPowerFactor;
    report.designPeakMw += kw * 1e-3;
    pending.push_back(b);
  }
  report.buildingsConsidered = pending.size();
  if (pending.empty()) return report;

  const StreetGraph streets(city.roads);
  std::vector<char> osmSiteUsed(grid.substations.size(), 1);
  for (std::size_t s = 0; s < grid.substations.size(); ++s) {
    const city::Substation& sub = grid.substations[s];
    const bool hasFeeders = std::any_of(grid.feeders.begin(), grid.feeders.end(), [&](const city::Feeder& f) {
      return f.substation == s && !f.servedBuildings.empty();
    });
    if (sub.source == "osm" && sub.primaryKv <= kOsmDistributionMaxKv && !hasFeeders) osmSiteUsed[s] = 0;
  }

  const auto newSubstation = [&](geo::Vec2 position, double ratedMva, const std::string& name) {
    city::Substation sub;
    sub.id = "synth:substation/" + std::to_string(report.substationsSynthesised + 1);
    sub.name = name;
    sub.position = position;
    if (auto z = city.terrain.sample(position)) sub.groundElevationM = *z;
    sub.ratedMva = ratedMva;
    sub.primaryKv = kMediumVoltageKv;
    sub.secondaryKv = kLowVoltageKv;
    sub.source = "synthesised";
    grid.substations.push_back(std::move(sub));
    ++report.substationsSynthesised;
    return static_cast<std::uint32_t>(grid.substations.size() - 1);
  };
  const auto newFeeder = [&](std::uint32_t substation, geo::Polyline route, std::int32_t parent,
                             SiteGrid& site) {
    city::Feeder feeder;
    feeder.id = grid.substations[substation].id + "/feeder-" + std::to_string(site.feeders.size() + 1);
    feeder.substation = substation;
    feeder.route = std::move(route);
    feeder.voltageKv = kLowVoltageKv;
    feeder.parentFeeder = parent;
    feeder.source = "synthesised";
    grid.feeders.push_back(std::move(feeder));
    site.feeders.push_back(static_cast<std::uint32_t>(grid.feeders.size() - 1));
    site.cables.push_back({});
    return static_cast<std::int32_t>(grid.feeders.size() - 1);
  };

  std::vector<SiteGrid> sites;
  // Buildings beyond one transformer's utilised capacity get a substation of their own at the building.
  const double areaKva = utilisation * kLargestUnitMva * 1000.0;
  std::vector<std::uint32_t> shared;
  for (std::uint32_t b : pending) {
    if (kva[b] <= areaKva) {
      shared.push_back(b);
      continue;
    }
    SiteGrid& site = sites.emplace_back();
    site.substation = newSubstation(at[b], transformerRatingFor(kva[b], utilisation), "");
    ++report.dedicatedSubstations;
    // A substation in the building: its feeder is the busbar connection, a zero-length line at the site.
    newFeeder(site.substation, {at[b], at[b]}, city::kNoParentFeeder, site);
    grid.feeders.back().servedBuildings.push_back(b);
  }

  std::vector<ServiceArea> areas;
  if (!shared.empty()) bisect(shared, at, kva, areaKva, options.maxServiceAreaSpanM, areas);
  for (const ServiceArea& area : areas) {
    SiteGrid& site = sites.emplace_back();
    const double rating = transformerRatingFor(area.kva, utilisation);
    // A mapped distribution substation near the area, nearest its load centre, else a new site by the street
    // node nearest the load centre.
    std::uint32_t chosen = kNone;
    double best = std::numeric_limits<double>::infinity();
    for (std::uint32_t s = 0; s < grid.substations.size(); ++s) {
      if (osmSiteUsed.size() <= s || osmSiteUsed[s]) continue;
      const geo::Vec2 p = grid.substations[s].position;
      if (area.box.squaredDistanceTo(p) > kOsmSiteReachM * kOsmSiteReachM) continue;
      const double d = geo::distance(p, area.loadCentre);
      if (d < best) best = d, chosen = s;
    }
    if (chosen != kNone) {
      osmSiteUsed[chosen] = 1;
      city::Substation& sub = grid.substations[chosen];
      if (sub.ratedMva <= 0) sub.ratedMva = rating;  // OSM rarely tags ratings
      ++report.osmSubstationsUsed;
      site.substation = chosen;
    } else {
      geo::Vec2 position = area.loadCentre;
      if (!streets.empty()) {
        const geo::Vec2 node = streets.position(streets.nearestNode(area.loadCentre));
        const double d = geo::distance(node, area.loadCentre);
        position = d > 0 ? geo::Vec2{node.x + (area.loadCentre.x - node.x) / d * kSiteOffsetM,
                                     node.y + (area.loadCentre.y - node.y) / d * kSiteOffsetM}
                         : geo::Vec2{node.x + kSiteOffsetM, node.y};
      }
      site.substation = newSubstation(position, rating, "");
    }
    const geo::Vec2 sitePosition = grid.substations[site.substation].position;

    // Buildings reached along the streets, the others by a cable of their own.
    std::vector<std::uint32_t> access(area.buildings.size(), kNone);
    std::uint32_t root = kNone;
    StreetGraph::Tree tree;
    if (!streets.empty()) {
      root = streets.nearestNode(sitePosition);
      for (std::size_t i = 0; i < area.buildings.size(); ++i)
        access[i] = streets.nearestNode(at[area.buildings[i]]);
      tree = streets.shortestPaths(root, access);
    }
    // The tree's used nodes and their children (in node order).
    std::vector<std::vector<std::uint32_t>> children;
    std::vector<std::vector<std::uint32_t>> buildingsAt;
    std::vector<std::uint32_t> direct;
    if (root != kNone) {
      children.assign(streets.size(), {});
      buildingsAt.assign(streets.size(), {});
      std::vector<char> used(streets.size(), 0);
      used[root] = 1;
      for (std::size_t i = 0; i < area.buildings.size(); ++i) {
        const std::uint32_t node = access[i];
        if (!std::isfinite(tree.distance[node])) {
          direct.push_back(area.buildings[i]);
          continue;
        }
        buildingsAt[node].push_back(area.buildings[i]);
        for (std::uint32_t n = node; n != root && !used[n]; n = tree.parent[n]) used[n] = 1;
      }
      for (std::uint32_t n = 0; n < streets.size(); ++n)
        if (used[n] && n != root) children[tree.parent[n]].push_back(n);
    } else {
      direct = area.buildings;
    }

    // Sections between branch points, breadth first from the busbar.
    if (root != kNone) {
      struct Start {
        std::uint32_t node, child;
        std::int32_t parent;
      };
      std::queue<Start> starts;
      for (std::uint32_t c : children[root]) starts.push({root, c, city::kNoParentFeeder});
      std::int32_t firstSection = city::kNoParentFeeder;
      while (!starts.empty()) {
        const Start start = starts.front();
        starts.pop();
        geo::Polyline route;
        if (start.node == root) route.push_back(sitePosition);
        route.push_back(streets.position(start.node));
        const std::int32_t f = newFeeder(site.substation, {}, start.parent, site);
        if (firstSection < 0) firstSection = f;
        std::uint32_t from = start.node, node = start.child;
        while (true) {
          const StreetGraph::Edge& edge = streets.edges(from)[tree.parentEdge[node]];
          const geo::Polyline piece = streets.geometry(edge, from);
          route.insert(route.end(), piece.begin() + 1, piece.end());
          for (std::uint32_t b : buildingsAt[node])
            grid.feeders[static_cast<std::size_t>(f)].servedBuildings.push_back(b);
          if (children[node].size() != 1) break;
          from = node;
          node = children[node].front();
        }
        for (std::uint32_t c : children[node]) starts.push({node, c, f});
        grid.feeders[static_cast<std::size_t>(f)].route = std::move(route);
      }
      if (!buildingsAt[root].empty()) {
        std::int32_t f = firstSection;
        if (f < 0)
          f = newFeeder(site.substation, {sitePosition, streets.position(root)}, city::kNoParentFeeder, site);
        for (std::uint32_t b : buildingsAt[root])
          grid.feeders[static_cast<std::size_t>(f)].servedBuildings.push_back(b);
      }
    }
    for (std::uint32_t b : direct) {
      newFeeder(site.substation, {sitePosition, at[b]}, city::kNoParentFeeder, site);
      grid.feeders.back().servedBuildings.push_back(b);
      ++report.directCables;
    }
  }

  // Served buildings in index order, as the city file gives them back.
  for (const SiteGrid& site : sites)
    for (std::uint32_t f : site.feeders)
      std::sort(grid.feeders[f].servedBuildings.begin(), grid.feeders[f].servedBuildings.end());

  // Initial cable sizes from the downstream design load of each section (children follow their parents).
  for (SiteGrid& site : sites) {
    std::vector<double> downstream(site.feeders.size(), 0.0);
    for (std::size_t i = 0; i < site.feeders.size(); ++i)
      for (std::uint32_t b : grid.feeders[site.feeders[i]].servedBuildings) downstream[i] += kva[b];
    for (std::size_t i = site.feeders.size(); i-- > 0;) {
      const std::int32_t parent = grid.feeders[site.feeders[i]].parentFeeder;
      if (parent < 0) continue;
      const auto it = std::find(site.feeders.begin(), site.feeders.end(), static_cast<std::uint32_t>(parent));
      downstream[static_cast<std::size_t>(it - site.feeders.begin())] += downstream[i];
    }
    for (std::size_t i = 0; i < site.feeders.size(); ++i) {
      site.cables[i] = cableFor(ampsAtLowVoltage(downstream[i]), utilisation);
      applyCable(grid.feeders[site.feeders[i]], site.cables[i]);
    }
  }

  // Reinforce until an AC power flow at the design peak keeps loadings and voltages within the design limits.
  std::vector<std::int32_t> siteOfSubstation(grid.substations.size(), -1);
  for (std::size_t i = 0; i < sites.size(); ++i)
    siteOfSubstation[sites[i].substation] = static_cast<std::int32_t>(i);
  for (int round = 1; round <= kMaxSizingRounds; ++round) {
    report.sizingRounds = round;
    report.maxDesignLoading = 0;
    report.minDesignVoltagePu = 1;
    bool changed = false;
    const std::vector<SubstationNetwork> networks = buildDistributionNetworks(city);
    for (const SubstationNetwork& net : networks) {
      if (net.citySubstation < 0 || siteOfSubstation[static_cast<std::size_t>(net.citySubstation)] < 0)
        continue;
      SiteGrid& site =
          sites[static_cast<std::size_t>(siteOfSubstation[static_cast<std::size_t>(net.citySubstation)])];
      std::vector<Complex> injection(net.network.busCount(), Complex(0, 0));
      for (std::size_t j = 0; j < net.buildings.size(); ++j) {
        const double p = kva[net.buildings[j]] * kPowerFactor * 1e-3 / kNetworkBaseMva;
        injection[static_cast<std::size_t>(net.busOfBuilding[j])] -= Complex(p, p * kReactiveShare);
      }
      std::vector<Complex> v = net.network.voltage;
      NewtonRaphsonPowerFlow flow(net.network, {1e-8, 30, LinearSolverKind::Klu});
      PowerFlowOutcome outcome;
      try {
        outcome = flow.solve(v, injection);
      } catch (const Error&) {
        outcome.converged = false;
      }
      const auto reinforce = [&](std::int32_t feeder) {
        const auto it =
            std::find(site.feeders.begin(), site.feeders.end(), static_cast<std::uint32_t>(feeder));
        const std::size_t i = static_cast<std::size_t>(it - site.feeders.begin());
        site.cables[i] = reinforced(site.cables[i]);
        applyCable(grid.feeders[site.feeders[i]], site.cables[i]);
        changed = true;
      };
      city::Substation& sub = grid.substations[site.substation];
      if (!outcome.converged) {
        // Far beyond any design limit: a larger transformer and every cable one step up.
        sub.ratedMva = nextTransformerRating(sub.ratedMva);
        for (std::uint32_t f : site.feeders) reinforce(static_cast<std::int32_t>(f));
        report.maxDesignLoading = std::numeric_limits<double>::infinity();
        continue;
      }
      std::vector<std::int32_t> branchTo(net.network.busCount(), -1);
      std::vector<char> reinforcedFeeder(grid.feeders.size(), 0);
      for (std::size_t br = 0; br < net.network.branches.size(); ++br) {
        const AcBranch& branch = net.network.branches[br];
        branchTo[static_cast<std::size_t>(branch.to)] = static_cast<std::int32_t>(br);
        const double loading = std::abs(branchSeriesCurrent(branch, v)) / net.branchRatingPu[br];
        report.maxDesignLoading = std::max(report.maxDesignLoading, loading);
        if (loading <= utilisation + 1e-9) continue;
        const std::int32_t feeder = net.feederOfBranch[br];
        if (feeder < 0) {
          sub.ratedMva = nextTransformerRating(sub.ratedMva);
          changed = true;
        } else if (!reinforcedFeeder[static_cast<std::size_t>(feeder)]) {
          reinforcedFeeder[static_cast<std::size_t>(feeder)] = 1;
          reinforce(feeder);
        }
      }
      std::size_t worst = 1;
      for (std::size_t b = 1; b < v.size(); ++b) {
        report.minDesignVoltagePu = std::min(report.minDesignVoltagePu, std::abs(v[b]));
        if (std::abs(v[b]) < std::abs(v[worst])) worst = b;
      }
      if (std::abs(v[worst]) >= options.minDesignVoltagePu) continue;
      // The feeder with the largest voltage drop on the path from the worst bus back to the busbar.
      std::vector<double> dropOfFeeder(grid.feeders.size(), 0.0);
      for (std::int32_t br = branchTo[worst]; br >= 0;) {
        const AcBranch& branch = net.network.branches[static_cast<std::size_t>(br)];
        const std::int32_t feeder = net.feederOfBranch[static_cast<std::size_t>(br)];
        if (feeder >= 0)
          dropOfFeeder[static_cast<std::size_t>(feeder)] +=
              std::abs(v[static_cast<std::size_t>(branch.from)] - v[static_cast<std::size_t>(branch.to)]);
        br = branchTo[static_cast<std::size_t>(branch.from)];
      }
      const auto most = std::max_element(dropOfFeeder.begin(), dropOfFeeder.end());
      if (*most > 0) {
        const auto feeder = static_cast<std::int32_t>(most - dropOfFeeder.begin());
        if (!reinforcedFeeder[static_cast<std::size_t>(feeder)]) reinforce(feeder);
      } else {
        sub.ratedMva = nextTransformerRating(sub.ratedMva);
        changed = true;
      }
    }
    if (!changed) break;
  }

  for (const SiteGrid& site : sites) {
    report.feeders += site.feeders.size();
    for (std::uint32_t f : site.feeders) report.cableKm += geo::length(grid.feeders[f].route) * 1e-3;
  }
  return report;
}

}  // namespace citytwin::energy
