#include "features_api.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>

#include "citytwin/core/date_time.hpp"
#include "citytwin/geo/coordinate_transform.hpp"
#include "percent_encoding.hpp"

namespace citytwin::server {

using json = nlohmann::json;

namespace {

constexpr const char* kGeoJson = "application/geo+json";
constexpr const char* kJsonType = "application/json";
constexpr const char* kOpenApi = "application/vnd.oai.openapi+json;version=3.0";
constexpr const char* kCrs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

// An OGC API exception: HTTP status and the {code, description} body the standard's OpenAPI fragments use.
struct ApiError : std::runtime_error {
  int status;
  ApiError(int s, const std::string& message) : std::runtime_error(message), status(s) {}
};

std::string baseUrl(const httplib::Request& req) {
  const std::string host = req.get_header_value("Host");
  return "http://" + (host.empty() ? std::string("127.0.0.1") : host) + kFeaturesApiPrefix;
}

json link(const std::string& href, const std::string& rel, const std::string& type,
          const std::string& title = "") {
  json l = {{"href", href}, {"rel", rel}, {"type", type}};
  if (!title.empty()) l["title"] = title;
  return l;
}

json position(const geo::CoordinateTransform& toWgs84, geo::Vec2 p, geo::BBox& bounds) {
  const geo::LonLat ll = toWgs84.toWgs84(p);
  bounds.expand(geo::Vec2{ll.lon, ll.lat});
  return json::array({ll.lon, ll.lat});
}

json lineCoordinates(const geo::CoordinateTransform& t, const geo::Polyline& line, geo::BBox& bounds) {
  json coordinates = json::array();
  for (const geo::Vec2& p : line) coordinates.push_back(position(t, p, bounds));
  return coordinates;
}

json ringCoordinates(const geo::CoordinateTransform& t, const geo::Ring& ring, geo::BBox& bounds) {
  json coordinates = lineCoordinates(t, ring, bounds);
  if (!ring.empty()) coordinates.push_back(coordinates.front());  // GeoJSON rings are closed
  return coordinates;
}

json polygonGeometry(const geo::CoordinateTransform& t, const geo::MultiPolygon& parts, geo::BBox& bounds) {
  json polygons = json::array();
  for (const geo::Polygon& part : parts) {
    json rings = json::array({ringCoordinates(t, part.outer, bounds)});
    for (const geo::Ring& hole : part.holes) rings.push_back(ringCoordinates(t, hole, bounds));
    polygons.push_back(rings);
  }
  // One type per collection, so GIS clients see one layer geometry type.
  return {{"type", "MultiPolygon"}, {"coordinates", polygons}};
}

std::optional<std::size_t> parseCount(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 12) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(std::stoull(text));
}

// bbox=minLon,minLat,maxLon,maxLat (or the 6-number form with heights, whose heights are ignored).
geo::BBox parseBbox(const std::string& text) {
  std::vector<double> numbers;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    char* stop = nullptr;
    const double value = std::strtod(item.c_str(), &stop);
    if (item.empty() || *stop != '\0' || !std::isfinite(value)) {
      throw ApiError(400, "bbox: '" + item + "' is not a number; expected minLon,minLat,maxLon,maxLat");
    }
    numbers.push_back(value);
    start = end + 1;
  }
  if (numbers.size() != 4 && numbers.size() != 6) {
    throw ApiError(400, "bbox: expected 4 numbers (minLon,minLat,maxLon,maxLat) or 6, got " +
                            std::to_string(numbers.size()));
  }
  const std::size_t half = numbers.size() / 2;
  geo::BBox box{numbers[0], numbers[1], numbers[half], numbers[half + 1]};
  if (box.minY > box.maxY) throw ApiError(400, "bbox: the southern edge lies north of the northern edge");
  return box;
}

}  // namespace

struct FeaturesApi::Collection {
  std::string id;
  std::string title;
  std::string layer;  // the city-state layer whose live columns merge into the properties
  struct Feature {
    std::string id;
    geo::BBox bounds;  // lon/lat
    json geometry;
    json properties;
  };
  std::vector<Feature> features;
  std::map<std::string, std::size_t, std::less<>> byId;
  geo::BBox extent;

  void add(std::string featureId, json geometry, const geo::BBox& bounds, json properties) {
    byId.emplace(featureId, features.size());
    extent.expand(bounds);
    features.push_back({std::move(featureId), bounds, std::move(geometry), std::move(properties)});
  }

