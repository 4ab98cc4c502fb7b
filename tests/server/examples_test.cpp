// Every Smart Data Models example in the shared reference data (normalized and concise; @context in the body
// or a Link header) is accepted by the service and read back in an equivalent form, and the mapped types
// change the city state as documented in engine/context/README.md.
#include <doctest/doctest.h>
#include <httplib.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "citytwin/city/city_state.hpp"
#include "citytwin/context/city_mapping.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/json_ld_context.hpp"
#include "citytwin/geo/coordinate_transform.hpp"
#include "citytwin/server/context_service.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;
using namespace citytwin::context;
using namespace citytwin::server;
using nlohmann::json;

namespace {

const std::vector<std::string> kModels = {
    "TrafficFlowObserved", "RoadSegment", "Road", "WeatherObserved", "WeatherForecast", "WaterObserved", "FloodMonitoring",
    "Building", "BuildingOperation", "Device", "DeviceMeasurement", "ThreePhaseAcMeasurement", "SmartMeteringObservation"};

json readJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, path.string());
  return json::parse(in);
}

// The context a .json example is meant to be sent with: the one its .jsonld sibling names.
json contextOfSibling(const std::filesystem::path& jsonFile) {
  auto sibling = jsonFile;
  sibling.replace_extension(".jsonld");
  return readJson(sibling)["@context"];
}

std::string linkHeaderFor(const json& context) {
  // A Link header carries one URL; the domain context is the last one the example lists.
  const std::string url = context.is_array() ? context.back().get<std::string>() : context.get<std::string>();
  return "<" + url + ">; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"";
}

}  // namespace

TEST_CASE("every shared Smart Data Models example is accepted and read back in an equivalent form") {
  const auto root = testing::sharedData("context/smartdatamodels");
  if (!root) return;
  ServiceOptions options;
  options.port = 0;
  options.databasePath = testing::scratchDirectory() / "examples.sqlite";
  ContextService service(options);
  const int port = service.start();
  httplib::Client client("127.0.0.1", port);
  client.set_tcp_nodelay(true);
  std::size_t checked = 0;
  for (const auto& model : kModels) {
    for (const char* name : {"example-normalized.jsonld", "example-normalized.json", "example.jsonld", "example.json"}) {
      const auto path = *root / model / name;
      CAPTURE(path.string());
      json body = readJson(path);
      const bool inBody = path.extension() == ".jsonld";
      const json contextValue = inBody ? body["@context"] : contextOfSibling(path);
      const auto context = resolveContext(contextValue);
      const Entity original = parseEntity(body, *context);

      // Each example goes in as its own entity: the four files of a model share ids.
      httplib::Headers headers;
      if (!inBody) headers.emplace("Link", linkHeaderFor(contextValue));
      const auto created = client.Post("/ngsi-ld/v1/entityOperations/upsert", headers, json::array({body}).dump(),
                                       inBody ? "application/ld+json" : "application/json");
      REQUIRE(created);
      CHECK_MESSAGE(created->status / 100 == 2, created->body);
      CHECK(created->status != 207);

      // Read back with the same context, in normalized and concise form; both must carry the same content.
      httplib::Headers readHeaders{{"Link", linkHeaderFor(contextValue)}};
      for (const char* form : {"normalized", "concise"}) {
        const auto read = client.Get(("/ngsi-ld/v1/entities/" + original.id + "?format=" + form).c_str(), readHeaders);
        REQUIRE(read);
        REQUIRE(read->status == 200);
        const json returned = json::parse(read->body);
        const Entity back = parseEntity(returned, *resolveContext(contextValue));
        CHECK(back.sameContent(original));
        // The short names are those of the example.
        for (const auto& [key, value] : body.items()) {
          if (key == "@context") continue;
          CHECK_MESSAGE(returned.contains(key), key);
        }
      }
      ++checked;
    }
  }
  CHECK(checked == kModels.size() * 4);
  service.stop();
}

namespace {

// A small city around an example's own location, in the UTM zone of that location, holding the objects the
// mapping rules look for. Only geometry comes from the example; expected values are read from it too.
struct ExampleCity {
  city::CityModel model;
  std::unique_ptr<geo::CoordinateTransform> transform;

