#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "citytwin/context/context_error.hpp"
#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/entity_query.hpp"

using namespace citytwin::context;
using nlohmann::json;

namespace {

Entity sample() {
  return parseEntity(
      json{{"id", "urn:ngsi-ld:Sensor:1"},
           {"type", "Sensor"},
           {"temperature", {{"type", "Property"}, {"value", 21.5}, {"observedAt", "2024-05-01T10:00:00Z"}}},
           {"status", "ok"},
           {"tags", json::array({"red", "blue"})},
           {"address", {{"type", "Property"}, {"value", {{"city", "Nice"}, {"zip", 6000}}}}},
           {"location", {{"type", "GeoProperty"}, {"value", {{"type", "Point"}, {"coordinates", {7.26, 43.70}}}}}}},
      *coreContext());
}

bool q(const std::string& text) { return QueryExpression::parse(text, *coreContext()).matches(sample()); }

bool geo(const std::string& georel, const std::string& geometry, const std::string& coordinates) {
  return GeoQuery::parse(georel, geometry, coordinates, "https://uri.etsi.org/ngsi-ld/location").matches(sample());
}

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

TEST_CASE("the query language compares numbers, text, ranges, lists and metadata") {
  CHECK(q("temperature>20"));
  CHECK_FALSE(q("temperature>22"));
  CHECK(q("temperature==21.5"));
  CHECK(q("temperature!=3"));
  CHECK(q("temperature==20..22"));
  CHECK_FALSE(q("temperature==22..30"));
  CHECK(q("status==\"ok\""));
  CHECK(q("status==ok,broken"));
  CHECK_FALSE(q("status==broken"));
  CHECK(q("status~=^o"));
  CHECK(q("tags==blue"));
  CHECK(q("temperature"));
  CHECK_FALSE(q("humidity"));
  CHECK(q("temperature.observedAt>2024-01-01T00:00:00Z"));
  CHECK(q("address[city]==Nice"));
  CHECK(q("address[zip]>5000"));
  CHECK(q("temperature>30|status==ok"));
  CHECK_FALSE(q("temperature>30;status==ok"));
  CHECK(q("(temperature>30|status==ok);tags==red"));
}

TEST_CASE("malformed queries are BadRequestData") {
  for (const char* text : {"", "temperature>", "(temperature>1", "temperature==1)", "status~=(", ">5"}) {
    CAPTURE(text);
    CHECK(errorOf([&] { QueryExpression::parse(text, *coreContext()); }) == ErrorKind::BadRequestData);
  }
}

TEST_CASE("geo-queries: near, within, intersects, disjoint") {
  // About 1.1 km north of the sample point.
  CHECK(geo("near;maxDistance==2000", "Point", "[7.26,43.71]"));
  CHECK_FALSE(geo("near;maxDistance==500", "Point", "[7.26,43.71]"));
  CHECK(geo("near;minDistance==500", "Point", "[7.26,43.71]"));
  CHECK(geo("within", "Polygon", "[[[7.2,43.6],[7.3,43.6],[7.3,43.8],[7.2,43.8],[7.2,43.6]]]"));
  CHECK_FALSE(geo("within", "Polygon", "[[[8.2,43.6],[8.3,43.6],[8.3,43.8],[8.2,43.8],[8.2,43.6]]]"));
  CHECK(geo("intersects", "Polygon", "[[[7.2,43.6],[7.3,43.6],[7.3,43.8],[7.2,43.8],[7.2,43.6]]]"));
  CHECK(geo("disjoint", "Point", "[0,0]"));
  const auto bad = [](const char* georel, const char* geometry, const char* coordinates) {
    return errorOf([&] { GeoQuery::parse(georel, geometry, coordinates, "x"); });
  };
  CHECK(bad("near;maxDistance==0", "Point", "[1,2]") == ErrorKind::BadRequestData);
  CHECK(bad("near;maxDistance==-5", "Point", "[1,2]") == ErrorKind::BadRequestData);
  CHECK(bad("near;maxDistance==abc", "Point", "[1,2]") == ErrorKind::BadRequestData);
  CHECK(bad("near", "Point", "[1,2]") == ErrorKind::BadRequestData);
  CHECK(bad("overlaps", "Point", "[1,2]") == ErrorKind::BadRequestData);
  CHECK(bad("within", "Point", "[1,2]") == ErrorKind::BadRequestData);
  CHECK(bad("intersects", "Point", "[1") == ErrorKind::BadRequestData);
  CHECK(bad("intersects", "Polygon", "[[1,2]]") == ErrorKind::BadRequestData);
  CHECK(bad("intersects", "Point", "") == ErrorKind::BadRequestData);
}
