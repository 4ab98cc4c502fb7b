#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::city {

struct RoadNode {
  std::string id;  // "osm:node/123" where OSM names the node, else a stable derived id
  geo::Vec2 position;
  double elevationM = 0.0;
  bool trafficSignals = false;
  friend bool operator==(const RoadNode&, const RoadNode&) = default;
};

// A directed link: a two-way street is two links, one each way, sharing the OSM way id.
struct RoadLink {
  std::string id;            // "osm:way/123:0:f" (way, piece between shared nodes, direction)
  std::int64_t osmWayId = 0; // 0 when not from OSM
  std::uint32_t from = 0;    // index into RoadNetwork::nodes
  std::uint32_t to = 0;
  geo::Polyline geometry;    // from `from` to `to`
  double lengthM = 0.0;
  int lanes = 1;             // lanes in this direction
  double speedLimitKph = 50.0;
  double capacityVehPerHour = 900.0;  // this direction, all lanes
  bool oneWay = false;       // the way is one-way (so no opposite link exists)
  bool bridge = false;
  bool tunnel = false;
  std::string highwayClass;  // OSM highway=* value
  std::string junction;      // OSM junction=* of the way ("roundabout", "circular"; empty when untagged)
  // Traffic sign where the link ends: "stop" or "give_way" (OSM highway=stop / give_way on the approach),
  // empty when none.
  std::string endSign;
  std::string name;
  friend bool operator==(const RoadLink&, const RoadLink&) = default;
};

struct RoadNetwork {
  std::vector<RoadNode> nodes;
  std::vector<RoadLink> links;

  // Outgoing and incoming link indices of every node (built on demand; not part of equality).
  std::vector<std::vector<std::uint32_t>> outgoingLinks() const;
  std::vector<std::vector<std::uint32_t>> incomingLinks() const;

  friend bool operator==(const RoadNetwork&, const RoadNetwork&) = default;
};

// Defaults by OSM highway class, applied where tags are missing (documented in engine/README.md).
struct RoadClassDefaults {
  int lanesPerDirection;
  double speedLimitKph;
  double capacityPerLaneVehPerHour;
};
// nullopt-like: returns false for classes that are not drivable (footway, cycleway, steps, ...).
bool isDrivableHighwayClass(std::string_view highwayClass);
RoadClassDefaults roadClassDefaults(std::string_view highwayClass);

}  // namespace citytwin::city