  explicit ExampleCity(geo::LonLat at) {
    model.crsEpsg = geo::utmEpsgFor(at);
    model.name = "example";
    transform = std::make_unique<geo::CoordinateTransform>(model.crsName());
  }
  geo::Vec2 project(const json& position) const {
    return transform->fromWgs84({position[0].get<double>(), position[1].get<double>()});
  }
  void addLink(const std::string& id, geo::Polyline line, const std::string& name = "") {
    city::RoadLink link;
    link.id = id;
    link.name = name;
    link.geometry = std::move(line);
    link.lengthM = geo::length(link.geometry);
    model.roads.links.push_back(std::move(link));
  }
  void addSensor(const std::string& id, const std::string& type, geo::Vec2 at, const std::string& ref = "") {
    model.sensors.push_back({id, type, at, {}, ref});
  }
};

json exampleOf(const std::filesystem::path& root, const std::string& model, const char* file = "example-normalized.jsonld") {
  return readJson(root / model / file);
}

// An attribute's value in either form the examples use (normalized object or bare value).
double number(const json& attribute) {
  return attribute.is_object() ? attribute["value"].get<double>() : attribute.get<double>();
}

Entity entityOf(const json& body) { return parseEntity(body, *resolveContext(body["@context"])); }

double column(const city::CityState& state, city::Layer layer, const std::string& name, std::size_t index) {
  REQUIRE(state.has(layer, name));
  return state.column(layer, name)[index];
}

}  // namespace