  json describe(const std::string& base) const {
    const std::string self = base + "/collections/" + id;
    return {{"id", id},
            {"title", title},
            {"itemType", "feature"},
            {"crs", json::array({kCrs84})},
            {"extent",
             {{"spatial",
               {{"bbox", json::array({json::array({extent.minX, extent.minY, extent.maxX, extent.maxY})})},
                {"crs", kCrs84}}}}},
            {"links", json::array({link(self, "self", kJsonType, title),
                                   link(self + "/items", "items", kGeoJson, title + " as GeoJSON")})}};
  }
};

FeaturesApi::FeaturesApi(const city::CityModel& city, std::function<json()> liveSummary,
                         FeaturesPaging paging)
    : liveSummary_(std::move(liveSummary)), paging_(paging), title_(city.name) {
  const geo::CoordinateTransform t(city.crsName());
  auto buildings = std::make_unique<Collection>(Collection{"buildings", "Buildings", "building", {}, {}, {}});
  for (const city::Building& b : city.buildings) {
    geo::BBox bounds;
    json geometry = polygonGeometry(t, b.footprint, bounds);
    buildings->add(b.id, std::move(geometry), bounds,
                   {{"name", b.name},
                    {"use", std::string(city::toString(b.use))},
                    {"height_m", b.heightM},
                    {"levels", b.levels},
                    {"year_built", b.yearBuilt},
                    {"ground_elevation_m", b.groundElevationM},
                    {"height_source", std::string(city::toString(b.heightSource))},
                    {"footprint_area_m2", b.footprintAreaM2()},
                    {"gross_floor_area_m2", b.grossFloorAreaM2()}});
  }
  auto roads = std::make_unique<Collection>(
      Collection{"road_links", "Road links (one per direction)", "road_link", {}, {}, {}});
  for (const city::RoadLink& l : city.roads.links) {
    geo::BBox bounds;
    json geometry = {{"type", "LineString"}, {"coordinates", lineCoordinates(t, l.geometry, bounds)}};
    roads->add(l.id, std::move(geometry), bounds,
               {{"from_node", city.roads.nodes[l.from].id},
                {"to_node", city.roads.nodes[l.to].id},
                {"length_m", l.lengthM},
                {"lanes", l.lanes},
                {"speed_limit_kph", l.speedLimitKph},
                {"capacity_veh_per_h", l.capacityVehPerHour},
                {"one_way", l.oneWay},
                {"bridge", l.bridge},
                {"tunnel", l.tunnel},
                {"highway", l.highwayClass},
                {"name", l.name}});
  }
  auto sensors = std::make_unique<Collection>(
      Collection{"sensors", "Sensors of the context feeds", "sensor", {}, {}, {}});
  for (const city::Sensor& s : city.sensors) {
    geo::BBox bounds;
    json geometry = {{"type", "Point"}, {"coordinates", position(t, s.position, bounds)}};
    std::string observed;
    for (const auto& attribute : s.observedAttributes) observed += (observed.empty() ? "" : ",") + attribute;
    sensors->add(s.id, std::move(geometry), bounds,
                 {{"sensor_type", s.type}, {"observed_attributes", observed}, {"ref_entity", s.refEntity}});
  }
  auto substations = std::make_unique<Collection>(
      Collection{"grid_substations", "Grid substations", "substation", {}, {}, {}});
  for (const city::Substation& s : city.grid.substations) {
    geo::BBox bounds;
    json geometry = {{"type", "Point"}, {"coordinates", position(t, s.position, bounds)}};
    substations->add(s.id, std::move(geometry), bounds,
                     {{"name", s.name},
                      {"rated_mva", s.ratedMva},
                      {"primary_kv", s.primaryKv},
                      {"secondary_kv", s.secondaryKv},
                      {"flood_threshold_m", s.floodThresholdM},
                      {"ground_elevation_m", s.groundElevationM},
                      {"source", s.source},
                      {"transformer", s.transformer},
                      {"supply_feeder", s.supplyFeeder >= 0 && static_cast<std::size_t>(s.supplyFeeder) <
                                                                   city.grid.feeders.size()
                                            ? city.grid.feeders[static_cast<std::size_t>(s.supplyFeeder)].id
                                            : std::string()}});
  }
  auto feeders =
      std::make_unique<Collection>(Collection{"grid_feeders", "Grid feeder sections", "feeder", {}, {}, {}});
  for (const city::Feeder& f : city.grid.feeders) {
    geo::BBox bounds;
    json geometry = {{"type", "LineString"}, {"coordinates", lineCoordinates(t, f.route, bounds)}};
    const bool known = f.substation < city.grid.substations.size();
    feeders->add(f.id, std::move(geometry), bounds,
                 {{"substation", known ? city.grid.substations[f.substation].id : std::string()},
                  {"voltage_kv", f.voltageKv},
                  {"rated_amps", f.ratedAmps},
                  {"served_buildings", f.servedBuildings.size()},
                  {"cable", f.cable},
                  {"source", f.source}});
  }
  // Collections "as present": a layer the city lacks is not offered.
  for (auto* c : {&buildings, &roads, &sensors, &substations, &feeders})
    if (!(*c)->features.empty()) collections_.push_back(std::move(*c));
}

