#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>

#include "citytwin/core/error.hpp"
#include "citytwin/io/city_file.hpp"
#include "city_file_layout.hpp"
#include "city_file_reader.hpp"
#include "gdal_session.hpp"

namespace citytwin::io {
namespace {

class GpkgReader {
 public:
  explicit GpkgReader(const std::filesystem::path& path) : path_(path) {
    if (!std::filesystem::exists(path)) throw Error(path.string() + ": city file does not exist");
    const char* drivers[] = {"GPKG", nullptr};
    dataset_.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, nullptr, nullptr));
    if (!dataset_) fail("not a GeoPackage city file");
  }

  OGRLayer& layer(const char* name) {
    OGRLayer* found = dataset_->GetLayerByName(name);
    if (!found) fail(std::string("layer '") + name + "' is missing");
    found->ResetReading();
    return *found;
  }

  bool hasLayer(const char* name) { return dataset_->GetLayerByName(name) != nullptr; }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(path_.string() + ": " + what + (errors_.hasFailures() ? ": " + errors_.failureText() : ""));
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  GdalErrorCapture errors_;
  std::unique_ptr<GDALDataset> dataset_;
};

// Typed field access that names the layer, feature and field when the file does not match the schema.
class FieldReader {
 public:
  FieldReader(const GpkgReader& reader, OGRLayer& layer) : reader_(reader), layer_(layer) {}

  int index(const char* field) const {
    const int i = layer_.GetLayerDefn()->GetFieldIndex(field);
    if (i < 0) reader_.fail(std::string("layer '") + layer_.GetName() + "' has no field '" + field + "'");
    return i;
  }
  std::string text(const OGRFeature& feature, const char* field) const {
    return feature.GetFieldAsString(index(field));
  }
  double real(const OGRFeature& feature, const char* field) const { return feature.GetFieldAsDouble(index(field)); }
  // A column added after schema version 1: files written before it lack it and read as empty.
  std::string optionalText(const OGRFeature& feature, const char* field) const {
    const int i = layer_.GetLayerDefn()->GetFieldIndex(field);
    return i < 0 ? std::string() : std::string(feature.GetFieldAsString(i));
  }
  double optionalReal(const OGRFeature& feature, const char* field) const {
    const int i = layer_.GetLayerDefn()->GetFieldIndex(field);
    return i < 0 ? 0.0 : feature.GetFieldAsDouble(i);
  }
  int integer(const OGRFeature& feature, const char* field) const { return feature.GetFieldAsInteger(index(field)); }
  std::int64_t integer64(const OGRFeature& feature, const char* field) const {
    return feature.GetFieldAsInteger64(index(field));
  }
  template <typename Geometry>
  const Geometry& geometry(const OGRFeature& feature, OGRwkbGeometryType expected) const {
    const OGRGeometry* g = feature.GetGeometryRef();
    if (!g || wkbFlatten(g->getGeometryType()) != expected) {
      reader_.fail(std::string("layer '") + layer_.GetName() + "' feature " + std::to_string(feature.GetFID()) +
                   ": expected a " + OGRGeometryTypeToName(expected) + " geometry");
    }
    return *static_cast<const Geometry*>(g);
  }

 private:
  const GpkgReader& reader_;
  OGRLayer& layer_;
};

geo::Vec2 toVec(const OGRPoint& point) { return {point.getX(), point.getY()}; }

geo::Ring toRing(const OGRLinearRing& ring) {
  geo::Ring result;
  const int count = ring.getNumPoints();
  // The file repeats the first vertex at the end; the model does not.
  for (int i = 0; i + 1 < count; ++i) result.push_back({ring.getX(i), ring.getY(i)});
  return result;
}

geo::Polyline toPolyline(const OGRLineString& line) {
  geo::Polyline result;
  for (int i = 0; i < line.getNumPoints(); ++i) result.push_back({line.getX(i), line.getY(i)});
  return result;
}

geo::MultiPolygon toMultiPolygon(const OGRMultiPolygon& multi) {
  geo::MultiPolygon parts;
  for (const OGRPolygon* polygon : multi) {
    geo::Polygon part;
    part.outer = toRing(*polygon->getExteriorRing());
    for (int h = 0; h < polygon->getNumInteriorRings(); ++h) part.holes.push_back(toRing(*polygon->getInteriorRing(h)));
    parts.push_back(std::move(part));
  }
  return parts;
}

