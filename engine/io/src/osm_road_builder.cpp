#include "osm_road_builder.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace citytwin::io {

std::uint64_t nodeKey(geo::LonLat position) {
  const auto lon = static_cast<std::int64_t>(std::llround(position.lon * 1e7));
  const auto lat = static_cast<std::int64_t>(std::llround(position.lat * 1e7));
  return (static_cast<std::uint64_t>(lon) << 32) ^ static_cast<std::uint64_t>(lat & 0xffffffff);
}

namespace {

enum class Direction { Both, Forward, Backward };

Direction directionOf(const OsmTags& tags) {
  const std::string oneway = tags.get("oneway");
  if (oneway == "yes" || oneway == "1" || oneway == "true") return Direction::Forward;
  if (oneway == "-1" || oneway == "reverse") return Direction::Backward;
  if (oneway == "no" || oneway == "false" || oneway == "0") return Direction::Both;
  // Implied one-way: roundabouts and motorways (OSM wiki, Key:oneway).
  const std::string junction = tags.get("junction");
  if (junction == "roundabout" || junction == "circular") return Direction::Forward;
  if (tags.get("highway") == "motorway") return Direction::Forward;
  return Direction::Both;
}

// Lanes in one direction: lanes:forward / lanes:backward when tagged, else the total split over the
// directions, else the class default.
int lanesFor(const OsmTags& tags, bool forward, Direction direction, const city::RoadClassDefaults& defaults) {
  if (direction == Direction::Both) {
    if (auto directional = parsePositiveInt(tags.get(forward ? "lanes:forward" : "lanes:backward"))) return *directional;
    if (auto total = parsePositiveInt(tags.get("lanes"))) return std::max(1, *total / 2);
    return defaults.lanesPerDirection;
  }
  if (auto total = parsePositiveInt(tags.get("lanes"))) return *total;
  return defaults.lanesPerDirection;
}

constexpr double kSignalToJunctionM = 25.0;

bool flagSet(const OsmTags& tags, const char* key) {
  const std::string value = tags.get(key);
  return !value.empty() && value != "no";
}

}  // namespace

