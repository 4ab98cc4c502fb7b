#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/io/city_file.hpp"
#include "city_file_layout.hpp"
#include "gdal_session.hpp"

namespace citytwin::io {
namespace {

struct FieldSpec {
  const char* name;
  OGRFieldType type;
};

class GpkgWriter {
 public:
  GpkgWriter(const std::filesystem::path& finalPath, const std::filesystem::path& path, int epsg)
      : finalPath_(finalPath) {
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (!driver) throw Error("GDAL has no GeoPackage driver");
    dataset_.reset(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!dataset_) fail("cannot create GeoPackage");
    srs_.importFromEPSG(epsg);
    srs_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  }

  OGRLayer* layer(const char* name, OGRwkbGeometryType geometry, const std::vector<FieldSpec>& fields) {
    char** options = CSLSetNameValue(nullptr, "SPATIAL_INDEX", geometry == wkbNone ? "NO" : "YES");
    OGRLayer* created = dataset_->CreateLayer(name, geometry == wkbNone ? nullptr : &srs_, geometry, options);
    CSLDestroy(options);
    if (!created) fail(std::string("cannot create layer ") + name);
    for (const auto& field : fields) {
      OGRFieldDefn definition(field.name, field.type);
      if (created->CreateField(&definition) != OGRERR_NONE) fail(std::string("cannot create field ") + field.name);
    }
    return created;
  }

  void add(OGRLayer* layer, OGRFeature& feature) {
    if (layer->CreateFeature(&feature) != OGRERR_NONE) {
      fail(std::string("cannot write a feature to layer ") + layer->GetName());
    }
  }

  void begin() {
    if (dataset_->StartTransaction() != OGRERR_NONE) fail("cannot start a transaction");
  }
  void commit() {
    if (dataset_->CommitTransaction() != OGRERR_NONE) fail("cannot commit a transaction");
  }
  void close() {
    dataset_->FlushCache(false);
    GDALClose(GDALDataset::ToHandle(dataset_.release()));
    if (errors_.hasFailures()) fail("cannot finish GeoPackage");
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(finalPath_.string() + ": " + what + (errors_.hasFailures() ? ": " + errors_.failureText() : ""));
  }