city::WaterKind waterKind(const GpkgReader& reader, OGRLayer& layer, const OGRFeature& feature,
                          const std::string& name) {
  try {
    return city::waterKindFromString(name);
  } catch (const Error& error) {
    reader.fail(std::string("layer '") + layer.GetName() + "' feature " + std::to_string(feature.GetFID()) +
                ": " + error.what());
  }
}

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> words;
  std::stringstream stream(text);
  std::string word;
  while (std::getline(stream, word, ',')) {
    if (!word.empty()) words.push_back(word);
  }
  return words;
}

struct ExactDemGrid {
  std::optional<double> originX, originY, cellSize;
};

std::optional<double> parseExact(const std::unordered_map<std::string, std::string>& values, const char* key) {
  const auto found = values.find(key);
  if (found == values.end()) return std::nullopt;
  return std::strtod(found->second.c_str(), nullptr);
}

void readMetadata(GpkgReader& reader, city::CityModel& city, ExactDemGrid& demGrid) {
  OGRLayer& layer = reader.layer(layout::kMetadata);
  FieldReader fields(reader, layer);
  std::unordered_map<std::string, std::string> values;
  for (auto& feature : layer) values[fields.text(*feature, "key")] = fields.text(*feature, "value");
  const auto version = values.find("schema_version");
  if (version == values.end()) reader.fail("citytwin_metadata has no schema_version");
  if (version->second != std::to_string(kCityFileSchemaVersion)) {
    reader.fail("schema version " + version->second + " is not supported (expected " +
                std::to_string(kCityFileSchemaVersion) + ")");
  }
  const auto epsg = values.find("crs_epsg");
  if (epsg == values.end()) reader.fail("citytwin_metadata has no crs_epsg");
  city.crsEpsg = std::atoi(epsg->second.c_str());
  if (city.crsEpsg <= 0) reader.fail("crs_epsg '" + epsg->second + "' is not an EPSG code");
  city.name = values["name"];
  demGrid.originX = parseExact(values, "dem_origin_x");
  demGrid.originY = parseExact(values, "dem_origin_y");
  demGrid.cellSize = parseExact(values, "dem_cell_size");

  OGRLayer& provenance = reader.layer(layout::kProvenance);
  FieldReader provenanceFields(reader, provenance);
  for (auto& feature : provenance) {
    city.provenance.push_back({provenanceFields.text(*feature, "role"), provenanceFields.text(*feature, "source"),
                               provenanceFields.text(*feature, "fingerprint")});
  }
}

void readRoads(GpkgReader& reader, city::RoadNetwork& roads) {
  std::unordered_map<std::string, std::uint32_t> nodeIndex;
  OGRLayer& nodes = reader.layer(layout::kRoadNodes);
  FieldReader nodeFields(reader, nodes);
  for (auto& feature : nodes) {
    city::RoadNode node;
    node.id = nodeFields.text(*feature, "id");
    node.position = toVec(nodeFields.geometry<OGRPoint>(*feature, wkbPoint));
    node.elevationM = nodeFields.real(*feature, "elevation_m");
    node.trafficSignals = nodeFields.integer(*feature, "traffic_signals") != 0;
    if (!nodeIndex.emplace(node.id, static_cast<std::uint32_t>(roads.nodes.size())).second) {
      reader.fail("road node id '" + node.id + "' appears twice");
    }
    roads.nodes.push_back(std::move(node));
  }
  OGRLayer& links = reader.layer(layout::kRoadLinks);
  FieldReader linkFields(reader, links);
  auto nodeOf = [&](const std::string& id, const std::string& link) {
    const auto found = nodeIndex.find(id);
    if (found == nodeIndex.end()) reader.fail("road link '" + link + "' refers to unknown node '" + id + "'");
    return found->second;
  };
  for (auto& feature : links) {
    city::RoadLink link;
    link.id = linkFields.text(*feature, "id");
    link.osmWayId = linkFields.integer64(*feature, "osm_way_id");
    link.from = nodeOf(linkFields.text(*feature, "from_node"), link.id);
    link.to = nodeOf(linkFields.text(*feature, "to_node"), link.id);
    link.geometry = toPolyline(linkFields.geometry<OGRLineString>(*feature, wkbLineString));
    link.lengthM = linkFields.real(*feature, "length_m");
    link.lanes = linkFields.integer(*feature, "lanes");
    link.speedLimitKph = linkFields.real(*feature, "speed_limit_kph");
    link.capacityVehPerHour = linkFields.real(*feature, "capacity_veh_per_h");
    link.oneWay = linkFields.integer(*feature, "one_way") != 0;
    link.bridge = linkFields.integer(*feature, "bridge") != 0;
    link.tunnel = linkFields.integer(*feature, "tunnel") != 0;
    link.highwayClass = linkFields.text(*feature, "highway");
    link.name = linkFields.text(*feature, "name");
    link.junction = linkFields.optionalText(*feature, "junction");
    link.endSign = linkFields.optionalText(*feature, "end_sign");
    roads.links.push_back(std::move(link));
  }
}

