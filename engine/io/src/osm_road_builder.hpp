#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "citytwin/city/road_network.hpp"
#include "citytwin/geo/coordinate_transform.hpp"
#include "citytwin/io/osm_tags.hpp"

namespace citytwin::io {

// A drivable OSM way as read from GDAL's "lines" layer.
struct OsmWay {
  std::int64_t id = 0;
  std::vector<geo::LonLat> vertices;
  OsmTags tags;
};

// OSM nodes known by id: GDAL's "points" layer names only tagged nodes (e.g. traffic signals).
struct OsmTaggedNode {
  std::int64_t id = 0;
  bool trafficSignals = false;
  std::string sign;       // highway=stop or give_way: "stop", "give_way"; else empty
  std::string direction;  // its direction=* tag ("forward", "backward"), empty when untagged
};

// Key of a node position at OSM's storage precision (1e-7 degree), which ways sharing a node repeat exactly.
std::uint64_t nodeKey(geo::LonLat position);

// Turns drivable ways into a directed road graph: ways are split at every node they share with another
// way (or with themselves), each piece becomes a link per allowed direction. `keepNode` decides which
// nodes lie inside the area of interest; a link is kept when both its ends are kept.
struct RoadBuildResult {
  city::RoadNetwork network;
  std::size_t linksDropped = 0;
};
RoadBuildResult buildRoadNetwork(const std::vector<OsmWay>& ways,
                                 const std::map<std::uint64_t, OsmTaggedNode>& taggedNodes,
                                 const geo::CoordinateTransform& toCity,
                                 const std::function<bool(geo::LonLat)>& keepNode);

}  // namespace citytwin::io