TEST_CASE("mapped examples change the city state as documented") {
  const auto rootOpt = testing::sharedData("context/smartdatamodels");
  if (!rootOpt) return;
  const auto& root = *rootOpt;

  SUBCASE("TrafficFlowObserved: flow per hour and speed on the nearest link in its direction") {
    const json body = exampleOf(root, "TrafficFlowObserved");
    const json& line = body["location"]["value"]["coordinates"];
    ExampleCity c({line[0][0].get<double>(), line[0][1].get<double>()});
    geo::Polyline forward;
    for (const auto& p : line) forward.push_back(c.project(p));
    geo::Polyline backward(forward.rbegin(), forward.rend());
    c.addLink("backward", backward);
    c.addLink("forward", forward);
    city::CityState state(c.model);
    const CityContextMapper mapper(c.model);
    const auto outcome = mapper.apply(entityOf(body), state);
    CHECK(outcome.mapped);
    const double from = *parseDateTime(body["dateObservedFrom"]["value"]["@value"].get<std::string>());
    const double to = *parseDateTime(body["dateObservedTo"]["value"]["@value"].get<std::string>());
    const double expectedFlow = body["intensity"]["value"].get<double>() * 3600.0 / ((to - from) / 1000.0);
    CHECK(column(state, city::Layer::RoadLink, "observed_flow_veh_per_h", 1) == doctest::Approx(expectedFlow));
    CHECK(column(state, city::Layer::RoadLink, "observed_flow_veh_per_h", 0) == 0.0);
    CHECK(column(state, city::Layer::RoadLink, "observed_speed_kph", 1) == body["averageVehicleSpeed"]["value"].get<double>());
  }

  SUBCASE("WeatherObserved: precipitation to the rain gauge, temperature to the thermometer") {
    const json body = exampleOf(root, "WeatherObserved");
    const json& at = body["location"]["value"]["coordinates"];
    ExampleCity c({at[0].get<double>(), at[1].get<double>()});
    c.addSensor("urn:ngsi-ld:Device:rain-1", "RainGauge", c.project(at));
    c.addSensor("urn:ngsi-ld:Device:thermo-1", "Thermometer", c.project(at));
    city::CityState state(c.model);
    CHECK(CityContextMapper(c.model).apply(entityOf(body), state).mapped);
    CHECK(column(state, city::Layer::Sensor, "value", 0) == body["precipitation"]["value"].get<double>());
    CHECK(column(state, city::Layer::Sensor, "value", 1) == body["temperature"]["value"].get<double>());
  }

  SUBCASE("WaterObserved and FloodMonitoring: water levels at river gauges") {
    const json water = exampleOf(root, "WaterObserved");
    const json& at = water["location"]["value"]["coordinates"];
    ExampleCity c({at[0].get<double>(), at[1].get<double>()});
    c.addSensor("urn:ngsi-ld:Device:gauge-1", "RiverGauge", c.project(at));
    const json flood = exampleOf(root, "FloodMonitoring");
    c.addSensor(flood["id"].get<std::string>(), "RiverGauge", {1e5, 1e5});
    city::CityState state(c.model);
    const CityContextMapper mapper(c.model);
    CHECK(mapper.apply(entityOf(water), state).mapped);
    CHECK(column(state, city::Layer::Sensor, "value", 0) == number(water.contains("waterLevel") ? water["waterLevel"] : water["height"]));
    CHECK(mapper.apply(entityOf(flood), state).mapped);
    CHECK(column(state, city::Layer::Sensor, "value", 1) == number(flood["currentLevel"]));
  }

  SUBCASE("Building, BuildingOperation and SmartMeteringObservation: building attributes and loads") {
    const json building = exampleOf(root, "Building", "example-normalized.json");  // its location is a polygon
    const json& ring = building["location"]["value"]["coordinates"][0];
    ExampleCity c({ring[0][0].get<double>() + 0.5, ring[0][1].get<double>() + 0.5});
    city::Building b;
    b.id = building["id"].get<std::string>();
    geo::Polygon footprint;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) footprint.outer.push_back(c.project(ring[i]));
    b.footprint.push_back(footprint);
    c.model.buildings.push_back(b);
    city::CityState state(c.model);
    const CityContextMapper mapper(c.model);
    const Entity buildingEntity = parseEntity(building, *resolveContext(contextOfSibling(root / "Building" / "example-normalized.json")));
    CHECK(mapper.apply(buildingEntity, state).mapped);
    CHECK(column(state, city::Layer::Building, "observed_levels", 0) == building["floorsAboveGround"]["value"].get<double>());
    const json operation = exampleOf(root, "BuildingOperation", "example-normalized.json");
    const Entity operationEntity = parseEntity(operation, *resolveContext(contextOfSibling(root / "BuildingOperation" / "example-normalized.json")));
    CHECK(mapper.apply(operationEntity, state).mapped);
    CHECK(column(state, city::Layer::Building, "operation_active", 0) == (operation["status"]["value"] == "ongoing" ? 1.0 : 0.0));
  }

  SUBCASE("ThreePhaseAcMeasurement: total active power to the substation its meter observes") {
    const json body = exampleOf(root, "ThreePhaseAcMeasurement");
    ExampleCity c({0.0, 0.0});
    city::Substation substation;
    substation.id = "substation-1";
    c.model.grid.substations.push_back(substation);
    const json& refDevice = body["refDevice"];
    const std::string device = refDevice.contains("object") ? (refDevice["object"].is_array() ? refDevice["object"][0] : refDevice["object"]).get<std::string>()
                                                             : refDevice["value"][0].get<std::string>();
    c.addSensor(device, "SmartMeter", {0, 0}, "substation-1");
    city::CityState state(c.model);
    CHECK(CityContextMapper(c.model).apply(entityOf(body), state).mapped);
    CHECK(column(state, city::Layer::Substation, "observed_load_kw", 0) ==
          doctest::Approx(body["totalActivePower"]["value"].get<double>() / 1000.0));
  }

  SUBCASE("RoadSegment: status and speed limit on the links along it") {
    const json body = exampleOf(root, "RoadSegment");
    const json& line = body["location"]["value"]["coordinates"];
    ExampleCity c({line[0][0].get<double>(), line[0][1].get<double>()});
    geo::Polyline along;
    for (const auto& p : line) along.push_back(c.project(p));
    c.addLink("along", along);
    c.addLink("far", {{along[0].x + 5000, along[0].y + 5000}, {along[0].x + 5100, along[0].y + 5000}});
    city::CityState state(c.model);
    CHECK(CityContextMapper(c.model).apply(entityOf(body), state).mapped);
    CHECK(column(state, city::Layer::RoadLink, "closed", 0) == (body["status"]["value"] == "closed" ? 1.0 : 0.0));
    CHECK(column(state, city::Layer::RoadLink, "observed_speed_limit_kph", 0) == body["maximumAllowedSpeed"]["value"].get<double>());
    CHECK(column(state, city::Layer::RoadLink, "observed_speed_limit_kph", 1) == 0.0);
  }

  SUBCASE("a type without mapping is left alone") {
    const json body = exampleOf(root, "Device");
    ExampleCity c({0.0, 0.0});
    city::CityState state(c.model);
    const auto outcome = CityContextMapper(c.model).apply(entityOf(body), state);
    CHECK_FALSE(outcome.mapped);
    CHECK_FALSE(outcome.reason.empty());
  }
}
