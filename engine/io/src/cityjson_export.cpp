#include "citytwin/io/cityjson_export.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::io {
namespace {

using json = nlohmann::json;

// The document's vertex list: positions quantised to the transform's integer grid, each stored once, so
// walls and the floor and roof of one building share their corners.
class VertexPool {
 public:
  VertexPool(std::array<double, 3> translate, double scale) : translate_(translate), scale_(scale) {}

  std::uint32_t add(double x, double y, double z) {
    const std::array<std::int64_t, 3> key = {std::llround((x - translate_[0]) / scale_),
                                             std::llround((y - translate_[1]) / scale_),
                                             std::llround((z - translate_[2]) / scale_)};
    const auto [it, inserted] = index_.try_emplace(key, static_cast<std::uint32_t>(vertices_.size()));
    if (inserted) vertices_.push_back(key);
    return it->second;
  }
  std::size_t size() const { return vertices_.size(); }
  json toJson() const {
    json list = json::array();
    for (const auto& v : vertices_) list.push_back({v[0], v[1], v[2]});
    return list;
  }

 private:
  struct KeyHash {
    std::size_t operator()(const std::array<std::int64_t, 3>& k) const {
      std::uint64_t h = 1469598103934665603ull;
      for (const auto value : k) h = (h ^ static_cast<std::uint64_t>(value)) * 1099511628211ull;
      return static_cast<std::size_t>(h);
    }
  };
  std::array<double, 3> translate_;
  double scale_;
  std::unordered_map<std::array<std::int64_t, 3>, std::uint32_t, KeyHash> index_;
  std::vector<std::array<std::int64_t, 3>> vertices_;
};

using IndexRing = std::vector<std::uint32_t>;

// Drops repeated consecutive indices (two corners closer than the vertex resolution become one); a ring
// left with fewer than three corners is empty.
IndexRing cleaned(IndexRing ring) {
  ring.erase(std::unique(ring.begin(), ring.end()), ring.end());
  while (ring.size() > 1 && ring.front() == ring.back()) ring.pop_back();
  if (ring.size() < 3) ring.clear();
  return ring;
}

IndexRing ringAt(VertexPool& pool, const geo::Ring& ring, double z) {
  IndexRing indices;
  indices.reserve(ring.size());
  for (const geo::Vec2& p : ring) indices.push_back(pool.add(p.x, p.y, z));
  return cleaned(std::move(indices));
}

// Rings as the extrusion needs them: outer counter-clockwise, holes clockwise seen from above, whatever the
// source's winding.
geo::Polygon normalisedWinding(geo::Polygon polygon) {
  if (geo::signedRingArea(polygon.outer) < 0) std::reverse(polygon.outer.begin(), polygon.outer.end());
  for (auto& hole : polygon.holes)
    if (geo::signedRingArea(hole) > 0) std::reverse(hole.begin(), hole.end());
  return polygon;
}

constexpr int kGround = 0, kRoof = 1, kWall = 2;

// One prism: the floor (facing down), the roof (facing up) and a wall per edge, each facing outwards.
struct Shell {
  json surfaces = json::array();
  json semantics = json::array();
};

Shell extrude(VertexPool& pool, const geo::Polygon& source, double bottom, double top) {
  const geo::Polygon polygon = normalisedWinding(source);
  Shell shell;
  std::vector<const geo::Ring*> rings = {&polygon.outer};
  for (const geo::Ring& hole : polygon.holes) rings.push_back(&hole);
  std::vector<IndexRing> low, high;
  for (const geo::Ring* ring : rings) {
    IndexRing b = ringAt(pool, *ring, bottom), t = ringAt(pool, *ring, top);
    if (b.empty() || b.size() != t.size()) {
      if (ring == &polygon.outer) return shell;  // the outline collapses at the vertex resolution
      continue;
    }
    low.push_back(std::move(b));
    high.push_back(std::move(t));
  }
  json floor = json::array(), roof = json::array();
  for (const IndexRing& ring : low) floor.push_back(json(IndexRing(ring.rbegin(), ring.rend())));
  for (const IndexRing& ring : high) roof.push_back(json(ring));
  shell.surfaces.push_back(floor);
  shell.semantics.push_back(kGround);
  shell.surfaces.push_back(roof);
  shell.semantics.push_back(kRoof);
  for (std::size_t r = 0; r < low.size(); ++r) {
    const std::size_t n = low[r].size();
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t j = (i + 1) % n;
      shell.surfaces.push_back(json::array({json::array({low[r][i], low[r][j], high[r][j], high[r][i]})}));
      shell.semantics.push_back(kWall);
    }
  }
  return shell;
}

