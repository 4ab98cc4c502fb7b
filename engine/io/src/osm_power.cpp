#include "osm_power.hpp"

#include <ogr_api.h>
#include <ogr_geometry.h>

#include <algorithm>
#include <charconv>
#include <memory>

namespace citytwin::io {
namespace {

// An OSM transformer this close to a mapped substation is that substation's equipment, not a site of its own.
constexpr double kTransformerInSubstationM = 30.0;
// A line whose end lies this close to a substation is taken to leave it.
constexpr double kLineAtSubstationM = 50.0;

geo::LonLat pointOf(const OGRGeometry& geometry) {
  const auto type = wkbFlatten(geometry.getGeometryType());
  if (type == wkbPoint) return {geometry.toPoint()->getX(), geometry.toPoint()->getY()};
  if (type == wkbLineString) {
    // A closed way mapped as a line (GDAL's OSM driver makes only some tags areas): the polygon it bounds.
    const OGRLineString& line = *geometry.toLineString();
    if (line.get_IsClosed() && line.getNumPoints() >= 4) {
      OGRPolygon polygon;
      auto* ring = new OGRLinearRing();
      ring->addSubLineString(&line);
      polygon.addRingDirectly(ring);
      std::unique_ptr<OGRGeometry> inside(
          OGRGeometry::FromHandle(OGR_G_PointOnSurface(OGRGeometry::ToHandle(&polygon))));
      if (inside && wkbFlatten(inside->getGeometryType()) == wkbPoint)
        return {inside->toPoint()->getX(), inside->toPoint()->getY()};
    }
    OGRPoint middle;
    line.Value(line.get_Length() / 2, &middle);
    return {middle.getX(), middle.getY()};
  }
  std::unique_ptr<OGRGeometry> inside(OGRGeometry::FromHandle(
      OGR_G_PointOnSurface(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&geometry)))));
  if (inside && wkbFlatten(inside->getGeometryType()) == wkbPoint)
    return {inside->toPoint()->getX(), inside->toPoint()->getY()};
  OGREnvelope envelope;
  geometry.getEnvelope(&envelope);
  return {(envelope.MinX + envelope.MaxX) / 2, (envelope.MinY + envelope.MaxY) / 2};
}

}  // namespace

std::vector<double> parseVoltagesKv(std::string_view text) {
  std::vector<double> kv;
  while (!text.empty()) {
    const std::size_t cut = text.find(';');
    std::string_view part = text.substr(0, cut);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    double volts = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), volts);
    if (error == std::errc() && end == part.data() + part.size() && volts > 0) kv.push_back(volts / 1000.0);
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + 1);
  }
  return kv;
}

void OsmPowerCollector::consider(std::string_view layer, std::string id, const OGRGeometry& geometry,
                                 const OsmTags& tags) {
  const std::string power = tags.get("power");
  if (power.empty()) return;
  if (power == "substation" || power == "transformer") {
    // Transformers mapped as ways or areas are drawn inside a substation: the substation stands for them.
    if (power == "transformer" && layer != "points") return;
    Site site;
    site.id = std::move(id);
    site.name = tags.has("name") ? tags.get("name") : tags.get("ref");
    site.position = pointOf(geometry);
    site.kv = parseVoltagesKv(tags.get("voltage"));
    site.transformer = power == "transformer";
    sites_.push_back(std::move(site));
  } else if ((power == "line" || power == "cable" || power == "minor_line") && layer == "lines" &&
             wkbFlatten(geometry.getGeometryType()) == wkbLineString) {
    Line line;
    line.id = std::move(id);
    line.power = power;
    const OGRLineString& points = *geometry.toLineString();
    for (int i = 0; i < points.getNumPoints(); ++i) line.vertices.push_back({points.getX(i), points.getY(i)});
    line.kv = parseVoltagesKv(tags.get("voltage"));
    if (line.vertices.size() >= 2) lines_.push_back(std::move(line));
  }
}

OsmPowerReport OsmPowerCollector::addTo(city::GridAssets& grid, const geo::CoordinateTransform& toCity,
                                        const std::function<bool(geo::LonLat)>& inside) const {
  OsmPowerReport report;
  const std::size_t firstSubstation = grid.substations.size();
  // Substations first, so that transformers inside them can be recognised whatever the file order.
  for (bool transformers : {false, true}) {
    for (const Site& site : sites_) {
      if (site.transformer != transformers || !inside(site.position)) continue;
      city::Substation station;
      station.id = site.id;
      station.name = site.name;
      station.position = toCity.fromWgs84(site.position);
      if (!site.kv.empty()) {
        station.primaryKv = *std::max_element(site.kv.begin(), site.kv.end());
        if (site.kv.size() >= 2) station.secondaryKv = *std::min_element(site.kv.begin(), site.kv.end());
      }
      station.source = "osm";
      if (transformers) {
        const bool inSubstation =
            std::any_of(grid.substations.begin() + static_cast<std::ptrdiff_t>(firstSubstation),
                        grid.substations.end(), [&](const city::Substation& s) {
                          return geo::distance(s.position, station.position) <= kTransformerInSubstationM;
                        });
        if (inSubstation) continue;
        ++report.transformers;
      } else {
        ++report.substations;
      }
      grid.substations.push_back(std::move(station));
    }
  }
  for (const Line& line : lines_) {
    if (std::none_of(line.vertices.begin(), line.vertices.end(), inside)) continue;
    city::Feeder feeder;
    feeder.id = line.id;
    for (const geo::LonLat& v : line.vertices) feeder.route.push_back(toCity.fromWgs84(v));
    if (!line.kv.empty()) feeder.voltageKv = *std::max_element(line.kv.begin(), line.kv.end());
    feeder.cable = "power=" + line.power;
    feeder.source = "osm";
    feeder.substation = city::kNoSubstation;
    double best = kLineAtSubstationM;
    for (std::size_t s = firstSubstation; s < grid.substations.size(); ++s) {
      for (const geo::Vec2 end : {feeder.route.front(), feeder.route.back()}) {
        const double d = geo::distance(end, grid.substations[s].position);
        if (d <= best) {
          best = d;
          feeder.substation = static_cast<std::uint32_t>(s);
        }
      }
    }
    if (feeder.substation != city::kNoSubstation) ++report.linesWithSubstation;
    ++report.lines;
    grid.feeders.push_back(std::move(feeder));
  }
  return report;
}

}  // namespace citytwin::io
