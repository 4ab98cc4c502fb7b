// Distribution networks read from a GeoJSON network file (format in models/energy/README.md), on this city:
//
//   S (0,0) ---- A (100,0) ---- B (250,0)          20 kV substation S, buses A and B
//                  h0 (95,10)    h1 (240,20)   h2 (400,0): beyond the service radius
//
#include "citytwin/energy/network_file.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/energy/distribution_network.hpp"

using namespace citytwin;

namespace {

city::CityModel threeHouses() {
  city::CityModel c;
  const auto house = [&](const std::string& id, double x, double y) {
    city::Building b;
    b.id = id;
    b.footprint = {geo::Polygon{{{x - 4, y - 4}, {x + 4, y - 4}, {x + 4, y + 4}, {x - 4, y + 4}}, {}}};
    c.buildings.push_back(b);
  };
  house("h0", 95, 10);
  house("h1", 240, 20);
  house("h2", 400, 0);
  city::Substation s;
  s.id = "S";
  s.position = {0, 0};
  s.floodThresholdM = 0.5;
  c.grid.substations.push_back(s);
  return c;
}

std::string point(double x, double y) {
  return R"("geometry": {"type": "Point", "coordinates": [)" + std::to_string(x) + ", " + std::to_string(y) +
         "]}";
}

// Feature 0: S, 1: A, 2: B, 3: S-A (ohm/km and length), 4: A-B (LineString measured), 5: service h1 -> A.
std::string networkText(const std::string& extraFeatures = "", const std::string& lineAB = "") {
  return R"({"type": "FeatureCollection", "features": [
  {"type": "Feature", )" +
         point(0, 0) + R"(, "properties": {"kind": "substation", "id": "S", "kv": 20, "rated_mva": 10}},
  {"type": "Feature", )" +
         point(100, 0) + R"(, "properties": {"kind": "bus", "id": "A", "kv": 20}},
  {"type": "Feature", )" +
         point(250, 0) + R"(, "properties": {"kind": "bus", "id": "B", "kv": "20"}},
  {"type": "Feature", "geometry": null, "properties": {"kind": "line", "id": "SA", "from": "S", "to": "A",
   "r_ohm_per_km": 0.2, "x_ohm_per_km": 0.1, "length_km": 0.5, "rated_amps": 300}},
  {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[100, 0], [100, 80], [250, 0]]},
   "properties": {"kind": "line", "id": "AB", "from": "A", "to": "B", "r_ohm_per_km": 0.4, "x_ohm_per_km": 0.2)" +
         lineAB + R"(}},
  {"type": "Feature", "geometry": null, "properties": {"kind": "service", "building": "h1", "bus": "A"}})" +
         extraFeatures + "\n]}\n";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string errorOf(const std::string& text) {
  try {
    energy::buildDistributionNetworks(energy::parseNetworkFile(text, "grid.geojson"), threeHouses(), 100.0);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a network file: buses, lines in per unit, listed and nearest-bus service connections") {
  const energy::NetworkFile file = energy::parseNetworkFile(networkText(), "grid.geojson");
  REQUIRE(file.buses.size() == 3);
  REQUIRE(file.lines.size() == 2);
  CHECK(file.buses[2].kv == 20.0);  // written as a string
  CHECK(file.lines[0].rOhm == doctest::Approx(0.1).epsilon(1e-12));
  // A-B has no length: measured along its LineString, 80 m + 170 m.
  CHECK(file.lines[1].rOhm == doctest::Approx(0.4 * 0.25).epsilon(1e-12));

  const auto networks = energy::buildDistributionNetworks(file, threeHouses(), 100.0);
  REQUIRE(networks.size() == 1);
  const energy::SubstationNetwork& n = networks[0];
  CHECK(n.id == "S");
  CHECK(n.citySubstation == 0);
  CHECK(n.floodThresholdM == 0.5);  // the city substation's
  REQUIRE(n.network.busCount() == 4);
  REQUIRE(n.network.branches.size() == 3);
  // Transformer on 10 MVA, then S-A: 0.1 ohm on Z_base = 20^2 / 1 = 400 ohm; rating 300 A at 20 kV = 10.39
  // MVA.
  CHECK(n.network.branches[0].r == doctest::Approx(0.01 / 10).epsilon(1e-12));
  CHECK(n.network.branches[1].r == doctest::Approx(0.1 / 400).epsilon(1e-12));
  CHECK(n.network.branches[1].x == doctest::Approx(0.05 / 400).epsilon(1e-12));
  CHECK(n.branchRatingPu[1] == doctest::Approx(300 * std::sqrt(3.0) * 20e-3).epsilon(1e-12));
  CHECK(n.branchRatingPu[2] == 0.0);  // unrated
  // h0: nearest bus A (10 m); h1: listed on A although B is nearer; h2: 150 m from B, beyond the radius.
  REQUIRE(n.buildings.size() == 2);
  CHECK(n.buildings[0] == 0);
  CHECK(n.buildings[1] == 1);
  CHECK(n.busOfBuilding[0] == n.network.branches[1].to);
  CHECK(n.busOfBuilding[1] == n.network.branches[1].to);

  // A wider radius reaches h2; radius 0 keeps only the listed connection.
  CHECK(energy::buildDistributionNetworks(file, threeHouses(), 200.0)[0].buildings.size() == 3);
  CHECK(energy::buildDistributionNetworks(file, threeHouses(), 0.0)[0].buildings.size() == 1);
}

TEST_CASE("a substation's own flood threshold, and one unknown to the city never floods") {
  std::string text = networkText(R"(,
  {"type": "Feature", )" + point(900, 0) +
                                 R"(, "properties": {"kind": "substation", "id": "T", "kv": 0.4,
   "flood_threshold_m": 0.2}})");
  const auto networks =
      energy::buildDistributionNetworks(energy::parseNetworkFile(text, "grid.geojson"), threeHouses(), 100.0);
  REQUIRE(networks.size() == 2);
  CHECK(networks[1].id == "T");
  CHECK(networks[1].citySubstation == -1);
  CHECK(networks[1].floodThresholdM == 0.2);
}

