#include "citytwin/io/osm_import.hpp"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <optional>

#include "area_of_interest.hpp"
#include "bzip2_file.hpp"
#include "citytwin/city/road_connectivity.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/io/osm_tags.hpp"
#include "dem_reprojection.hpp"
#include "gdal_session.hpp"
#include "osm_geometry.hpp"
#include "osm_power.hpp"
#include "osm_road_builder.hpp"
#include "osm_water.hpp"

namespace citytwin::io {
namespace {

struct OsmBuildingCandidate {
  std::string id;
  std::unique_ptr<OGRGeometry> geometry;  // WGS 84
  OsmTags tags;
};

struct OsmContent {
  std::vector<OsmWay> drivableWays;
  std::map<std::uint64_t, OsmTaggedNode> taggedNodes;
  std::vector<OsmBuildingCandidate> buildings;
  OsmWaterCollector water;
  OsmPowerCollector power;
  geo::BBox lonLatBounds;  // x = lon, y = lat
  std::size_t features = 0;
};

OsmTags tagsOf(const OGRFeature& feature) {
  OsmTags tags;
  const OGRFeatureDefn* definition = feature.GetDefnRef();
  for (int i = 0; i < definition->GetFieldCount(); ++i) {
    if (!feature.IsFieldSetAndNotNull(i)) continue;
    const std::string name = definition->GetFieldDefn(i)->GetNameRef();
    if (name == "other_tags") continue;
    tags.set(name, feature.GetFieldAsString(i));
  }
  const int other = definition->GetFieldIndex("other_tags");
  if (other >= 0 && feature.IsFieldSetAndNotNull(other)) tags.addHstore(feature.GetFieldAsString(other));
  return tags;
}

// How an OSM file is read, chosen by its name's ending.
enum class OsmEncoding { Xml, Pbf, Bzip2Xml };

constexpr const char* kAcceptedOsmEndings = ".osm, .osm.pbf (or .pbf), .osm.bz2";

bool endsWith(const std::string& text, const std::string& ending) {
  return text.size() >= ending.size() &&
         text.compare(text.size() - ending.size(), ending.size(), ending) == 0;
}

OsmEncoding osmEncodingOf(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (endsWith(name, ".osm.bz2")) return OsmEncoding::Bzip2Xml;
  if (endsWith(name, ".pbf")) return OsmEncoding::Pbf;
  if (endsWith(name, ".osm")) return OsmEncoding::Xml;
  throw Error(path.string() + ": unknown OSM file ending; accepted endings are " + kAcceptedOsmEndings);
}

OsmContent readOsm(const std::filesystem::path& path, Progress* progress) {
  if (!std::filesystem::exists(path)) throw Error(path.string() + ": OSM file does not exist");
  if (std::filesystem::is_directory(path)) throw Error(path.string() + ": is a folder, expected an OSM file");
  const OsmEncoding encoding = osmEncodingOf(path);
  std::optional<DecompressedBzip2File> decompressed;
  if (encoding == OsmEncoding::Bzip2Xml) decompressed.emplace(path);
  const std::filesystem::path readable = decompressed ? decompressed->path() : path;

  GdalErrorCapture errors;
  // Files saved by editors (JOSM) number new elements with negative ids, which GDAL's own node index
  // refuses ("Unsupported node id value"); its SQLite index takes any id. Set for this read only.
  const CPLConfigOptionSetter anyNodeIds("OSM_USE_CUSTOM_INDEXING", "NO", false);
  const char* drivers[] = {"OSM", nullptr};
  // Interleaved reading visits every layer in one pass over the file, as the OSM driver requires.
  char** openOptions = CSLSetNameValue(nullptr, "INTERLEAVED_READING", "YES");
  std::unique_ptr<GDALDataset> dataset(
      GDALDataset::Open(readable.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, openOptions, nullptr));
  CSLDestroy(openOptions);
  if (!dataset) {
    throw Error(path.string() + ": not a readable OSM file (" + kAcceptedOsmEndings + ")" +
                (errors.hasFailures() ? ": " + errors.failureSummary() : ""));
  }
  OsmContent content;
  OGRLayer* layer = nullptr;
  while (true) {
    std::unique_ptr<OGRFeature> feature(dataset->GetNextFeature(&layer, nullptr, nullptr, nullptr));
    if (!feature) break;
    ++content.features;
    if (progress) progress->advance();
    const std::string layerName = layer->GetName();
    const OGRGeometry* geometry = feature->GetGeometryRef();
    if (!geometry) continue;
    if (layerName == "points") {
      OsmTags tags = tagsOf(*feature);
      content.power.consider(layerName, "osm:node/" + tags.get("osm_id"), *geometry, tags);
      const auto* point = geometry->toPoint();
      const auto key = nodeKey({point->getX(), point->getY()});
      const std::string highway = tags.get("highway");
      content.taggedNodes[key] = {std::atoll(tags.get("osm_id").c_str()), highway == "traffic_signals",
                                  highway == "stop" || highway == "give_way" ? highway : std::string(),
                                  tags.get("direction")};
    } else if (layerName == "lines") {
      OsmTags tags = tagsOf(*feature);
      content.water.consider(layerName, tags, *geometry);
      content.power.consider(layerName, "osm:way/" + tags.get("osm_id"), *geometry, tags);
      if (!city::isDrivableHighwayClass(tags.get("highway"))) continue;
      const std::string access = tags.get("access");
      if (access == "no" || access == "private") continue;
      if (tags.get("area") == "yes") continue;
      OsmWay way;
      way.id = std::atoll(tags.get("osm_id").c_str());
      const auto* line = geometry->toLineString();
      for (int i = 0; i < line->getNumPoints(); ++i) {
        way.vertices.push_back({line->getX(i), line->getY(i)});
        content.lonLatBounds.expand(geo::Vec2{line->getX(i), line->getY(i)});
      }
      way.tags = std::move(tags);
      content.drivableWays.push_back(std::move(way));
    } else if (layerName == "multipolygons") {
      OsmTags tags = tagsOf(*feature);
      content.water.consider(layerName, tags, *geometry);
      const std::string wayId = tags.get("osm_way_id");
      const std::string areaId = wayId.empty() ? "osm:relation/" + tags.get("osm_id") : "osm:way/" + wayId;
      content.power.consider(layerName, areaId, *geometry, tags);
      const std::string building = tags.get("building");
      if (building.empty() || building == "no") continue;
      OsmBuildingCandidate candidate;
      candidate.id = areaId;
      candidate.geometry.reset(geometry->clone());
      OGREnvelope envelope;
      geometry->getEnvelope(&envelope);
      content.lonLatBounds.expand(geo::Vec2{envelope.MinX, envelope.MinY});
      content.lonLatBounds.expand(geo::Vec2{envelope.MaxX, envelope.MaxY});
      candidate.tags = std::move(tags);
      content.buildings.push_back(std::move(candidate));
    }
  }
  if (errors.hasFailures()) {
    throw Error(path.string() + ": truncated or corrupt OSM file: " + errors.failureSummary());
  }
  if (content.features == 0) throw Error(path.string() + ": OSM file holds no features");
  return content;
}

// Storeys assumed where OSM gives neither height nor levels (engine/README.md, "Import defaults").
int defaultLevels(city::BuildingUse use, const std::string& buildingTag) {
  if (buildingTag == "garage" || buildingTag == "garages" || buildingTag == "shed" || buildingTag == "hut" ||
      buildingTag == "kiosk" || buildingTag == "roof") {
    return 1;
  }
  switch (use) {
    case city::BuildingUse::Residential: return 4;
    case city::BuildingUse::Commercial: return 5;
    case city::BuildingUse::Office: return 5;
    case city::BuildingUse::Industrial: return 2;
    case city::BuildingUse::Retail: return 2;
    case city::BuildingUse::Education: return 3;
    case city::BuildingUse::Health: return 4;
    case city::BuildingUse::Public: return 3;
    case city::BuildingUse::Religious: return 4;
    case city::BuildingUse::Other: return 3;
  }
  return 3;
}

city::Building makeBuilding(OsmBuildingCandidate& candidate, const geo::CoordinateTransform& toCity,
                            OsmImportReport& report) {
  city::Building building;
  building.id = candidate.id;
  building.footprint = projectPolygons(*candidate.geometry, toCity);
  const OsmTags& tags = candidate.tags;
  const std::string buildingTag = tags.get("building");
  building.use = city::buildingUseFromOsm(buildingTag, tags.get("amenity"), tags.get("shop"));
  building.name = tags.get("name");
  const auto levels = parseLevels(tags.get("building:levels"));
  const auto height = parseLengthMetres(tags.get("height"));
  if (tags.has("height") || tags.has("building:levels")) ++report.buildingsWithHeightOrLevelsTag;
  if (height && *height > 0) {
    ++report.buildingsWithTaggedHeight;
    building.heightM = *height;
    building.levels = levels.value_or(std::max(1, static_cast<int>(std::lround(*height / city::kStoreyHeightM))));
    building.heightSource = city::HeightSource::Tagged;
  } else if (levels) {
    ++report.buildingsWithLevels;
    building.levels = *levels;
    building.heightM = *levels * city::kStoreyHeightM;
    building.heightSource = city::HeightSource::FromLevels;
  } else {
    building.levels = defaultLevels(building.use, buildingTag);
    building.heightM = building.levels * city::kStoreyHeightM;
    building.heightSource = city::HeightSource::DefaultForUse;
  }
  for (const char* key : {"start_date", "building:start_date", "construction_date", "year_of_construction"}) {
    if (auto year = parseYear(tags.get(key))) {
      building.yearBuilt = *year;
      break;
    }
  }
  return building;
}

void assignElevations(city::CityModel& city, const std::filesystem::path& dem) {
  std::size_t missing = 0;
  std::string example;
  for (auto& node : city.roads.nodes) {
    if (auto value = city.terrain.sample(node.position)) {
      node.elevationM = *value;
    } else if (missing++ == 0) {
      example = node.id;
    }
  }
  for (auto& building : city.buildings) {
    if (auto value = city.terrain.sample(geo::pointOnSurface(building.footprint))) {
      building.groundElevationM = *value;
    } else if (missing++ == 0) {
      example = building.id;
    }
  }
  if (missing > 0) {
    throw Error(dem.string() + ": DEM does not cover " + std::to_string(missing) +
                " road nodes and buildings of the area (first: " + example + "); use a DEM covering the whole area");
  }
}

}  // namespace

OsmImportResult importOsm(const OsmImportOptions& options, Progress* progress) {
  ensureGdalRegistered();
  OsmImportResult result;
  OsmImportReport& report = result.report;
  city::CityModel& city = result.city;

  std::optional<AreaOfInterest> area;
  if (options.areaOfInterest) area.emplace(*options.areaOfInterest);
  if (options.dem && !std::filesystem::exists(*options.dem)) {
    throw Error(options.dem->string() + ": DEM file does not exist");
  }

  OsmContent content = readOsm(options.osm, progress);
  report.osmBuildingFeatures = content.buildings.size();
  report.drivableWays = content.drivableWays.size();

  const geo::LonLat centre = area ? area->centre()
                                  : geo::LonLat{content.lonLatBounds.centre().x, content.lonLatBounds.centre().y};
  city.crsEpsg = options.crsEpsg > 0 ? options.crsEpsg : geo::utmEpsgFor(centre);
  city.name = options.name.empty() ? options.osm.stem().stem().string() : options.name;
  const geo::CoordinateTransform toCity(city.crsName());

  for (auto& candidate : content.buildings) {
    if (area) {
      // GEOS's point-on-surface, as GDAL computes it, decides membership of buildings on the boundary.
      std::unique_ptr<OGRGeometry> inside(OGRGeometry::FromHandle(
          OGR_G_PointOnSurface(OGRGeometry::ToHandle(candidate.geometry.get()))));
      if (!inside || !area->contains(*inside)) {
        ++report.buildingsOutsideArea;
        continue;
      }
    }
    city::Building building = makeBuilding(candidate, toCity, report);
    if (!building.footprint.empty()) city.buildings.push_back(std::move(building));
  }

  auto keepNode = [&](geo::LonLat position) { return !area || area->contains(position); };
  RoadBuildResult roads = buildRoadNetwork(content.drivableWays, content.taggedNodes, toCity, keepNode);
  city.roads = std::move(roads.network);
  report.linksOutsideArea = roads.linksDropped;

  const city::RoadComponents components = city::stronglyConnectedComponents(city.roads);
  report.stronglyConnectedComponents = components.componentSizes.size();
  report.linksInLargestComponent = components.linksInLargest(city.roads);
  report.deadEndLinks = city.roads.links.size() - report.linksInLargestComponent;
  report.deadEnds = city::summariseDeadEnds(city.roads, components);

  const OsmPowerReport power = content.power.addTo(city.grid, toCity, keepNode);
  report.osmSubstations = power.substations + power.transformers;
  report.osmPowerLines = power.lines;

  city.provenance.push_back({"osm", options.osm.string(), fingerprintFile(options.osm)});
  if (options.areaOfInterest) {
    city.provenance.push_back({"aoi", options.areaOfInterest->string(), fingerprintFile(*options.areaOfInterest)});
  }
  if (options.dem) {
    geo::BBox extent;
    for (const auto& node : city.roads.nodes) extent.expand(node.position);
    for (const auto& building : city.buildings) extent.expand(geo::bounds(building.footprint));
    if (extent.empty()) throw Error(options.osm.string() + ": no roads or buildings inside the area to place on a DEM");
    city.terrain = reprojectDem(*options.dem, city.crsEpsg, extent, options.demCellM);
    assignElevations(city, *options.dem);
    for (auto& substation : city.grid.substations) {
      if (auto value = city.terrain.sample(substation.position)) substation.groundElevationM = *value;
    }
    city.provenance.push_back({"dem", options.dem->string(), fingerprintFile(*options.dem)});
  }
  // The sea is closed against the terrain's extent (what the flood grid covers), or the data's.
  city.water = content.water.build(toCity, city.extent());
  return result;
}

}  // namespace citytwin::io