json semanticSurfaceTypes() {
  return json::array({{{"type", "GroundSurface"}}, {{"type", "RoofSurface"}}, {{"type", "WallSurface"}}});
}

json buildingGeometry(VertexPool& pool, const city::Building& building, double resolution) {
  const double bottom = building.groundElevationM;
  const double top = bottom + building.heightM;
  if (building.heightM < resolution) {
    // A building without height has no solid; its footprint is its LoD0 geometry.
    json surfaces = json::array();
    for (const geo::Polygon& part : building.footprint) {
      const geo::Polygon polygon = normalisedWinding(part);
      json surface = json::array();
      IndexRing outer = ringAt(pool, polygon.outer, bottom);
      if (outer.empty()) continue;
      surface.push_back(outer);
      for (const auto& hole : polygon.holes)
        if (IndexRing ring = ringAt(pool, hole, bottom); !ring.empty()) surface.push_back(ring);
      surfaces.push_back(surface);
    }
    if (surfaces.empty()) return nullptr;
    return {{"type", "MultiSurface"}, {"lod", "0"}, {"boundaries", surfaces}};
  }
  json solids = json::array(), values = json::array();
  for (const geo::Polygon& part : building.footprint) {
    Shell shell = extrude(pool, part, bottom, top);
    if (shell.surfaces.empty()) continue;
    solids.push_back(json::array({shell.surfaces}));
    values.push_back(json::array({shell.semantics}));
  }
  if (solids.empty()) return nullptr;
  if (solids.size() == 1) {
    return {{"type", "Solid"},
            {"lod", "1"},
            {"boundaries", solids[0]},
            {"semantics", {{"surfaces", semanticSurfaceTypes()}, {"values", values[0]}}}};
  }
  // A footprint of several polygons (an OSM multipolygon) is a CompositeSolid, one solid per part: CityJSON
  // Buildings take no MultiSolid.
  return {{"type", "CompositeSolid"},
          {"lod", "1"},
          {"boundaries", solids},
          {"semantics", {{"surfaces", semanticSurfaceTypes()}, {"values", values}}}};
}

json buildingAttributes(const city::Building& building) {
  json attributes = {{"measuredHeight", building.heightM},
                     {"storeysAboveGround", building.levels},
                     {"function", std::string(city::toString(building.use))},
                     {"heightSource", std::string(city::toString(building.heightSource))},
                     {"groundElevation", building.groundElevationM},
                     {"footprintArea", building.footprintAreaM2()},
                     {"grossFloorArea", building.grossFloorAreaM2()}};
  if (building.yearBuilt > 0) attributes["yearOfConstruction"] = building.yearBuilt;
  if (!building.name.empty()) attributes["name"] = building.name;
  return attributes;
}

// Elevation along a link, interpolated by distance between its end nodes' elevations.
json roadLine(VertexPool& pool, const city::RoadNetwork& roads, const city::RoadLink& link) {
  const double z0 = roads.nodes[link.from].elevationM, z1 = roads.nodes[link.to].elevationM;
  const double total = geo::length(link.geometry);
  json line = json::array();
  double along = 0.0;
  std::uint32_t previous = std::numeric_limits<std::uint32_t>::max();
  for (std::size_t i = 0; i < link.geometry.size(); ++i) {
    if (i > 0) along += geo::distance(link.geometry[i - 1], link.geometry[i]);
    const double z = total > 0 ? z0 + (z1 - z0) * along / total : z0;
    const std::uint32_t index = pool.add(link.geometry[i].x, link.geometry[i].y, z);
    if (index != previous) line.push_back(index);
    previous = index;
  }
  return line;
}

bool isReverseOf(const city::RoadLink& a, const city::RoadLink& b) {
  return a.from == b.to && a.to == b.from && a.geometry.size() == b.geometry.size() &&
         std::equal(a.geometry.begin(), a.geometry.end(), b.geometry.rbegin());
}

