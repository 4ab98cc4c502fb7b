#include "osm_water.hpp"

#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>

#include "citytwin/core/error.hpp"
#include "osm_geometry.hpp"

namespace citytwin::io {
namespace {

// GDAL's lines carry the way id in osm_id; its multipolygons carry osm_way_id for a closed way and
// osm_id for a relation.
std::string osmIdOf(const std::string& layerName, const OsmTags& tags) {
  if (layerName == "lines") return "osm:way/" + tags.get("osm_id");
  const std::string way = tags.get("osm_way_id");
  return way.empty() ? "osm:relation/" + tags.get("osm_id") : "osm:way/" + way;
}

std::optional<city::WaterKind> waterwayKind(const std::string& tag) {
  if (tag == "river") return city::WaterKind::River;
  if (tag == "stream") return city::WaterKind::Stream;
  if (tag == "canal") return city::WaterKind::Canal;
  if (tag == "drain" || tag == "ditch") return city::WaterKind::Drain;
  return std::nullopt;
}

bool isUnderground(const OsmTags& tags) {
  const std::string tunnel = tags.get("tunnel");
  return (!tunnel.empty() && tunnel != "no") || tags.get("location") == "underground";
}

geo::MultiPolygon projectArea(const OGRGeometry& geometry, const geo::CoordinateTransform& toCity) {
  geo::MultiPolygon parts = projectPolygons(geometry, toCity);
  if (wkbFlatten(geometry.getGeometryType()) == wkbLineString) {
    // A closed way read as a line (waterway=riverbank is not one of the driver's polygon keys).
    geo::Polygon part;
    part.outer = projectRing(*geometry.toLineString(), toCity);
    if (geo::signedRingArea(part.outer) < 0) std::reverse(part.outer.begin(), part.outer.end());
    if (part.outer.size() >= 3) parts.push_back(std::move(part));
  }
  return parts;
}

// The coastline ways of a feature as lines in their drawn direction (closed ways: the ring as drawn).
std::vector<geo::Polyline> coastlineLines(const OGRGeometry& geometry,
                                          const geo::CoordinateTransform& toCity) {
  std::vector<geo::Polyline> lines;
  const auto type = wkbFlatten(geometry.getGeometryType());
  if (type == wkbLineString) lines.push_back(projectLine(*geometry.toLineString(), toCity));
  if (type == wkbMultiLineString)
    for (const OGRLineString* line : *geometry.toMultiLineString())
      lines.push_back(projectLine(*line, toCity));
  if (type == wkbPolygon) lines.push_back(projectLine(*geometry.toPolygon()->getExteriorRing(), toCity));
  if (type == wkbMultiPolygon)
    for (const OGRPolygon* polygon : *geometry.toMultiPolygon())
      lines.push_back(projectLine(*polygon->getExteriorRing(), toCity));
  return lines;
}

bool envelopeMeets(const OGRGeometry& geometry, const geo::CoordinateTransform& toCity,
                   const geo::BBox& box) {
  OGREnvelope e;
  geometry.getEnvelope(&e);
  geo::BBox projected;
  for (double x : {e.MinX, e.MaxX})
    for (double y : {e.MinY, e.MaxY}) projected.expand(toCity.fromWgs84({x, y}));
  return projected.intersects(box);
}

geo::Polygon toPolygon(const OGRPolygon& polygon) {
  geo::Polygon part;
  auto ring = [](const OGRLinearRing& r) {
    geo::Ring result;
    for (int i = 0; i + 1 < r.getNumPoints(); ++i) result.push_back({r.getX(i), r.getY(i)});
    return result;
  };
  part.outer = ring(*polygon.getExteriorRing());
  if (geo::signedRingArea(part.outer) < 0) std::reverse(part.outer.begin(), part.outer.end());
  for (int h = 0; h < polygon.getNumInteriorRings(); ++h) {
    geo::Ring hole = ring(*polygon.getInteriorRing(h));
    if (geo::signedRingArea(hole) > 0) std::reverse(hole.begin(), hole.end());
    part.holes.push_back(std::move(hole));
  }
  return part;
}

void addLineParts(const OGRGeometry* geometry, OGRMultiLineString& into) {
  if (!geometry) return;
  const auto type = wkbFlatten(geometry->getGeometryType());
  if (type == wkbLineString) {
    into.addGeometry(geometry);
  } else if (type == wkbMultiLineString || type == wkbGeometryCollection) {
    for (const OGRGeometry* part : *geometry->toGeometryCollection()) addLineParts(part, into);
  }
}

}  // namespace

OsmWaterCollector::OsmWaterCollector() = default;
OsmWaterCollector::~OsmWaterCollector() = default;
OsmWaterCollector::OsmWaterCollector(OsmWaterCollector&&) noexcept = default;
OsmWaterCollector& OsmWaterCollector::operator=(OsmWaterCollector&&) noexcept = default;

void OsmWaterCollector::consider(const std::string& layerName, const OsmTags& tags,
                                 const OGRGeometry& geometry) {
  const bool lines = layerName == "lines", polygons = layerName == "multipolygons";
  if (!lines && !polygons) return;
  Feature feature;
  feature.id = osmIdOf(layerName, tags);
  if (tags.get("natural") == "coastline") {
    feature.kind = city::WaterKind::Sea;
    feature.geometry.reset(geometry.clone());
    coastlines_.push_back(std::move(feature));
    return;
  }
  const std::string waterway = tags.get("waterway");
  const bool area =
      tags.get("natural") == "water" || tags.get("landuse") == "reservoir" || waterway == "riverbank";
  const auto type = wkbFlatten(geometry.getGeometryType());
  if (area && (polygons || (type == wkbLineString && geometry.toLineString()->get_IsClosed()))) {
    if (isUnderground(tags) || tags.get("covered") == "yes") return;  // a tank or covered reservoir
    feature.kind = city::WaterKind::WaterBody;
    feature.geometry.reset(geometry.clone());
    areas_.push_back(std::move(feature));
    return;
  }
  const auto kind = waterwayKind(waterway);
  if (lines && kind && type == wkbLineString) {
    feature.kind = *kind;
    feature.widthM = parseLengthMetres(tags.get("width")).value_or(0.0);
    feature.depthM = parseLengthMetres(tags.get("depth")).value_or(0.0);
    feature.underground = isUnderground(tags);
    feature.geometry.reset(geometry.clone());
    waterways_.push_back(std::move(feature));
  }
}

city::WaterLayer OsmWaterCollector::build(const geo::CoordinateTransform& toCity,
                                          const geo::BBox& extent) const {
  city::WaterLayer water;
  if (extent.empty()) return water;
  std::vector<geo::Polyline> coast;
  for (const Feature& f : coastlines_)
    if (envelopeMeets(*f.geometry, toCity, extent))
      for (auto& line : coastlineLines(*f.geometry, toCity)) coast.push_back(std::move(line));
  geo::MultiPolygon sea = seaInside(coast, extent);
  if (!sea.empty()) water.areas.push_back({"coastline", city::WaterKind::Sea, std::move(sea)});
  for (const Feature& f : areas_) {
    if (!envelopeMeets(*f.geometry, toCity, extent)) continue;
    geo::MultiPolygon area = projectArea(*f.geometry, toCity);
    if (!area.empty()) water.areas.push_back({f.id, f.kind, std::move(area)});
  }
  for (const Feature& f : waterways_) {
    if (!envelopeMeets(*f.geometry, toCity, extent)) continue;
    geo::Polyline line = projectLine(*f.geometry->toLineString(), toCity);
    if (line.size() >= 2)
      water.waterways.push_back({f.id, f.kind, std::move(line), f.widthM, f.depthM, f.underground});
  }
  return water;
}

geo::MultiPolygon seaInside(const std::vector<geo::Polyline>& coastlines, const geo::BBox& box) {
  geo::MultiPolygon sea;
  if (box.empty() || coastlines.empty()) return sea;
  OGRLinearRing boxRing;
  boxRing.addPoint(box.minX, box.minY);
  boxRing.addPoint(box.maxX, box.minY);
  boxRing.addPoint(box.maxX, box.maxY);
  boxRing.addPoint(box.minX, box.maxY);
  boxRing.addPoint(box.minX, box.minY);
  OGRPolygon boxPolygon;
  boxPolygon.addRing(&boxRing);

  // Cut the box along the coastlines: the faces of the noded lines (coastlines inside the box plus the
  // box's edge) partition the box into land and sea.
  OGRMultiLineString network;
  bool crosses = false;
  for (const geo::Polyline& line : coastlines) {
    if (line.size() < 2) continue;
    OGRLineString ogrLine;
    for (const geo::Vec2& p : line) ogrLine.addPoint(p.x, p.y);
    std::unique_ptr<OGRGeometry> inside(ogrLine.Intersection(&boxPolygon));
    const int before = network.getNumGeometries();
    addLineParts(inside.get(), network);
    crosses = crosses || network.getNumGeometries() > before;
  }
  if (!crosses) return sea;
  OGRLineString edge;
  for (int i = 0; i < boxRing.getNumPoints(); ++i) edge.addPoint(boxRing.getX(i), boxRing.getY(i));
  network.addGeometry(&edge);
  OGRPoint anyPoint(box.minX, box.minY);
  std::unique_ptr<OGRGeometry> noded(network.Union(&anyPoint));
  if (!noded) throw Error("coastline: cannot node the coastlines against the area's edge");
  std::unique_ptr<OGRGeometry> faces(noded->Polygonize());
  if (!faces) throw Error("coastline: cannot build land and sea from the coastlines");

  std::vector<geo::Polygon> parts;
  std::vector<geo::BBox> partBounds;
  for (const OGRGeometry* g : *faces->toGeometryCollection()) {
    if (wkbFlatten(g->getGeometryType()) != wkbPolygon) continue;
    parts.push_back(toPolygon(*g->toPolygon()));
    partBounds.push_back(geo::bounds(parts.back().outer));
  }
  // Each coastline segment votes: the point just right of its middle is sea, just left is land.
  std::vector<double> seaVotes(parts.size(), 0.0);
  auto vote = [&](geo::Vec2 p, double weight) {
    for (std::size_t k = 0; k < parts.size(); ++k)
      if (partBounds[k].contains(p) && geo::contains(parts[k], p)) seaVotes[k] += weight;
  };
  for (const geo::Polyline& line : coastlines)
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      const geo::Vec2 a = line[i], b = line[i + 1];
      const double length = geo::distance(a, b);
      if (!(length > 1e-3)) continue;
      const geo::Vec2 mid{0.5 * (a.x + b.x), 0.5 * (a.y + b.y)};
      if (!box.contains(mid)) continue;
      const double offset = std::min(0.05, 0.25 * length);
      const geo::Vec2 right{(b.y - a.y) / length, -(b.x - a.x) / length};
      vote({mid.x + offset * right.x, mid.y + offset * right.y}, length);
      vote({mid.x - offset * right.x, mid.y - offset * right.y}, -length);
    }
  for (std::size_t k = 0; k < parts.size(); ++k)
    if (seaVotes[k] > 0) sea.push_back(std::move(parts[k]));
  return sea;
}

}  // namespace citytwin::io
