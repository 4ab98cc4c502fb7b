#include "road_builder.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "citytwin/city/road_connectivity.hpp"
#include "seeded_random.hpp"
#include "terrain_builder.hpp"

namespace citytwin::generate::detail {
namespace {

constexpr std::uint32_t kNoNode = std::numeric_limits<std::uint32_t>::max();

struct DraftNode {
  geo::Vec2 position;
  bool trafficSignals = false;
};

// One street segment; `oneWay` keeps only the direction a -> b.
struct DraftEdge {
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  StreetClass street = StreetClass::Residential;
  bool bridge = false;
  bool oneWay = false;
  std::string name;
};

struct Draft {
  std::vector<DraftNode> nodes;
  std::vector<DraftEdge> edges;
};

city::RoadLink makeLink(const Draft& draft, const DraftEdge& edge, std::uint32_t from, std::uint32_t to) {
  city::RoadLink link;
  link.from = from;
  link.to = to;
  link.geometry = {draft.nodes[from].position, draft.nodes[to].position};
  link.lengthM = geo::length(link.geometry);
  link.highwayClass = std::string(highwayClassName(edge.street));
  const city::RoadClassDefaults defaults = city::roadClassDefaults(link.highwayClass);
  // The town's primary roads are dual-lane boulevards; everything else keeps the class default.
  link.lanes = edge.street == StreetClass::Primary ? 2 : defaults.lanesPerDirection;
  link.speedLimitKph = defaults.speedLimitKph;
  link.capacityVehPerHour = defaults.capacityPerLaneVehPerHour * link.lanes;
  link.oneWay = edge.oneWay;
  link.bridge = edge.bridge;
  link.name = edge.name;
  return link;
}

// Links only (ids and elevations come later): enough for the connectivity checks.
city::RoadNetwork connectivityView(const Draft& draft) {
  city::RoadNetwork network;
  network.nodes.resize(draft.nodes.size());
  for (const auto& edge : draft.edges) {
    city::RoadLink forward;
    forward.from = edge.a;
    forward.to = edge.b;
    network.links.push_back(forward);
    if (!edge.oneWay) {
      city::RoadLink backward;
      backward.from = edge.b;
      backward.to = edge.a;
      network.links.push_back(backward);
    }
  }
  return network;
}

Draft draftStreets(const TownPlan& plan, const StreetLattice& lattice) {
  const std::uint64_t seed = plan.options.seed;
  const RiverCourse& river = plan.river;
  const double clearance = river.halfWidthM + kRoadRiverClearanceM;
  const std::size_t columns = lattice.columnX.size();
  const std::size_t rows = lattice.rowY.size();
  Draft draft;
  std::vector<std::uint32_t> nodeAt(columns * rows, kNoNode);
  const auto key = [rows](std::size_t i, std::size_t j) { return i * rows + j; };

  for (std::size_t i = 0; i < columns; ++i) {
    for (std::size_t j = 0; j < rows; ++j) {
      const geo::Vec2 p{lattice.columnX[i], lattice.rowY[j]};
      if (river.offset(p) < clearance) continue;
      DraftNode node{p, false};
      const bool primary = lattice.columnClass[i] == StreetClass::Primary || lattice.rowClass[j] == StreetClass::Primary;
      const bool corner = (i == 0 || i + 1 == columns) && (j == 0 || j + 1 == rows);  // a bend, not a crossing
      if (corner) {
        node.trafficSignals = false;
      } else if (lattice.columnClass[i] != StreetClass::Residential && lattice.rowClass[j] != StreetClass::Residential) {
        node.trafficSignals = primary || unitValue(seed, Purpose::Streets, 4, key(i, j)) < 0.5;
      } else if (primary && geo::distance(p, plan.centre) < plan.centreRadiusM) {
        // Busy side-street junctions on the main roads through the centre get signals too.
        node.trafficSignals = unitValue(seed, Purpose::Streets, 4, key(i, j)) < 0.35;
      }
      nodeAt[key(i, j)] = static_cast<std::uint32_t>(draft.nodes.size());
      draft.nodes.push_back(node);
    }
  }

  // East-west streets: a segment exists when both corners exist and it stays clear of the river.
  for (std::size_t j = 0; j < rows; ++j) {
    const std::string name = "Street " + std::to_string(j + 1);
    for (std::size_t i = 0; i + 1 < columns; ++i) {
      const std::uint32_t west = nodeAt[key(i, j)];
      const std::uint32_t east = nodeAt[key(i + 1, j)];
      if (west == kNoNode || east == kNoNode) continue;
      if (river.minimumOffset(draft.nodes[west].position, draft.nodes[east].position) < clearance) continue;
      // A few residential segments are left out (footpaths, pocket parks) so the grid is not perfectly regular.
      if (lattice.rowClass[j] == StreetClass::Residential && unitValue(seed, Purpose::Streets, 3, key(i, j)) < 0.03) {
        continue;
      }
      DraftEdge edge{west, east, lattice.rowClass[j], false, false, name};
      if (lattice.rowOneWay[j]) {
        edge.oneWay = true;
        if (j % 2 == 1) std::swap(edge.a, edge.b);
      }
      draft.edges.push_back(edge);
    }
  }

  // North-south avenues: consecutive nodes of a column, split into approach-bridge-approach at the river.
  for (std::size_t i = 0; i < columns; ++i) {
    const std::string name = "Avenue " + std::to_string(i + 1);
    const double x = lattice.columnX[i];
    const double riverY = river.centreY(x);
    std::uint32_t previous = kNoNode;
    for (std::size_t j = 0; j < rows; ++j) {
      const std::uint32_t current = nodeAt[key(i, j)];
      if (current == kNoNode) continue;
      if (previous != kNoNode) {
        const bool crossesRiver = draft.nodes[previous].position.y < riverY && draft.nodes[current].position.y > riverY;
        if (!crossesRiver) {
          draft.edges.push_back({previous, current, lattice.columnClass[i], false, false, name});
        } else if (lattice.columnBridges[i]) {
          const auto southBank = static_cast<std::uint32_t>(draft.nodes.size());
          draft.nodes.push_back({{x, riverY - river.halfWidthM - kBridgeOverhangM}, false});
          const auto northBank = static_cast<std::uint32_t>(draft.nodes.size());
          draft.nodes.push_back({{x, riverY + river.halfWidthM + kBridgeOverhangM}, false});
          draft.edges.push_back({previous, southBank, lattice.columnClass[i], false, false, name});
          draft.edges.push_back({southBank, northBank, lattice.columnClass[i], true, false, name + " Bridge"});
          draft.edges.push_back({northBank, current, lattice.columnClass[i], false, false, name});
        }
      }
      previous = current;
    }
  }
  return draft;
}

// Two-way streets where one-way ones would strand part of the town, then only the largest strongly
// connected component is kept (a node cut off by the river or a left-out segment goes).
Draft connect(Draft draft) {
  for (int round = 0; round < 16; ++round) {
    const city::RoadComponents components = city::stronglyConnectedComponents(connectivityView(draft));
    bool changed = false;
    for (auto& edge : draft.edges) {
      if (!edge.oneWay) continue;
      if (components.componentOfNode[edge.a] != components.largest ||
          components.componentOfNode[edge.b] != components.largest) {
        edge.oneWay = false;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const city::RoadComponents components = city::stronglyConnectedComponents(connectivityView(draft));
  Draft kept;
  std::vector<std::uint32_t> renumbered(draft.nodes.size(), kNoNode);
  for (std::uint32_t n = 0; n < draft.nodes.size(); ++n) {
    if (components.componentOfNode[n] != components.largest) continue;
    renumbered[n] = static_cast<std::uint32_t>(kept.nodes.size());
    kept.nodes.push_back(draft.nodes[n]);
  }
  for (auto edge : draft.edges) {
    if (renumbered[edge.a] == kNoNode || renumbered[edge.b] == kNoNode) continue;
    edge.a = renumbered[edge.a];
    edge.b = renumbered[edge.b];
    kept.edges.push_back(std::move(edge));
  }
  return kept;
}

}  // namespace

city::RoadNetwork buildRoads(const TownPlan& plan, const StreetLattice& lattice, const geo::RasterGrid& terrain) {
  const Draft draft = connect(draftStreets(plan, lattice));
  city::RoadNetwork network;
  network.nodes.reserve(draft.nodes.size());
  for (std::size_t n = 0; n < draft.nodes.size(); ++n) {
    city::RoadNode node;
    node.id = "sample:node/" + std::to_string(n + 1);
    node.position = draft.nodes[n].position;
    node.elevationM = terrainElevationM(terrain, plan, node.position);
    node.trafficSignals = draft.nodes[n].trafficSignals;
    network.nodes.push_back(std::move(node));
  }
  network.links.reserve(draft.edges.size() * 2);
  for (std::size_t e = 0; e < draft.edges.size(); ++e) {
    const DraftEdge& edge = draft.edges[e];
    const std::string way = "sample:way/" + std::to_string(e + 1) + ":0:";
    city::RoadLink forward = makeLink(draft, edge, edge.a, edge.b);
    forward.id = way + "f";
    network.links.push_back(std::move(forward));
    if (!edge.oneWay) {
      city::RoadLink backward = makeLink(draft, edge, edge.b, edge.a);
      backward.id = way + "b";
      network.links.push_back(std::move(backward));
    }
  }
  return network;
}

}  // namespace citytwin::generate::detail