void addRoads(json& objects, VertexPool& pool, const city::RoadNetwork& roads, CityJsonExportReport& report) {
  // A two-way street is two links over one line: one Road carries both, listing the two link ids.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::size_t>> byEnds;
  for (std::size_t i = 0; i < roads.links.size(); ++i)
    byEnds[{roads.links[i].from, roads.links[i].to}].push_back(i);
  std::vector<bool> merged(roads.links.size(), false);
  for (std::size_t i = 0; i < roads.links.size(); ++i) {
    if (merged[i]) continue;
    const city::RoadLink& link = roads.links[i];
    json line = roadLine(pool, roads, link);
    if (line.size() < 2) continue;
    json linkIds = json::array({link.id});
    int lanes = link.lanes;
    if (auto reverse = byEnds.find({link.to, link.from}); reverse != byEnds.end()) {
      for (const std::size_t j : reverse->second) {
        if (j != i && !merged[j] && isReverseOf(link, roads.links[j])) {
          merged[j] = true;
          linkIds.push_back(roads.links[j].id);
          lanes += roads.links[j].lanes;
          break;
        }
      }
    }
    json attributes = {{"class", link.highwayClass},
                       {"linkIds", linkIds},
                       {"lanes", lanes},
                       {"speedLimitKph", link.speedLimitKph},
                       {"capacityVehPerHour", link.capacityVehPerHour},
                       {"oneWay", linkIds.size() == 1},
                       {"length", link.lengthM},
                       {"bridge", link.bridge},
                       {"tunnel", link.tunnel}};
    if (!link.name.empty()) attributes["name"] = link.name;
    objects[link.id] = {
        {"type", "Road"},
        {"attributes", attributes},
        {"geometry",
         json::array({{{"type", "MultiLineString"}, {"lod", "0"}, {"boundaries", json::array({line})}}})}};
    ++report.roads;
  }
}

// The DEM as one TIN: every k-th cell centre, two triangles per grid square whose corners all have data,
// facing up.
json terrainRelief(VertexPool& pool, const geo::RasterGrid& dem, std::size_t maxSide,
                   std::size_t& triangles) {
  const std::size_t longest = std::max(dem.columns, dem.rows);
  const std::size_t step =
      std::max<std::size_t>(1, (longest + maxSide - 1) / std::max<std::size_t>(2, maxSide));
  std::vector<std::size_t> columns, rows;
  for (std::size_t c = 0; c < dem.columns; c += step) columns.push_back(c);
  if (columns.back() != dem.columns - 1) columns.push_back(dem.columns - 1);
  for (std::size_t r = 0; r < dem.rows; r += step) rows.push_back(r);
  if (rows.back() != dem.rows - 1) rows.push_back(dem.rows - 1);
  const auto valid = [&](std::size_t c, std::size_t r) {
    const float v = dem.at(c, r);
    return std::isfinite(v) && v != dem.noData;
  };
  const auto vertex = [&](std::size_t c, std::size_t r) {
    const geo::Vec2 p = dem.cellCentre(c, r);
    return pool.add(p.x, p.y, dem.at(c, r));
  };
  json surfaces = json::array();
  for (std::size_t ri = 0; ri + 1 < rows.size(); ++ri) {
    for (std::size_t ci = 0; ci + 1 < columns.size(); ++ci) {
      const std::size_t c0 = columns[ci], c1 = columns[ci + 1], r0 = rows[ri], r1 = rows[ri + 1];
      if (!valid(c0, r0) || !valid(c1, r0) || !valid(c0, r1) || !valid(c1, r1)) continue;
      // Row r1 lies south of r0: (c0,r1) -> (c1,r1) -> (c1,r0) runs counter-clockwise seen from above.
      const auto sw = vertex(c0, r1), se = vertex(c1, r1), ne = vertex(c1, r0), nw = vertex(c0, r0);
      surfaces.push_back(json::array({json::array({sw, se, ne})}));
      surfaces.push_back(json::array({json::array({sw, ne, nw})}));
      triangles += 2;
    }
  }
  if (surfaces.empty()) return nullptr;
  return {{"type", "CompositeSurface"}, {"lod", "1"}, {"boundaries", surfaces}};
}

