#include "citytwin/io/cityjson_import.hpp"

#include <ogr_geometry.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "cityjson_reader.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/geo/coordinate_transform.hpp"
#include "dem_reprojection.hpp"
#include "gdal_session.hpp"
#include "osm_geometry.hpp"

namespace citytwin::io {
namespace {

std::string readWholeFile(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw Error(path.string() + ": CityJSON file does not exist");
  if (std::filesystem::is_directory(path))
    throw Error(path.string() + ": is a folder, expected a CityJSON file");
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  if (!file) throw Error(path.string() + ": cannot read the CityJSON file");
  return text.str();
}

void addPolygonsOf(const OGRGeometry& geometry, OGRMultiPolygon& parts) {
  const auto type = wkbFlatten(geometry.getGeometryType());
  if (type == wkbPolygon) parts.addGeometry(&geometry);
  if (type == wkbMultiPolygon || type == wkbGeometryCollection)
    for (const OGRGeometry* part : *geometry.toGeometryCollection()) addPolygonsOf(*part, parts);
}

// The footprint faces moved to WGS 84 (lon/lat) and merged into one (multi)polygon by GEOS, so a floor
// made of many triangles becomes its outline; nullptr when GEOS cannot merge them.
std::unique_ptr<OGRGeometry> footprintInWgs84(const std::vector<GroundFace>& faces,
                                              const geo::CoordinateTransform& fromSource) {
  const auto ring = [&](const geo::Ring& points) {
    auto result = std::make_unique<OGRLinearRing>();
    for (const geo::Vec2& p : points) {
      const geo::LonLat lonLat = fromSource.toWgs84(p);
      result->addPoint(lonLat.lon, lonLat.lat);
    }
    result->closeRings();
    return result;
  };
  OGRMultiPolygon parts;
  for (const GroundFace& face : faces) {
    auto polygon = std::make_unique<OGRPolygon>();
    polygon->addRingDirectly(ring(face.outer).release());
    for (const geo::Ring& hole : face.holes) polygon->addRingDirectly(ring(hole).release());
    if (!polygon->IsValid()) {
      // A face that crosses itself is mended rather than dropped; GEOS's union refuses invalid input.
      // MakeValid may give a collection of polygons and the lines left of touching holes: keep the polygons.
      std::unique_ptr<OGRGeometry> mended(polygon->MakeValid());
      if (mended) addPolygonsOf(*mended, parts);
      continue;
    }
    parts.addGeometryDirectly(polygon.release());
  }
  if (parts.IsEmpty()) return nullptr;
  if (parts.getNumGeometries() == 1) return std::unique_ptr<OGRGeometry>(parts.getGeometryRef(0)->clone());
  return std::unique_ptr<OGRGeometry>(parts.UnionCascaded());
}

std::optional<double> positiveNumber(const nlohmann::json& attributes, const char* key) {
  const auto it = attributes.find(key);
  if (it == attributes.end() || !it->is_number()) return std::nullopt;
  const double value = it->get<double>();
  return std::isfinite(value) && value > 0 ? std::optional<double>(value) : std::nullopt;
}

std::string text(const nlohmann::json& attributes, const char* key) {
  const auto it = attributes.find(key);
  return it != attributes.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The attributes the city model keeps: CityGML's names (function, storeysAboveGround, yearOfConstruction,
// name) and those the CityJSON export writes (heightSource).
void carryAttributes(const nlohmann::json& attributes, city::Building& building) {
  building.use = city::buildingUseFromString(text(attributes, "function"));
  building.name = text(attributes, "name");
  if (const auto storeys = positiveNumber(attributes, "storeysAboveGround")) {
    building.levels = static_cast<int>(std::lround(*storeys));
  } else {
    building.levels = std::max(1, static_cast<int>(std::lround(building.heightM / city::kStoreyHeightM)));
  }
  if (const auto year = positiveNumber(attributes, "yearOfConstruction")) {
    building.yearBuilt = static_cast<int>(*year);
  } else if (const std::string yearText = text(attributes, "yearOfConstruction"); yearText.size() >= 4) {
    building.yearBuilt = std::atoi(yearText.substr(0, 4).c_str());
  }
}

}  // namespace

CityJsonImportResult importCityJson(const CityJsonImportOptions& options) {
  if (options.dem && !std::filesystem::exists(*options.dem)) {
    throw Error(options.dem->string() + ": DEM file does not exist");
  }
  const std::string source = options.cityjson.string();
  const CityJsonContent content = readCityJson(readWholeFile(options.cityjson), source);

  CityJsonImportResult result;
  CityJsonImportReport& report = result.report;
  report.sourceEpsg = content.epsg;
  report.cityObjects = content.cityObjects;
  report.buildingObjects = content.buildings.size() + content.buildingsWithoutGeometry;
  report.buildingsWithoutGeometry = content.buildingsWithoutGeometry;
  report.firstSkipped = content.firstWithoutGeometry;
  report.geometryInstances = content.geometryInstances;

  const auto fromSource = [&] {
    try {
      return geo::CoordinateTransform("EPSG:" + std::to_string(content.epsg));
    } catch (const Error& e) {
      throw Error(source + ": metadata.referenceSystem: " + e.what());
    }
  }();

  // Footprints in WGS 84 first: the city's CRS is chosen from their centre, as the OSM import does.
  std::vector<std::unique_ptr<OGRGeometry>> footprints;
  geo::BBox lonLatBounds;
  // GEOS's notes on invalid faces (mended below) would otherwise go to the terminal.
  const GdalErrorCapture geosNotes;
  for (const CityJsonBuildingRecord& record : content.buildings) {
    footprints.push_back(footprintInWgs84(record.groundFaces, fromSource));
    if (!footprints.back()) continue;
    OGREnvelope envelope;
    footprints.back()->getEnvelope(&envelope);
    lonLatBounds.expand(geo::Vec2{envelope.MinX, envelope.MinY});
    lonLatBounds.expand(geo::Vec2{envelope.MaxX, envelope.MaxY});
  }
  city::CityModel& city = result.city;
  if (options.crsEpsg > 0) {
    city.crsEpsg = options.crsEpsg;
  } else if (!lonLatBounds.empty()) {
    city.crsEpsg = geo::utmEpsgFor({lonLatBounds.centre().x, lonLatBounds.centre().y});
  } else {
    throw Error(source + ": no Building with a usable geometry (" + std::to_string(content.cityObjects) +
                " city objects)");
  }
  city.name = options.name.empty() ? options.cityjson.stem().stem().string() : options.name;
  const geo::CoordinateTransform toCity(city.crsName());

  const auto skip = [&](std::size_t& counter, const std::string& id) {
    ++counter;
    if (report.firstSkipped.empty()) report.firstSkipped = id;
  };
  for (std::size_t i = 0; i < content.buildings.size(); ++i) {
    const CityJsonBuildingRecord& record = content.buildings[i];
    if (!footprints[i]) {
      skip(report.buildingsWithoutGeometry, record.id);
      continue;
    }
    city::Building building;
    building.id = record.id;
    building.footprint = projectPolygons(*footprints[i], toCity);
    if (building.footprint.empty()) {
      skip(report.buildingsWithoutGeometry, record.id);
      continue;
    }
    building.groundElevationM = record.groundZ;
    if (record.topZ) {
      building.heightM = *record.topZ - record.groundZ;
      building.heightSource = city::HeightSource::Tagged;  // given by the source, as an OSM height tag
      ++report.heightsFromGeometry;
    } else if (const auto measured = positiveNumber(record.attributes, "measuredHeight")) {
      building.heightM = *measured;
      building.heightSource = city::HeightSource::Tagged;
      ++report.heightsFromAttribute;
    } else {
      skip(report.buildingsWithoutHeight, record.id);
      continue;
    }
    carryAttributes(record.attributes, building);
    city.buildings.push_back(std::move(building));
  }

  city.provenance.push_back({"cityjson", source, fingerprintFile(options.cityjson)});
  if (options.dem) {
    geo::BBox extent;
    for (const auto& building : city.buildings) extent.expand(geo::bounds(building.footprint));
    if (extent.empty()) throw Error(source + ": no buildings to place on a DEM");
    city.terrain = reprojectDem(*options.dem, city.crsEpsg, extent, options.demCellM);
    // The city's terrain is the reference of every elevation its models compare (flood depths); the
    // height above it stays the model's.
    for (auto& building : city.buildings) {
      const auto value = city.terrain.sample(geo::pointOnSurface(building.footprint));
      if (!value) {
        throw Error(options.dem->string() + ": DEM does not cover building " + building.id +
                    "; use a DEM covering the whole area");
      }
      building.groundElevationM = *value;
    }
    city.provenance.push_back({"dem", options.dem->string(), fingerprintFile(*options.dem)});
  }
  return result;
}

}  // namespace citytwin::io