RoadBuildResult buildRoadNetwork(const std::vector<OsmWay>& ways,
                                 const std::map<std::uint64_t, OsmTaggedNode>& taggedNodes,
                                 const geo::CoordinateTransform& toCity,
                                 const std::function<bool(geo::LonLat)>& keepNode) {
  // How many way vertices stand on each node: more than one means a junction (or a closed way's start).
  std::unordered_map<std::uint64_t, int> uses;
  for (const auto& way : ways) {
    for (const auto& vertex : way.vertices) ++uses[nodeKey(vertex)];
  }

  RoadBuildResult result;
  city::RoadNetwork& network = result.network;
  std::unordered_map<std::uint64_t, std::uint32_t> nodeIndex;
  std::unordered_map<std::uint64_t, bool> kept;
  auto isKept = [&](geo::LonLat position) {
    const auto key = nodeKey(position);
    const auto found = kept.find(key);
    if (found != kept.end()) return found->second;
    return kept[key] = keepNode(position);
  };
  auto nodeFor = [&](const OsmWay& way, std::size_t vertex) -> std::uint32_t {
    const geo::LonLat position = way.vertices[vertex];
    const std::uint64_t key = nodeKey(position);
    if (const auto found = nodeIndex.find(key); found != nodeIndex.end()) return found->second;
    city::RoadNode node;
    const auto tagged = taggedNodes.find(key);
    if (tagged != taggedNodes.end()) {
      node.id = "osm:node/" + std::to_string(tagged->second.id);
      node.trafficSignals = tagged->second.trafficSignals;
    } else {
      // GDAL's lines layer carries no node ids; the first way through a node names it, stably.
      node.id = "osm:way/" + std::to_string(way.id) + "/" + std::to_string(vertex);
    }
    node.position = toCity.fromWgs84(position);
    const auto index = static_cast<std::uint32_t>(network.nodes.size());
    network.nodes.push_back(std::move(node));
    nodeIndex.emplace(key, index);
    return index;
  };

  for (const auto& way : ways) {
    if (way.vertices.size() < 2) continue;
    const std::string highway = way.tags.get("highway");
    const city::RoadClassDefaults defaults = city::roadClassDefaults(highway);
    const Direction direction = directionOf(way.tags);
    const double speed = parseSpeedKph(way.tags.get("maxspeed")).value_or(defaults.speedLimitKph);
    const bool bridge = flagSet(way.tags, "bridge");
    const bool tunnel = flagSet(way.tags, "tunnel");
    const std::string name = way.tags.get("name");
    const std::string junction = way.tags.get("junction");

    std::size_t pieceStart = 0;
    int piece = 0;
    for (std::size_t v = 1; v < way.vertices.size(); ++v) {
      const bool last = v + 1 == way.vertices.size();
      if (!last && uses[nodeKey(way.vertices[v])] < 2) continue;
      const std::size_t pieceEnd = v;
      const geo::LonLat startPosition = way.vertices[pieceStart];
      const geo::LonLat endPosition = way.vertices[pieceEnd];
      const int pieceNumber = piece++;
      const std::size_t firstVertex = pieceStart;
      pieceStart = v;
      if (nodeKey(startPosition) == nodeKey(endPosition) && pieceEnd - firstVertex < 2) continue;
      const int directions = direction == Direction::Both ? 2 : 1;
      if (!isKept(startPosition) || !isKept(endPosition)) {
        result.linksDropped += static_cast<std::size_t>(directions);
        continue;
      }
      const std::uint32_t from = nodeFor(way, firstVertex);
      const std::uint32_t to = nodeFor(way, pieceEnd);
      geo::Polyline geometry;
      for (std::size_t k = firstVertex; k <= pieceEnd; ++k) geometry.push_back(toCity.fromWgs84(way.vertices[k]));
      // OSM often puts highway=traffic_signals on the stop line of each approach, a few metres before the
      // junction node: such a signal controls the junction within kSignalToJunctionM along the way (as
      // netconvert's --tls.guess-signals, default distance 25 m). Farther ones (mid-block pedestrian
      // crossings) control no junction.
      for (std::size_t k = firstVertex + 1; k < pieceEnd; ++k) {
        const auto tagged = taggedNodes.find(nodeKey(way.vertices[k]));
        if (tagged == taggedNodes.end() || !tagged->second.trafficSignals) continue;
        const double fromStart = geo::length(geo::Polyline(
            geometry.begin(), geometry.begin() + static_cast<std::ptrdiff_t>(k - firstVertex) + 1));
        const double toEnd = geo::length(
            geo::Polyline(geometry.begin() + static_cast<std::ptrdiff_t>(k - firstVertex), geometry.end()));
        if (std::min(fromStart, toEnd) <= kSignalToJunctionM)
          network.nodes[fromStart <= toEnd ? from : to].trafficSignals = true;
      }
      // Stop and give-way signs stand on the approach, a few metres before the junction they govern: the
      // same 25 m rule gives the junction; the sign applies to the link that ends there (OSM direction=
      // forward/backward, when tagged, must agree with that link's direction along the way). A sign on the
      // junction node itself names no approach and is not used.
      std::string signAtEnd[2];  // [0]: the forward link's end (`to`), [1]: the backward link's end (`from`)
      for (std::size_t k = firstVertex + 1; k < pieceEnd; ++k) {
        const auto tagged = taggedNodes.find(nodeKey(way.vertices[k]));
        if (tagged == taggedNodes.end() || tagged->second.sign.empty()) continue;
        const double fromStart = geo::length(geo::Polyline(
            geometry.begin(), geometry.begin() + static_cast<std::ptrdiff_t>(k - firstVertex) + 1));
        const double toEnd = geo::length(
            geo::Polyline(geometry.begin() + static_cast<std::ptrdiff_t>(k - firstVertex), geometry.end()));
        if (std::min(fromStart, toEnd) > kSignalToJunctionM) continue;
        const int end = toEnd <= fromStart ? 0 : 1;
        const std::string& signDirection = tagged->second.direction;
        if ((signDirection == "forward" && end != 0) || (signDirection == "backward" && end != 1)) continue;
        signAtEnd[end] = tagged->second.sign;
      }

      auto addLink = [&](bool forward) {
        city::RoadLink link;
        link.id = "osm:way/" + std::to_string(way.id) + ":" + std::to_string(pieceNumber) + (forward ? ":f" : ":b");
        link.osmWayId = way.id;
        link.from = forward ? from : to;
        link.to = forward ? to : from;
        link.geometry = geometry;
        if (!forward) std::reverse(link.geometry.begin(), link.geometry.end());
        link.lengthM = geo::length(link.geometry);
        link.lanes = lanesFor(way.tags, forward, direction, defaults);
        link.speedLimitKph = speed;
        link.capacityVehPerHour = link.lanes * defaults.capacityPerLaneVehPerHour;
        link.oneWay = direction != Direction::Both;
        link.bridge = bridge;
        link.tunnel = tunnel;
        link.highwayClass = highway;
        link.name = name;
        link.junction = junction;
        link.endSign = signAtEnd[forward ? 0 : 1];
        network.links.push_back(std::move(link));
      };
      if (direction != Direction::Backward) addLink(true);
      if (direction != Direction::Forward) addLink(false);
    }
  }
  return result;
}

}  // namespace citytwin::io