void readBuildings(GpkgReader& reader, city::CityModel& city, std::vector<std::string>& feederOfBuilding) {
  OGRLayer& layer = reader.layer(layout::kBuildings);
  FieldReader fields(reader, layer);
  for (auto& feature : layer) {
    city::Building building;
    building.id = fields.text(*feature, "id");
    building.footprint = toMultiPolygon(fields.geometry<OGRMultiPolygon>(*feature, wkbMultiPolygon));
    building.heightM = fields.real(*feature, "height_m");
    building.levels = fields.integer(*feature, "levels");
    building.use = city::buildingUseFromString(fields.text(*feature, "use"));
    building.yearBuilt = fields.integer(*feature, "year_built");
    building.groundElevationM = fields.real(*feature, "ground_elevation_m");
    building.heightSource = city::heightSourceFromString(fields.text(*feature, "height_source"));
    building.name = fields.text(*feature, "name");
    feederOfBuilding.push_back(fields.text(*feature, "feeder_id"));
    city.buildings.push_back(std::move(building));
  }
}

void readSensors(GpkgReader& reader, std::vector<city::Sensor>& sensors) {
  OGRLayer& layer = reader.layer(layout::kSensors);
  FieldReader fields(reader, layer);
  for (auto& feature : layer) {
    city::Sensor sensor;
    sensor.id = fields.text(*feature, "id");
    sensor.type = fields.text(*feature, "type");
    sensor.position = toVec(fields.geometry<OGRPoint>(*feature, wkbPoint));
    sensor.observedAttributes = splitCommas(fields.text(*feature, "observed_attributes"));
    sensor.refEntity = fields.text(*feature, "ref_entity");
    sensors.push_back(std::move(sensor));
  }
}

// Files written before the water layer existed have neither table: they read as a city without water.
void readWater(GpkgReader& reader, city::WaterLayer& water) {
  if (reader.hasLayer(layout::kWaterAreas)) {
    OGRLayer& layer = reader.layer(layout::kWaterAreas);
    FieldReader fields(reader, layer);
    for (auto& feature : layer) {
      city::WaterArea area;
      area.id = fields.text(*feature, "id");
      area.kind = waterKind(reader, layer, *feature, fields.text(*feature, "kind"));
      area.area = toMultiPolygon(fields.geometry<OGRMultiPolygon>(*feature, wkbMultiPolygon));
      water.areas.push_back(std::move(area));
    }
  }
  if (reader.hasLayer(layout::kWaterways)) {
    OGRLayer& layer = reader.layer(layout::kWaterways);
    FieldReader fields(reader, layer);
    for (auto& feature : layer) {
      city::Waterway way;
      way.id = fields.text(*feature, "id");
      way.kind = waterKind(reader, layer, *feature, fields.text(*feature, "kind"));
      way.line = toPolyline(fields.geometry<OGRLineString>(*feature, wkbLineString));
      way.widthM = fields.real(*feature, "width_m");
      way.depthM = fields.real(*feature, "depth_m");
      way.underground = fields.integer(*feature, "underground") != 0;
      water.waterways.push_back(std::move(way));
    }
  }
}