// Lowest corner of everything written, the transform's translation (so every integer is non-negative).
std::array<double, 3> lowestCorner(const city::CityModel& city, bool terrain) {
  const geo::BBox extent = city.extent();
  double minZ = std::numeric_limits<double>::infinity();
  for (const auto& b : city.buildings) minZ = std::min(minZ, b.groundElevationM);
  for (const auto& n : city.roads.nodes) minZ = std::min(minZ, n.elevationM);
  if (terrain)
    for (const float v : city.terrain.values)
      if (std::isfinite(v) && v != city.terrain.noData) minZ = std::min(minZ, static_cast<double>(v));
  if (!std::isfinite(minZ)) minZ = 0.0;
  return {extent.empty() ? 0.0 : std::floor(extent.minX), extent.empty() ? 0.0 : std::floor(extent.minY),
          std::floor(minZ)};
}

}  // namespace

json cityJsonDocument(const city::CityModel& city, const CityJsonExportOptions& options,
                      CityJsonExportReport* out) {
  if (city.crsEpsg <= 0)
    throw Error("city '" + city.name + "' has no EPSG code; CityJSON needs a referenceSystem");
  if (!(options.vertexResolutionM > 0))
    throw Error("CityJSON export: the vertex resolution must be positive");
  CityJsonExportReport report;
  const std::array<double, 3> translate = lowestCorner(city, options.terrain);
  VertexPool pool(translate, options.vertexResolutionM);
  json objects = json::object();
  for (const city::Building& building : city.buildings) {
    json geometry = buildingGeometry(pool, building, options.vertexResolutionM);
    json object = {{"type", "Building"}, {"attributes", buildingAttributes(building)}};
    object["geometry"] = geometry.is_null() ? json::array() : json::array({geometry});
    objects[building.id] = std::move(object);
    ++report.buildings;
  }
  addRoads(objects, pool, city.roads, report);
  if (options.terrain && !city.terrain.empty()) {
    json relief = terrainRelief(pool, city.terrain, options.terrainMaxSide, report.terrainTriangles);
    if (!relief.is_null()) {
      objects["terrain"] = {{"type", "TINRelief"},
                            {"attributes", {{"source", "dem"}, {"demCellSize", city.terrain.cellSize}}},
                            {"geometry", json::array({relief})}};
    }
  }
  report.vertices = pool.size();

  json document = {{"type", "CityJSON"}, {"version", "2.0"}};
  document["transform"] = {
      {"scale", {options.vertexResolutionM, options.vertexResolutionM, options.vertexResolutionM}},
      {"translate", translate}};
  json metadata = {
      {"referenceSystem", "https://www.opengis.net/def/crs/EPSG/0/" + std::to_string(city.crsEpsg)}};
  if (!city.name.empty()) metadata["title"] = city.name;
  // The extent of what was written, from the quantised vertices.
  if (pool.size() > 0) {
    std::array<double, 6> extent = {
        std::numeric_limits<double>::infinity(),  std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::infinity(),  -std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    document["vertices"] = pool.toJson();
    for (const auto& v : document["vertices"]) {
      for (int axis = 0; axis < 3; ++axis) {
        const double value = translate[axis] + v[axis].get<double>() * options.vertexResolutionM;
        extent[axis] = std::min(extent[axis], value);
        extent[axis + 3] = std::max(extent[axis + 3], value);
      }
    }
    metadata["geographicalExtent"] = extent;
  } else {
    document["vertices"] = json::array();
  }
  document["metadata"] = metadata;
  document["CityObjects"] = std::move(objects);
  if (out) *out = report;
  return document;
}

CityJsonExportReport exportCityJson(const city::CityModel& city, const std::filesystem::path& path,
                                    const CityJsonExportOptions& options) {
  CityJsonExportReport report;
  const json document = cityJsonDocument(city, options, &report);
  AtomicOutput output(path);
  {
    std::ofstream file(output.temporaryPath(), std::ios::binary);
    file << document.dump();
    file.flush();
    if (!file) throw Error(path.string() + ": cannot write the CityJSON file");
  }
  output.commit();
  return report;
}

}  // namespace citytwin::io