TEST_CASE("bad network files name the file, the feature and the field") {
  const auto expect = [](const std::string& message, std::initializer_list<const char*> parts) {
    INFO(message);
    CHECK(message.find("grid.geojson") != std::string::npos);
    for (const char* part : parts) CHECK(message.find(part) != std::string::npos);
  };
  // Missing property.
  expect(errorOf(replaced(networkText(), R"("kv": 20})", R"("name": "A"})")),
         {"feature 1", "id 'A'", "field 'kv'", "missing"});
  // Unknown bus referenced by a line and by a service.
  expect(errorOf(replaced(networkText(), R"("to": "B")", R"("to": "Q")")),
         {"feature 4", "id 'AB'", "field 'to'", "unknown bus 'Q'"});
  expect(errorOf(networkText(R"(,
  {"type": "Feature", "geometry": null, "properties": {"kind": "service", "building": "h0", "bus": "Z"}})")),
         {"feature 6", "field 'bus'", "unknown bus 'Z'"});
  // Non-numeric and out-of-range fields.
  expect(errorOf(networkText("", R"(, "rated_amps": "lots")")),
         {"feature 4", "field 'rated_amps'", "'lots'"});
  expect(errorOf(networkText("", R"(, "rated_amps": true)")),
         {"feature 4", "field 'rated_amps'", "expected a number"});
  expect(errorOf(networkText("", R"(, "rated_amps": -5)")), {"feature 4", "field 'rated_amps'"});
  // Unknown property, unknown kind, duplicate id, a building the city lacks.
  expect(errorOf(networkText("", R"(, "colour": "red")")),
         {"feature 4", "field 'colour'", "unknown property"});
  expect(errorOf(networkText(R"(,
  {"type": "Feature", "geometry": null, "properties": {"kind": "switch", "id": "K"}})")),
         {"feature 6", "field 'kind'", "switch"});
  expect(errorOf(networkText(R"(,
  {"type": "Feature", )" + point(5, 5) +
                             R"(, "properties": {"kind": "bus", "id": "A", "kv": 20}})")),
         {"feature 6", "field 'id'", "feature 1"});
  expect(errorOf(networkText(R"(,
  {"type": "Feature", "geometry": null, "properties": {"kind": "service", "building": "h9", "bus": "B"}})")),
         {"feature 6", "field 'building'", "h9"});
  // A bus without a position, a line between two voltages, a bus no line reaches, two substations joined.
  expect(errorOf(networkText(R"(,
  {"type": "Feature", "geometry": null, "properties": {"kind": "bus", "id": "C", "kv": 20}})")),
         {"feature 6", "field 'geometry'"});
  expect(errorOf(networkText(R"(,
  {"type": "Feature", )" + point(5, 5) +
                             R"(, "properties": {"kind": "bus", "id": "L", "kv": 0.4}},
  {"type": "Feature", "geometry": null, "properties": {"kind": "line", "id": "BL", "from": "B", "to": "L",
   "r_ohm": 0.1, "x_ohm": 0.1}})")),
         {"feature 7", "id 'BL'", "kV"});
  expect(errorOf(networkText(R"(,
  {"type": "Feature", )" + point(5, 5) +
                             R"(, "properties": {"kind": "bus", "id": "C", "kv": 20}})")),
         {"feature 6", "id 'C'", "connected to no substation"});
  expect(errorOf(networkText(R"(,
  {"type": "Feature", )" + point(5, 5) +
                             R"(, "properties": {"kind": "substation", "id": "T", "kv": 20}},
  {"type": "Feature", "geometry": null, "properties": {"kind": "line", "id": "BT", "from": "B", "to": "T",
   "r_ohm": 0.1, "x_ohm": 0.1}})")),
         {"feature 7", "id 'BT'", "'S'", "'T'"});
  // A line without a length or geometry; not JSON; not a FeatureCollection.
  expect(errorOf(networkText(R"(,
  {"type": "Feature", "geometry": null, "properties": {"kind": "line", "id": "SB", "from": "S", "to": "B",
   "r_ohm_per_km": 0.2, "x_ohm_per_km": 0.1}})")),
         {"feature 6", "field 'length_km'"});
  expect(errorOf("{\"type\": \"FeatureCollection\",\n \"features\": [ , ]}"),
         {"grid.geojson:2:", "not valid JSON"});
  expect(errorOf(R"({"type": "Feature"})"), {"FeatureCollection"});
  CHECK_THROWS_WITH_AS(energy::readNetworkFile("/nonexistent/grid.geojson"),
                       doctest::Contains("/nonexistent/grid.geojson"), Error);
}