FeaturesApi::~FeaturesApi() = default;

void FeaturesApi::install(httplib::Server& server) const {
  const auto handle = [](auto body) {
    return [body](const httplib::Request& req, httplib::Response& res) {
      try {
        body(req, res);
      } catch (const ApiError& e) {
        res.status = e.status;
        res.set_content(
            json{{"code", e.status == 404 ? "NotFound" : "InvalidParameterValue"}, {"description", e.what()}}
                .dump(),
            kJsonType);
      } catch (const std::exception& e) {
        res.status = 500;
        res.set_content(json{{"code", "ServerError"}, {"description", e.what()}}.dump(), kJsonType);
      }
    };
  };
  const auto findCollection = [this](const std::string& id) -> const Collection& {
    for (const auto& c : collections_)
      if (c->id == id) return *c;
    throw ApiError(404, "no collection '" + id + "'");
  };
  const std::string prefix = kFeaturesApiPrefix;

  const auto landing = handle([this](const httplib::Request& req, httplib::Response& res) {
    const std::string base = baseUrl(req);
    json document = {
        {"title", "citytwin: " + title_},
        {"description", "OGC API - Features of the served city, with its live values"},
        {"links", json::array({link(base, "self", kJsonType, "this document"),
                               link(base + "/api", "service-desc", kOpenApi, "the API definition"),
                               link(base + "/conformance", "conformance", kJsonType),
                               link(base + "/collections", "data", kJsonType)})}};
    res.set_content(document.dump(), kJsonType);
  });
  server.Get(prefix, landing);
  server.Get(prefix + "/", landing);

  server.Get(prefix + "/conformance", handle([](const httplib::Request&, httplib::Response& res) {
               res.set_content(json{{"conformsTo",
                                     {"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                                      "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                                      "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"}}}
                                   .dump(),
                               kJsonType);
             }));

  server.Get(
      prefix + "/api", handle([this](const httplib::Request& req, httplib::Response& res) {
        const json limit = {{"name", "limit"},
                            {"in", "query"},
                            {"schema",
                             {{"type", "integer"},
                              {"minimum", 1},
                              {"maximum", paging_.maxLimit},
                              {"default", paging_.defaultLimit}}}};
        const json offset = {
            {"name", "offset"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"minimum", 0}}}};
        const json bbox = {
            {"name", "bbox"},
            {"in", "query"},
            {"schema",
             {{"type", "array"}, {"minItems", 4}, {"maxItems", 6}, {"items", {{"type", "number"}}}}},
            {"style", "form"},
            {"explode", false}};
        const json ok = {{"200", {{"description", "OK"}}}};
        json paths = {{"/", {{"get", {{"summary", "landing page"}, {"responses", ok}}}}},
                      {"/conformance", {{"get", {{"summary", "conformance classes"}, {"responses", ok}}}}},
                      {"/collections", {{"get", {{"summary", "collections"}, {"responses", ok}}}}}};
        for (const auto& c : collections_) {
          const std::string path = "/collections/" + c->id;
          paths[path] = {{"get", {{"summary", c->title}, {"responses", ok}}}};
          paths[path + "/items"] = {{"get",
                                     {{"summary", c->title + " as GeoJSON"},
                                      {"parameters", json::array({limit, offset, bbox})},
                                      {"responses", ok}}}};
          const json featureId = {
              {"name", "featureId"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
          paths[path + "/items/{featureId}"] = {
              {"get",
               {{"summary", "one feature"}, {"parameters", json::array({featureId})}, {"responses", ok}}}};
        }
        json document = {{"openapi", "3.0.3"},
                         {"info", {{"title", "citytwin OGC API - Features"}, {"version", "1.0"}}},
                         {"servers", json::array({{{"url", baseUrl(req)}}})},
                         {"paths", paths}};
        res.set_content(document.dump(), kOpenApi);
      }));

  server.Get(prefix + "/collections", handle([this](const httplib::Request& req, httplib::Response& res) {
               const std::string base = baseUrl(req);
               json list = json::array();
               for (const auto& c : collections_) list.push_back(c->describe(base));
               res.set_content(json{{"links", json::array({link(base + "/collections", "self", kJsonType)})},
                                    {"collections", list}}
                                   .dump(),
                               kJsonType);
             }));

  server.Get(prefix + R"(/collections/([^/]+))",
             handle([findCollection](const httplib::Request& req, httplib::Response& res) {
               res.set_content(findCollection(req.matches[1]).describe(baseUrl(req)).dump(), kJsonType);
             }));

  // The live values of one layer: column -> object id -> value, and the properties every feature carries
  // for them (null where an object has no value), so a client sees one schema for the whole collection.
  const auto liveColumns = [this](const Collection& c) {
    std::map<std::string, json> columns;
    if (!liveSummary_) return columns;
    const json summary = liveSummary_();
    const auto all = summary.find("columns");
    if (all == summary.end() || !all->is_object()) return columns;
    const std::string prefix = c.layer + ".";
    for (const auto& [qualified, values] : all->items())
      if (qualified.rfind(prefix, 0) == 0) columns["live_" + qualified.substr(prefix.size())] = values;
    return columns;
  };
  const auto featureJson = [](const Collection::Feature& f, const std::map<std::string, json>& live) {
    json properties = f.properties;
    for (const auto& [name, values] : live) {
      const auto value = values.find(f.id);
      properties[name] = value == values.end() ? json(nullptr) : *value;
    }
    return json{
        {"type", "Feature"}, {"id", f.id}, {"geometry", f.geometry}, {"properties", std::move(properties)}};
  };

  server.Get(
      prefix + R"(/collections/([^/]+)/items)",
      handle([this, findCollection, liveColumns, featureJson](const httplib::Request& req,
                                                              httplib::Response& res) {
        const Collection& c = findCollection(req.matches[1]);
        std::size_t limit = paging_.defaultLimit, offset = 0;
        if (req.has_param("limit")) {
          const auto value = parseCount(req.get_param_value("limit"));
          if (!value || *value == 0) throw ApiError(400, "limit: expected a positive integer");
          limit = std::min(*value, paging_.maxLimit);
        }
        if (req.has_param("offset")) {
          const auto value = parseCount(req.get_param_value("offset"));
          if (!value) throw ApiError(400, "offset: expected a non-negative integer");
          offset = *value;
        }
        std::optional<geo::BBox> bbox;
        if (req.has_param("bbox")) bbox = parseBbox(req.get_param_value("bbox"));
        if (req.has_param("bbox-crs") && req.get_param_value("bbox-crs") != kCrs84) {
          throw ApiError(400, "bbox-crs: only " + std::string(kCrs84) + " is supported");
        }
        std::vector<const Collection::Feature*> matched;
        for (const auto& f : c.features)
          if (!bbox || f.bounds.intersects(*bbox)) matched.push_back(&f);
        const auto live = liveColumns(c);
        json features = json::array();
        for (std::size_t i = offset; i < matched.size() && i < offset + limit; ++i)
          features.push_back(featureJson(*matched[i], live));
        const std::string base = baseUrl(req) + "/collections/" + c.id + "/items";
        std::string query = "limit=" + std::to_string(limit);
        if (req.has_param("bbox")) query += "&bbox=" + percentEncode(req.get_param_value("bbox"));
        json links =
            json::array({link(base + "?" + query + "&offset=" + std::to_string(offset), "self", kGeoJson),
                         link(baseUrl(req) + "/collections/" + c.id, "collection", kJsonType)});
        if (offset + limit < matched.size()) {
          links.push_back(link(base + "?" + query + "&offset=" + std::to_string(offset + limit), "next",
                               kGeoJson, "next page"));
        }
        json document = {{"type", "FeatureCollection"},
                         {"numberMatched", matched.size()},
                         {"numberReturned", features.size()},
                         {"timeStamp", formatDateTime(nowMilliseconds(), DateTimeFraction::WhenNonZero)},
                         {"links", links},
                         {"features", std::move(features)}};
        res.set_content(document.dump(), kGeoJson);
      }));

  server.Get(
      prefix + R"(/collections/([^/]+)/items/(.+))",
      handle([findCollection, liveColumns, featureJson](const httplib::Request& req, httplib::Response& res) {
        const Collection& c = findCollection(req.matches[1]);
        const std::string featureId = req.matches[2];
        const auto it = c.byId.find(featureId);
        if (it == c.byId.end())
          throw ApiError(404, "no feature '" + featureId + "' in collection '" + c.id + "'");
        json feature = featureJson(c.features[it->second], liveColumns(c));
        const std::string base = baseUrl(req) + "/collections/" + c.id;
        feature["links"] = json::array({link(base + "/items/" + percentEncode(featureId), "self", kGeoJson),
                                        link(base, "collection", kJsonType)});
        res.set_content(feature.dump(), kGeoJson);
      }));
}

}  // namespace citytwin::server