void readGrid(GpkgReader& reader, city::CityModel& city, const std::vector<std::string>& feederOfBuilding) {
  std::unordered_map<std::string, std::uint32_t> substationIndex;
  std::vector<std::string> supplyFeederOf;
  OGRLayer& substations = reader.layer(layout::kSubstations);
  FieldReader substationFields(reader, substations);
  for (auto& feature : substations) {
    city::Substation substation;
    substation.id = substationFields.text(*feature, "id");
    substation.name = substationFields.text(*feature, "name");
    substation.position = toVec(substationFields.geometry<OGRPoint>(*feature, wkbPoint));
    substation.groundElevationM = substationFields.real(*feature, "ground_elevation_m");
    substation.ratedMva = substationFields.real(*feature, "rated_mva");
    substation.primaryKv = substationFields.real(*feature, "primary_kv");
    substation.secondaryKv = substationFields.real(*feature, "secondary_kv");
    substation.floodThresholdM = substationFields.real(*feature, "flood_threshold_m");
    substation.source = substationFields.optionalText(*feature, "source");
    // Written since the medium-voltage grid; older files have none of the three.
    substation.transformer = substationFields.optionalText(*feature, "transformer");
    substation.tapPercent = substationFields.optionalReal(*feature, "tap_percent");
    supplyFeederOf.push_back(substationFields.optionalText(*feature, "supply_feeder_id"));
    substationIndex[substation.id] = static_cast<std::uint32_t>(city.grid.substations.size());
    city.grid.substations.push_back(std::move(substation));
  }
  std::unordered_map<std::string, std::uint32_t> feederIndex;
  std::vector<std::string> parentOfFeeder;
  OGRLayer& feeders = reader.layer(layout::kFeeders);
  FieldReader feederFields(reader, feeders);
  for (auto& feature : feeders) {
    city::Feeder feeder;
    feeder.id = feederFields.text(*feature, "id");
    const std::string substationId = feederFields.text(*feature, "substation_id");
    if (substationId.empty()) {
      feeder.substation = city::kNoSubstation;  // a mapped line whose substation is not in the city
    } else {
      const auto substation = substationIndex.find(substationId);
      if (substation == substationIndex.end()) {
        reader.fail("feeder '" + feeder.id + "' refers to unknown substation '" + substationId + "'");
      }
      feeder.substation = substation->second;
    }
    parentOfFeeder.push_back(feederFields.optionalText(*feature, "parent_feeder_id"));
    feeder.cable = feederFields.optionalText(*feature, "cable");
    feeder.source = feederFields.optionalText(*feature, "source");
    feeder.route = toPolyline(feederFields.geometry<OGRLineString>(*feature, wkbLineString));
    feeder.voltageKv = feederFields.real(*feature, "voltage_kv");
    feeder.ratedAmps = feederFields.real(*feature, "rated_amps");
    feeder.resistanceOhmPerKm = feederFields.real(*feature, "resistance_ohm_per_km");
    feeder.reactanceOhmPerKm = feederFields.real(*feature, "reactance_ohm_per_km");
    feederIndex[feeder.id] = static_cast<std::uint32_t>(city.grid.feeders.size());
    city.grid.feeders.push_back(std::move(feeder));
  }
  for (std::size_t f = 0; f < parentOfFeeder.size(); ++f) {
    if (parentOfFeeder[f].empty()) continue;
    city::Feeder& feeder = city.grid.feeders[f];
    const auto parent = feederIndex.find(parentOfFeeder[f]);
    if (parent == feederIndex.end()) {
      reader.fail("feeder '" + feeder.id + "' branches off unknown feeder '" + parentOfFeeder[f] + "'");
    }
    if (city.grid.feeders[parent->second].substation != feeder.substation || parent->second == f) {
      reader.fail("feeder '" + feeder.id + "' branches off feeder '" + parentOfFeeder[f] +
                  "' of another substation (or itself)");
    }
    feeder.parentFeeder = static_cast<std::int32_t>(parent->second);
  }
  for (std::size_t s = 0; s < supplyFeederOf.size(); ++s) {
    if (supplyFeederOf[s].empty()) continue;
    city::Substation& substation = city.grid.substations[s];
    const auto feeder = feederIndex.find(supplyFeederOf[s]);
    if (feeder == feederIndex.end()) {
      reader.fail("substation '" + substation.id + "' is supplied by unknown feeder '" + supplyFeederOf[s] +
                  "'");
    }
    if (city.grid.feeders[feeder->second].substation == s) {
      reader.fail("substation '" + substation.id + "' is supplied by its own feeder '" + supplyFeederOf[s] +
                  "'");
    }
    substation.supplyFeeder = static_cast<std::int32_t>(feeder->second);
  }
  for (std::uint32_t b = 0; b < feederOfBuilding.size(); ++b) {
    if (feederOfBuilding[b].empty()) continue;
    const auto feeder = feederIndex.find(feederOfBuilding[b]);
    if (feeder == feederIndex.end()) {
      reader.fail("building '" + city.buildings[b].id + "' refers to unknown feeder '" + feederOfBuilding[b] + "'");
    }
    city.grid.feeders[feeder->second].servedBuildings.push_back(b);
  }
}

