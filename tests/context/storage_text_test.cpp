// The ingest path writes stored entities as text directly; it must mean exactly what toStorageJson means.
#include "citytwin/context/storage_text.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/json_ld_context.hpp"

using namespace citytwin::context;
using nlohmann::json;

TEST_CASE("the stored text of an entity is its storage JSON") {
  const json body = json::parse(R"({
    "id": "urn:ngsi-ld:WeatherObserved:w1",
    "type": ["WeatherObserved", "Device"],
    "precipitation": {"type": "Property", "value": 12.5, "observedAt": "2025-06-01T10:00:00Z", "unitCode": "H67",
                      "accuracy": {"type": "Property", "value": 0.1}},
    "temperature": [{"type": "Property", "value": 20, "datasetId": "urn:a"},
                    {"type": "Property", "value": 21.25, "datasetId": "urn:b"}],
    "name": {"type": "Property", "value": "quote \" back\\slash, tab\there, new\nline, control \u0001, caf\u00e9 \u2603"},
    "refDevice": {"type": "Relationship", "object": "urn:ngsi-ld:Device:1"},
    "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [7.42, 43.73]}},
    "label": {"type": "LanguageProperty", "languageMap": {"en": "rain", "fr": "pluie"}},
    "data": {"type": "Property", "value": {"nested": [1, null, true, "x"]}}
  })");
  Entity entity =
      parseEntity(body, *resolveContext(std::string("https://smartdatamodels.org/context.jsonld")));
  entity.createdMs = 1748772000123;
  entity.modifiedMs = 1748772005000;
  for (auto& [name, instances] : entity.attributes) {
    for (auto& instance : instances) {
      instance.createdMs = 1748772000123;
      instance.modifiedMs = 1748772005000;
    }
  }
  const std::string text = toStorageText(entity);
  const json parsed = json::parse(text);
  CHECK(parsed == toStorageJson(entity));
  CHECK(fromStorageJson(parsed).sameContent(entity));
  CHECK(parsed["createdAt"] == "2025-06-01T10:00:00.123Z");
}

