#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "citytwin/context/context_error.hpp"
#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/json_ld_context.hpp"

using namespace citytwin::context;
using nlohmann::json;

namespace {

const char* const kTransportation = "https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld";

ErrorKind errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const ContextError& e) {
    return e.kind();
  }
  FAIL("no ContextError was thrown");
  return ErrorKind::Internal;
}

}  // namespace

TEST_CASE("contexts expand and compact terms through the core and Smart Data Models contexts") {
  const auto core = coreContext();
  CHECK(core->expand("location") == "https://uri.etsi.org/ngsi-ld/location");
  CHECK(core->expand("speed") == "https://uri.etsi.org/ngsi-ld/default-context/speed");
  CHECK(core->compact("https://uri.etsi.org/ngsi-ld/default-context/speed") == "speed");
  CHECK(core->expand("urn:x:y") == "urn:x:y");

  const auto transport = resolveContext(json::array({kTransportation}));
  CHECK(transport->expand("intensity") == "https://smartdatamodels.org/dataModel.Transportation/intensity");
  CHECK(transport->compact("https://smartdatamodels.org/dataModel.Transportation/intensity") == "intensity");
  CHECK(transport->expand("TrafficFlowObserved") ==
        "https://smartdatamodels.org/dataModel.Transportation/TrafficFlowObserved");
  // Core terms win over domain contexts.
  CHECK(transport->expand("location") == "https://uri.etsi.org/ngsi-ld/location");

  const auto inlined = resolveContext(json{{"ex", "https://example.org/"}, {"speed", "ex:speed"}});
  CHECK(inlined->expand("speed") == "https://example.org/speed");
  CHECK(inlined->expand("ex:other") == "https://example.org/other");

  const auto linked = contextFromLinkHeader(std::string("<") + kTransportation +
                                            ">; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"");
  CHECK(linked->expand("intensity") == "https://smartdatamodels.org/dataModel.Transportation/intensity");
  CHECK(linked->linkUrl() == kTransportation);

  CHECK(errorOf([] { resolveContext("https://example.org/unknown.jsonld"); }) == ErrorKind::ContextNotAvailable);
  CHECK(errorOf([] { resolveContext(42); }) == ErrorKind::BadRequestData);
  CHECK(errorOf([] { contextFromLinkHeader("no angle brackets"); }) == ErrorKind::BadRequestData);
}

TEST_CASE("a normalized entity round-trips through every representation") {
  const auto context = resolveContext(json::array({kTransportation}));
  const json body = {
      {"id", "urn:ngsi-ld:TrafficFlowObserved:A1"},
      {"type", "TrafficFlowObserved"},
      {"intensity", {{"type", "Property"}, {"value", 197}, {"observedAt", "2016-12-07T11:10:00Z"}, {"unitCode", "E50"}}},
      {"laneDirection", {{"type", "Property"}, {"value", "forward"}, {"qualifier", {{"type", "Property"}, {"value", 2}}}}},
      {"refRoadSegment", {{"type", "Relationship"}, {"object", "urn:ngsi-ld:RoadSegment:R1"}}},
      {"location", {{"type", "GeoProperty"}, {"value", {{"type", "Point"}, {"coordinates", {-4.7, 41.6}}}}}},
      {"name", {{"type", "LanguageProperty"}, {"languageMap", {{"en", "Main"}, {"es", "Mayor"}}}}},
      {"averageVehicleSpeed",
       json::array({{{"type", "Property"}, {"value", 52.6}},
                    {{"type", "Property"}, {"value", 50.1}, {"datasetId", "urn:ngsi-ld:Dataset:radar"}}})}};
  const Entity entity = parseEntity(body, *context);
  CHECK(entity.id == "urn:ngsi-ld:TrafficFlowObserved:A1");
  REQUIRE(entity.types.size() == 1);
  CHECK(entity.types[0] == "https://smartdatamodels.org/dataModel.Transportation/TrafficFlowObserved");
  const Attribute* intensity = entity.find("https://smartdatamodels.org/dataModel.Transportation/intensity");
  REQUIRE(intensity);
  CHECK(intensity->value == 197);
  CHECK(intensity->observedMs == 1481109000000LL);
  CHECK(intensity->unitCode == "E50");
  CHECK(entity.attributes.at("https://smartdatamodels.org/dataModel.Transportation/averageVehicleSpeed").size() == 2);
  CHECK((entity.find("https://uri.etsi.org/ngsi-ld/location")->kind == AttributeKind::GeoProperty));

  for (const auto form : {Representation::Normalized, Representation::Concise}) {
    SerializeOptions options;
    options.representation = form;
    const json out = serializeEntity(entity, context.get(), options);
    CHECK(parseEntity(out, *context).sameContent(entity));
  }
  SerializeOptions normalized;
  const json out = serializeEntity(entity, context.get(), normalized);
  CHECK(out["intensity"] == body["intensity"]);
  CHECK(out["refRoadSegment"] == body["refRoadSegment"]);

  SerializeOptions concise;
  concise.representation = Representation::Concise;
  const json c = serializeEntity(entity, context.get(), concise);
  CHECK(c["location"] == body["location"]["value"]);
  CHECK(c["refRoadSegment"] == json{{"object", "urn:ngsi-ld:RoadSegment:R1"}});
  CHECK(c["intensity"]["value"] == 197);
  CHECK_FALSE(c["intensity"].contains("type"));

  SerializeOptions keyValues;
  keyValues.representation = Representation::KeyValues;
  const json kv = serializeEntity(entity, context.get(), keyValues);
  CHECK(kv["intensity"] == 197);
  CHECK(kv["refRoadSegment"] == "urn:ngsi-ld:RoadSegment:R1");
  CHECK(kv["location"]["type"] == "Point");

  // Storage form keeps expanded names and system times.
  CHECK(fromStorageJson(toStorageJson(entity)).sameContent(entity));
}

TEST_CASE("concise, keyValues and NGSI v2 attributes are read with the implied types") {
  const auto context = coreContext();
  const json body = {{"id", "plain-id"},
                     {"type", "Thing"},
                     {"count", 3},
                     {"label", {{"value", "x"}, {"observedAt", "2020-01-01T00:00:00Z"}}},
                     {"owner", {{"object", "urn:ngsi-ld:Person:1"}}},
                     {"location", {{"type", "Point"}, {"coordinates", {1.0, 2.0}}}},
                     {"address", {{"city", "Nice"}}},
                     {"power", {{"type", "Number"}, {"value", 5}, {"metadata", {{"timestamp", {{"type", "DateTime"}, {"value", "2019-01-24T22:00:00.173Z"}}}}}}},
                     {"place", {{"type", "geo:json"}, {"value", {{"type", "Point"}, {"coordinates", {3.0, 4.0}}}}}}};
  const Entity entity = parseEntity(body, *context);
  CHECK(entity.id == "urn:ngsi-ld:Thing:plain-id");
  const auto at = [&](const char* name) { return entity.find(context->expand(name)); };
  CHECK((at("count")->kind == AttributeKind::Property));
  CHECK(at("label")->observedAt == "2020-01-01T00:00:00Z");
  CHECK((at("owner")->kind == AttributeKind::Relationship));
  CHECK((at("location")->kind == AttributeKind::GeoProperty));
  CHECK(at("address")->value == json{{"city", "Nice"}});
  CHECK(at("power")->observedAt == "2019-01-24T22:00:00.173Z");
  CHECK((at("place")->kind == AttributeKind::GeoProperty));
}

TEST_CASE("invalid entities are refused with BadRequestData") {
  const auto context = coreContext();
  const auto refuse = [&](const json& body) {
    CHECK(errorOf([&] { parseEntity(body, *context); }) == ErrorKind::BadRequestData);
  };
  refuse(json::array());
  refuse({{"id", "urn:a:1"}});
  refuse({{"type", "T"}});
  refuse({{"id", 5}, {"type", "T"}});
  refuse({{"id", "has space"}, {"type", "T"}});
  refuse({{"id", "urn:a:1"}, {"type", ""}});
  refuse({{"id", "urn:a:1"}, {"type", "T"}, {"p", {{"type", "Property"}}}});
  refuse({{"id", "urn:a:1"}, {"type", "T"}, {"p", nullptr}});
  refuse({{"id", "urn:a:1"}, {"type", "T"}, {"r", {{"type", "Relationship"}, {"object", "not a uri"}}}});  // spaces
  refuse({{"id", "urn:a:1"}, {"type", "T"}, {"g", {{"type", "GeoProperty"}, {"value", {{"type", "Point"}, {"coordinates", {1}}}}}}});
  refuse({{"id", "urn:a:1"}, {"type", "T"}, {"g", {{"type", "Polygon"}, {"coordinates", {{{0, 0}, {1, 0}}}}}}});
  refuse({{"id", "urn:a:1"}, {"type", "T"}, {"p", {{"type", "Property"}, {"value", 1}, {"observedAt", "soon"}}}});
  refuse({{"id", "urn:a:1"}, {"type", "T"}, {"bad name", 1}});
  refuse({{"id", "urn:a:1"}, {"type", "T"}, {"p=1", 1}});
  refuse({{"id", "urn:a:1"}, {"type", "T"}, {"p", {{"type", "Property"}, {"value", 1}, {"datasetId", "x y"}}}});
  refuse({{"id", "urn:a:1"},
          {"type", "T"},
          {"p", json::array({{{"type", "Property"}, {"value", 1}}, {{"type", "Property"}, {"value", 2}}})}});
}

TEST_CASE("URIs and names are validated") {
  CHECK(isValidUri("urn:ngsi-ld:Building:1"));
  CHECK(isValidUri("https://example.org/x"));
  CHECK(isValidUri("WaterObserved:MNCA-001"));
  CHECK_FALSE(isValidUri("no-scheme"));
  CHECK_FALSE(isValidUri("1abc:x"));
  CHECK_FALSE(isValidUri("urn:a b"));
  CHECK_FALSE(isValidUri("urn:<x>"));
  CHECK(normalizeEntityId("building-a85e3da145c1", "Building") == "urn:ngsi-ld:Building:building-a85e3da145c1");
  CHECK(isValidAttributeName("temperature"));
  CHECK_FALSE(isValidAttributeName("a(b)"));
}

TEST_CASE("entities the specification refuses on creation") {
  const auto core = coreContext();
  const auto create = [&](const json& body) { return errorOf([&] { parseEntity(body, *core); }); };
  const json base = {{"id", "urn:ngsi-ld:Vehicle:1"}, {"type", "Vehicle"}};
  const auto with = [&](const std::string& name, const json& value) {
    json body = base;
    body[name] = value;
    return body;
  };
  CHECK_NOTHROW(parseEntity(with("scope", "/Madrid/Centro"), *core));
  for (const char* scope : {"9bad", "/a//b", "a-b", "urn:ngsi-ld:null"})
    CHECK(create(with("scope", scope)) == ErrorKind::BadRequestData);
  CHECK(create(with("scope", json::array({"/ok", "9bad"}))) == ErrorKind::BadRequestData);
  CHECK(create(json{{"id", "urn:ngsi-ld:Vehicle:1"}, {"type", "9Vehicle"}}) == ErrorKind::BadRequestData);
  // Invisible or look-alike code points in ids; visible non-ASCII letters stay valid.
  for (const char* id :
       {"urn:ngsi-ld:Vehicle:A\u200bB", "urn:ngsi-ld:Vehicle:A\u202eB", "urn:ngsi-ld:Vehicle:A\u00a0B",
        "urn:ngsi-ld:Vehicle:A\ufeffB", "urn:ngsi-ld:Vehicle:A\U000E0100B"}) {
    CHECK_FALSE(isValidUri(id));
  }
  CHECK(isValidUri("urn:ngsi-ld:Building:Z\u00fcrich"));
  // Members of another attribute type, output-only members, NGSI-LD Null, core terms as names.
  CHECK(create(with("speed", {{"type", "Property"}, {"value", 1}, {"object", "urn:a:b"}})) ==
        ErrorKind::BadRequestData);
  CHECK(create(with("speed", {{"type", "Property"}, {"value", 1}, {"previousValue", 0}})) ==
        ErrorKind::BadRequestData);
  CHECK(create(with("owner", {{"type", "Relationship"}, {"object", "urn:a:b"}, {"unitCode", "KMH"}})) ==
        ErrorKind::BadRequestData);
  CHECK(create(with("speed", {{"type", "Property"}, {"value", {{"a", "urn:ngsi-ld:null"}}}})) ==
        ErrorKind::BadRequestData);
  CHECK(create(with("observedAt", {{"type", "Property"}, {"value", 1}})) == ErrorKind::BadRequestData);
  CHECK(create(with("speed", {{"type", "Property"}, {"value", 1}, {"@context", json::object()}})) ==
        ErrorKind::BadRequestData);
  CHECK(create(with("speed",
                    {{"type", "Property"}, {"value", 1}, {"observedAt", "2026-08-10T12:00:00+02:00"}})) ==
        ErrorKind::BadRequestData);
  CHECK(create(with("name", {{"type", "LanguageProperty"}, {"languageMap", {{"en", 5}}}})) ==
        ErrorKind::BadRequestData);
  CHECK(create(with("name", {{"type", "LanguageProperty"}, {"languageMap", {{"", "x"}}}})) ==
        ErrorKind::BadRequestData);
  CHECK(create(with("location",
                    {{"type", "GeoProperty"},
                     {"value",
                      {{"type", "GeometryCollection"},
                       {"geometries", json::array({{{"type", "Point"}, {"coordinates", {1, 2}}}})}}}})) ==
        ErrorKind::BadRequestData);
}