geo::RasterGrid readDem(const std::filesystem::path& path) {
  GdalErrorCapture errors;
  const std::string name = "GPKG:" + path.string() + ":" + layout::kDem;
  const char* drivers[] = {"GPKG", nullptr};
  std::unique_ptr<GDALDataset> dataset(
      GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, drivers, nullptr, nullptr));
  if (!dataset) throw Error(path.string() + ": cannot open the DEM raster: " + errors.failureText());
  double transform[6];
  dataset->GetGeoTransform(transform);
  geo::RasterGrid grid(static_cast<std::size_t>(dataset->GetRasterXSize()),
                       static_cast<std::size_t>(dataset->GetRasterYSize()), transform[0], transform[3], transform[1]);
  GDALRasterBand* band = dataset->GetRasterBand(1);
  int hasNoData = 0;
  const double noData = band->GetNoDataValue(&hasNoData);
  if (hasNoData) grid.noData = static_cast<float>(noData);
  if (band->RasterIO(GF_Read, 0, 0, static_cast<int>(grid.columns), static_cast<int>(grid.rows), grid.values.data(),
                     static_cast<int>(grid.columns), static_cast<int>(grid.rows), GDT_Float32, 0, 0,
                     nullptr) != CE_None) {
    throw Error(path.string() + ": cannot read the DEM raster: " + errors.failureText());
  }
  return grid;
}

bool hasDem(const std::filesystem::path& path) {
  GdalErrorCapture errors;
  const char* drivers[] = {"GPKG", nullptr};
  std::unique_ptr<GDALDataset> dataset(
      GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, drivers, nullptr, nullptr));
  if (!dataset) return false;
  char** subdatasets = dataset->GetMetadata("SUBDATASETS");
  const std::string wanted = std::string(":") + layout::kDem;
  for (char** entry = subdatasets; entry && *entry; ++entry) {
    const std::string text = *entry;
    if (text.find("_NAME=") != std::string::npos && text.size() >= wanted.size() &&
        text.compare(text.size() - wanted.size(), wanted.size(), wanted) == 0) {
      return true;
    }
  }
  // A GeoPackage with a single raster table reports no subdatasets; it opens as that raster directly.
  return dataset->GetRasterCount() > 0;
}

}  // namespace

city::CityModel readCityFile(const std::filesystem::path& gpkg) {
  ensureGdalRegistered();
  city::CityModel city;
  std::vector<std::string> feederOfBuilding;
  ExactDemGrid demGrid;
  {
    GpkgReader reader(gpkg);
    if (!reader.hasLayer(layout::kMetadata)) reader.fail("not a citytwin city file (no citytwin_metadata table)");
    readMetadata(reader, city, demGrid);
    readRoads(reader, city.roads);
    readBuildings(reader, city, feederOfBuilding);
    readSensors(reader, city.sensors);
    readGrid(reader, city, feederOfBuilding);
    readWater(reader, city.water);
  }
  if (hasDem(gpkg)) {
    city.terrain = readDem(gpkg);
    if (demGrid.originX && demGrid.originY && demGrid.cellSize) {
      city.terrain.originX = *demGrid.originX;
      city.terrain.originY = *demGrid.originY;
      city.terrain.cellSize = *demGrid.cellSize;
    }
  }
  return city;
}

}  // namespace citytwin::io