 private:
  std::filesystem::path finalPath_;
  GdalErrorCapture errors_;
  std::unique_ptr<GDALDataset> dataset_;
  OGRSpatialReference srs_;
};

OGRLinearRing toOgrRing(const geo::Ring& ring) {
  OGRLinearRing result;
  for (const auto& p : ring) result.addPoint(p.x, p.y);
  if (!ring.empty()) result.addPoint(ring.front().x, ring.front().y);
  return result;
}

OGRMultiPolygon toOgr(const geo::MultiPolygon& parts) {
  OGRMultiPolygon multi;
  for (const auto& part : parts) {
    OGRPolygon polygon;
    OGRLinearRing outer = toOgrRing(part.outer);
    polygon.addRing(&outer);
    for (const auto& hole : part.holes) {
      OGRLinearRing ring = toOgrRing(hole);
      polygon.addRing(&ring);
    }
    multi.addGeometry(&polygon);
  }
  return multi;
}

OGRLineString toOgr(const geo::Polyline& line) {
  OGRLineString result;
  for (const auto& p : line) result.addPoint(p.x, p.y);
  return result;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) {
    if (!text.empty()) text += ',';
    text += word;
  }
  return text;
}

void writeRoads(GpkgWriter& writer, const city::RoadNetwork& roads) {
  OGRLayer* nodes = writer.layer(layout::kRoadNodes, wkbPoint,
                                 {{"id", OFTString}, {"elevation_m", OFTReal}, {"traffic_signals", OFTInteger}});
  for (const auto& node : roads.nodes) {
    OGRFeature feature(nodes->GetLayerDefn());
    feature.SetField("id", node.id.c_str());
    feature.SetField("elevation_m", node.elevationM);
    feature.SetField("traffic_signals", node.trafficSignals ? 1 : 0);
    OGRPoint point(node.position.x, node.position.y);
    feature.SetGeometry(&point);
    writer.add(nodes, feature);
  }
  OGRLayer* links = writer.layer(
      layout::kRoadLinks, wkbLineString,
      {{"id", OFTString}, {"osm_way_id", OFTInteger64}, {"from_node", OFTString}, {"to_node", OFTString},
       {"length_m", OFTReal}, {"lanes", OFTInteger}, {"speed_limit_kph", OFTReal}, {"capacity_veh_per_h", OFTReal},
       {"one_way", OFTInteger}, {"bridge", OFTInteger}, {"tunnel", OFTInteger}, {"highway", OFTString},
       {"name", OFTString}, {"junction", OFTString}, {"end_sign", OFTString}});
  for (const auto& link : roads.links) {
    OGRFeature feature(links->GetLayerDefn());
    feature.SetField("id", link.id.c_str());
    feature.SetField("osm_way_id", static_cast<GIntBig>(link.osmWayId));
    feature.SetField("from_node", roads.nodes[link.from].id.c_str());
    feature.SetField("to_node", roads.nodes[link.to].id.c_str());
    feature.SetField("length_m", link.lengthM);
    feature.SetField("lanes", link.lanes);
    feature.SetField("speed_limit_kph", link.speedLimitKph);
    feature.SetField("capacity_veh_per_h", link.capacityVehPerHour);
    feature.SetField("one_way", link.oneWay ? 1 : 0);
    feature.SetField("bridge", link.bridge ? 1 : 0);
    feature.SetField("tunnel", link.tunnel ? 1 : 0);
    feature.SetField("highway", link.highwayClass.c_str());
    feature.SetField("name", link.name.c_str());
    feature.SetField("junction", link.junction.c_str());
    feature.SetField("end_sign", link.endSign.c_str());
    OGRLineString line = toOgr(link.geometry);
    feature.SetGeometry(&line);
    writer.add(links, feature);
  }
}

void writeBuildings(GpkgWriter& writer, const city::CityModel& city) {
  std::vector<const std::string*> feederOfBuilding(city.buildings.size(), nullptr);
  for (const auto& feeder : city.grid.feeders) {
    for (std::uint32_t served : feeder.servedBuildings) feederOfBuilding.at(served) = &feeder.id;
  }
  OGRLayer* layer = writer.layer(
      layout::kBuildings, wkbMultiPolygon,
      {{"id", OFTString}, {"height_m", OFTReal}, {"levels", OFTInteger}, {"use", OFTString},
       {"year_built", OFTInteger}, {"ground_elevation_m", OFTReal}, {"height_source", OFTString},
       {"name", OFTString}, {"gross_floor_area_m2", OFTReal}, {"feeder_id", OFTString}});
  for (std::size_t i = 0; i < city.buildings.size(); ++i) {
    const auto& building = city.buildings[i];
    OGRFeature feature(layer->GetLayerDefn());
    feature.SetField("id", building.id.c_str());
    feature.SetField("height_m", building.heightM);
    feature.SetField("levels", building.levels);
    feature.SetField("use", std::string(city::toString(building.use)).c_str());
    feature.SetField("year_built", building.yearBuilt);
    feature.SetField("ground_elevation_m", building.groundElevationM);
    feature.SetField("height_source", std::string(city::toString(building.heightSource)).c_str());
    feature.SetField("name", building.name.c_str());
    // Derived and informational: QGIS users filter by it; the reader recomputes it.
    feature.SetField("gross_floor_area_m2", building.grossFloorAreaM2());
    if (feederOfBuilding[i]) feature.SetField("feeder_id", feederOfBuilding[i]->c_str());
    OGRMultiPolygon footprint = toOgr(building.footprint);
    feature.SetGeometry(&footprint);
    writer.add(layer, feature);
  }
}

void writeSensors(GpkgWriter& writer, const std::vector<city::Sensor>& sensors) {
  OGRLayer* layer = writer.layer(layout::kSensors, wkbPoint,
                                 {{"id", OFTString}, {"type", OFTString}, {"observed_attributes", OFTString},
                                  {"ref_entity", OFTString}});
  for (const auto& sensor : sensors) {
    OGRFeature feature(layer->GetLayerDefn());
    feature.SetField("id", sensor.id.c_str());
    feature.SetField("type", sensor.type.c_str());
    feature.SetField("observed_attributes", joined(sensor.observedAttributes).c_str());
    feature.SetField("ref_entity", sensor.refEntity.c_str());
    OGRPoint point(sensor.position.x, sensor.position.y);
    feature.SetGeometry(&point);
    writer.add(layer, feature);
  }
}

// The voltage level of a nominal voltage, for styling in QGIS (IEC 60038 bands): LV up to 1 kV, MV up to
// 36 kV, HV above; empty when unknown. Written only: the voltages themselves are what is read back.
std::string voltageLevel(double kv) {
  if (kv <= 0) return "";
  if (kv <= 1.0) return "LV";
  return kv <= 36.0 ? "MV" : "HV";
}

std::string transformationLevel(const city::Substation& substation) {
  const std::string primary = voltageLevel(substation.primaryKv),
                    secondary = voltageLevel(substation.secondaryKv);
  if (primary.empty() || secondary.empty()) return primary + secondary;
  return primary + "/" + secondary;
}

void writeGrid(GpkgWriter& writer, const city::GridAssets& grid) {
  OGRLayer* substations = writer.layer(layout::kSubstations, wkbPoint,
                                       {{"id", OFTString},
                                        {"name", OFTString},
                                        {"ground_elevation_m", OFTReal},
                                        {"rated_mva", OFTReal},
                                        {"primary_kv", OFTReal},
                                        {"secondary_kv", OFTReal},
                                        {"flood_threshold_m", OFTReal},
                                        {"source", OFTString},
                                        {"voltage_level", OFTString},
                                        {"transformer", OFTString},
                                        {"tap_percent", OFTReal},
                                        {"supply_feeder_id", OFTString}});
  for (const auto& substation : grid.substations) {
    OGRFeature feature(substations->GetLayerDefn());
    feature.SetField("id", substation.id.c_str());
    feature.SetField("name", substation.name.c_str());
    feature.SetField("ground_elevation_m", substation.groundElevationM);
    feature.SetField("rated_mva", substation.ratedMva);
    feature.SetField("primary_kv", substation.primaryKv);
    feature.SetField("secondary_kv", substation.secondaryKv);
    feature.SetField("flood_threshold_m", substation.floodThresholdM);
    feature.SetField("source", substation.source.c_str());
    feature.SetField("voltage_level", transformationLevel(substation).c_str());
    feature.SetField("transformer", substation.transformer.c_str());
    feature.SetField("tap_percent", substation.tapPercent);
    feature.SetField("supply_feeder_id",
                     substation.supplyFeeder < 0
                         ? ""
                         : grid.feeders.at(static_cast<std::size_t>(substation.supplyFeeder)).id.c_str());
    OGRPoint point(substation.position.x, substation.position.y);
    feature.SetGeometry(&point);
    writer.add(substations, feature);
  }
  OGRLayer* feeders = writer.layer(layout::kFeeders, wkbLineString,
                                   {{"id", OFTString},
                                    {"substation_id", OFTString},
                                    {"voltage_kv", OFTReal},
                                    {"rated_amps", OFTReal},
                                    {"resistance_ohm_per_km", OFTReal},
                                    {"reactance_ohm_per_km", OFTReal},
                                    {"parent_feeder_id", OFTString},
                                    {"cable", OFTString},
                                    {"source", OFTString},
                                    {"voltage_level", OFTString}});
  for (const auto& feeder : grid.feeders) {
    OGRFeature feature(feeders->GetLayerDefn());
    feature.SetField("id", feeder.id.c_str());
    feature.SetField("substation_id", feeder.substation == city::kNoSubstation
                                          ? ""
                                          : grid.substations.at(feeder.substation).id.c_str());
    feature.SetField("parent_feeder_id",
                     feeder.parentFeeder < 0
                         ? ""
                         : grid.feeders.at(static_cast<std::size_t>(feeder.parentFeeder)).id.c_str());
    feature.SetField("cable", feeder.cable.c_str());
    feature.SetField("source", feeder.source.c_str());
    feature.SetField("voltage_level", voltageLevel(feeder.voltageKv).c_str());
    feature.SetField("voltage_kv", feeder.voltageKv);
    feature.SetField("rated_amps", feeder.ratedAmps);
    feature.SetField("resistance_ohm_per_km", feeder.resistanceOhmPerKm);
    feature.SetField("reactance_ohm_per_km", feeder.reactanceOhmPerKm);
    OGRLineString line = toOgr(feeder.route);
    feature.SetGeometry(&line);
    writer.add(feeders, feature);
  }
}

void writeWater(GpkgWriter& writer, const city::WaterLayer& water) {
  OGRLayer* areas =
      writer.layer(layout::kWaterAreas, wkbMultiPolygon, {{"id", OFTString}, {"kind", OFTString}});
  for (const auto& area : water.areas) {
    OGRFeature feature(areas->GetLayerDefn());
    feature.SetField("id", area.id.c_str());
    feature.SetField("kind", std::string(city::toString(area.kind)).c_str());
    OGRMultiPolygon geometry = toOgr(area.area);
    feature.SetGeometry(&geometry);
    writer.add(areas, feature);
  }
  OGRLayer* ways = writer.layer(layout::kWaterways, wkbLineString,
                                {{"id", OFTString},
                                 {"kind", OFTString},
                                 {"width_m", OFTReal},
                                 {"depth_m", OFTReal},
                                 {"underground", OFTInteger}});
  for (const auto& way : water.waterways) {
    OGRFeature feature(ways->GetLayerDefn());
    feature.SetField("id", way.id.c_str());
    feature.SetField("kind", std::string(city::toString(way.kind)).c_str());
    feature.SetField("width_m", way.widthM);
    feature.SetField("depth_m", way.depthM);
    feature.SetField("underground", way.underground ? 1 : 0);
    OGRLineString line = toOgr(way.line);
    feature.SetGeometry(&line);
    writer.add(ways, feature);
  }
}

void writeTables(GpkgWriter& writer, const city::CityModel& city) {
  OGRLayer* metadata = writer.layer(layout::kMetadata, wkbNone, {{"key", OFTString}, {"value", OFTString}});
  const std::vector<std::pair<std::string, std::string>> entries = {
      {"schema_version", std::to_string(kCityFileSchemaVersion)},
      {"crs_epsg", std::to_string(city.crsEpsg)},
      {"name", city.name},
      {"writer", "citytwin 0.1.0"},
  };
  std::vector<std::pair<std::string, std::string>> demEntries;
  if (!city.terrain.empty()) {
    // The GeoPackage tile matrix rounds the DEM's corner and cell size; keep the exact grid too.
    auto exact = [](double value) {
      char text[40];
      std::snprintf(text, sizeof text, "%.17g", value);
      return std::string(text);
    };
    demEntries = {{"dem_origin_x", exact(city.terrain.originX)},
                  {"dem_origin_y", exact(city.terrain.originY)},
                  {"dem_cell_size", exact(city.terrain.cellSize)}};
  }
  for (const auto& [key, value] : demEntries) {
    OGRFeature feature(metadata->GetLayerDefn());
    feature.SetField("key", key.c_str());
    feature.SetField("value", value.c_str());
    writer.add(metadata, feature);
  }
  for (const auto& [key, value] : entries) {
    OGRFeature feature(metadata->GetLayerDefn());
    feature.SetField("key", key.c_str());
    feature.SetField("value", value.c_str());
    writer.add(metadata, feature);
  }
  OGRLayer* provenance =
      writer.layer(layout::kProvenance, wkbNone, {{"role", OFTString}, {"source", OFTString}, {"fingerprint", OFTString}});
  for (const auto& input : city.provenance) {
    OGRFeature feature(provenance->GetLayerDefn());
    feature.SetField("role", input.role.c_str());
    feature.SetField("source", input.source.c_str());
    feature.SetField("fingerprint", input.fingerprint.c_str());
    writer.add(provenance, feature);
  }
}

void writeDem(const geo::RasterGrid& terrain, int epsg, const std::filesystem::path& finalPath,
              const std::filesystem::path& path) {
  GdalErrorCapture errors;
  auto fail = [&](const std::string& what) {
    throw Error(finalPath.string() + ": " + what + (errors.hasFailures() ? ": " + errors.failureText() : ""));
  };
  GDALDriver* memory = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
  std::unique_ptr<GDALDataset> source(memory->Create("", static_cast<int>(terrain.columns),
                                                     static_cast<int>(terrain.rows), 1, GDT_Float32, nullptr));
  double transform[6] = {terrain.originX, terrain.cellSize, 0.0, terrain.originY, 0.0, -terrain.cellSize};
  source->SetGeoTransform(transform);
  OGRSpatialReference srs;
  srs.importFromEPSG(epsg);
  source->SetSpatialRef(&srs);
  GDALRasterBand* band = source->GetRasterBand(1);
  band->SetNoDataValue(terrain.noData);
  if (band->RasterIO(GF_Write, 0, 0, static_cast<int>(terrain.columns), static_cast<int>(terrain.rows),
                     const_cast<float*>(terrain.values.data()), static_cast<int>(terrain.columns),
                     static_cast<int>(terrain.rows), GDT_Float32, 0, 0, nullptr) != CE_None) {
    fail("cannot stage the DEM");
  }
  char** options = nullptr;
  options = CSLSetNameValue(options, "APPEND_SUBDATASET", "YES");
  options = CSLSetNameValue(options, "RASTER_TABLE", layout::kDem);
  // TIFF tiles keep Float32 elevations exact (PNG tiles would quantise them).
  options = CSLSetNameValue(options, "TILE_FORMAT", "TIFF");
  std::unique_ptr<GDALDataset> copy(
      gpkg->CreateCopy(path.c_str(), source.get(), FALSE, options, nullptr, nullptr));
  CSLDestroy(options);
  if (!copy) fail("cannot write the DEM raster");
  copy->FlushCache(false);
  GDALClose(GDALDataset::ToHandle(copy.release()));
  if (errors.hasFailures()) fail("cannot finish the DEM raster");
}

}  // namespace

void saveCity(const city::CityModel& city, const std::filesystem::path& gpkg) {
  ensureGdalRegistered();
  if (city.crsEpsg <= 0) throw Error(gpkg.string() + ": the city has no CRS (EPSG code) to save with");
  AtomicOutput output(gpkg);
  {
    GpkgWriter writer(gpkg, output.temporaryPath(), city.crsEpsg);
    writer.begin();
    writeRoads(writer, city.roads);
    writeBuildings(writer, city);
    writeSensors(writer, city.sensors);
    writeGrid(writer, city.grid);
    writeWater(writer, city.water);
    writeTables(writer, city);
    writer.commit();
    writer.close();
  }
  if (!city.terrain.empty()) writeDem(city.terrain, city.crsEpsg, gpkg, output.temporaryPath());
  output.commit();
}

}  // namespace citytwin::io
