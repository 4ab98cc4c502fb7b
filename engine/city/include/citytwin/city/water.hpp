#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::city {

// What a piece of the water layer is. Sea and water bodies are areas; the rest are centrelines.
enum class WaterKind { Sea, WaterBody, River, Stream, Canal, Drain };

std::string_view toString(WaterKind kind);
// Throws Error for a name toString does not give.
WaterKind waterKindFromString(std::string_view name);
bool isWaterway(WaterKind kind);

// Sea (from natural=coastline, closed against the import's extent) or permanent water
// (natural=water, waterway=riverbank, landuse=reservoir).
struct WaterArea {
  std::string id;  // "osm:way/…", "osm:relation/…", or "coastline" for the sea built from coastlines
  WaterKind kind = WaterKind::WaterBody;
  geo::MultiPolygon area;
  friend bool operator==(const WaterArea&, const WaterArea&) = default;
};

// A river, stream, canal or drain centreline, drawn in the direction of flow (OSM convention).
struct Waterway {
  std::string id;
  WaterKind kind = WaterKind::Stream;
  geo::Polyline line;
  double widthM = 0.0;       // tagged width, 0 when untagged
  double depthM = 0.0;       // tagged depth, 0 when untagged
  bool underground = false;  // tunnel or culvert: not part of the ground surface
  friend bool operator==(const Waterway&, const Waterway&) = default;
};

struct WaterLayer {
  std::vector<WaterArea> areas;
  std::vector<Waterway> waterways;
  bool empty() const { return areas.empty() && waterways.empty(); }
  friend bool operator==(const WaterLayer&, const WaterLayer&) = default;
};

}  // namespace citytwin::city
