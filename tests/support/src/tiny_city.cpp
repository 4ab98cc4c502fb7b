#include "citytwin/testing/tiny_city.hpp"

namespace citytwin::testing {
namespace {
constexpr double kX0 = 500000.0;
constexpr double kY0 = 4800000.0;

geo::MultiPolygon box(double x, double y, double width, double depth) {
  return {geo::Polygon{{{kX0 + x, kY0 + y}, {kX0 + x + width, kY0 + y}, {kX0 + x + width, kY0 + y + depth},
                        {kX0 + x, kY0 + y + depth}},
                       {}}};
}

city::RoadLink link(std::string id, std::uint32_t from, std::uint32_t to, const city::RoadNetwork& network,
                    bool oneWay) {
  city::RoadLink result;
  result.id = std::move(id);
  result.from = from;
  result.to = to;
  result.geometry = {network.nodes[from].position, network.nodes[to].position};
  result.lengthM = geo::length(result.geometry);
  result.highwayClass = "residential";
  result.oneWay = oneWay;
  result.capacityVehPerHour = 600.0;
  result.speedLimitKph = 30.0;
  return result;
}
}  // namespace

city::CityModel tinyCity() {
  city::CityModel city;
  city.crsEpsg = 32632;
  city.name = "tiny";
  city.terrain = geo::RasterGrid(8, 6, kX0 - 30.0, kY0 + 250.0, 30.0);
  for (std::size_t r = 0; r < city.terrain.rows; ++r) {
    for (std::size_t c = 0; c < city.terrain.columns; ++c) {
      city.terrain.at(c, r) = static_cast<float>(20.0 - 2.0 * static_cast<double>(c) + 0.25 * static_cast<double>(r));
    }
  }
  const std::pair<double, double> nodePositions[] = {{0, 100}, {100, 100}, {0, 200}, {100, 200}, {150, 100}};
  for (std::size_t i = 0; i < 5; ++i) {
    city::RoadNode node;
    node.id = "tiny:node/" + std::to_string(i);
    node.position = {kX0 + nodePositions[i].first, kY0 + nodePositions[i].second};
    node.elevationM = *city.terrain.sample(node.position);
    node.trafficSignals = i == 1;
    city.roads.nodes.push_back(node);
  }
  const std::pair<std::uint32_t, std::uint32_t> twoWay[] = {{0, 1}, {1, 3}, {3, 2}, {2, 0}};
  for (auto [a, b] : twoWay) {
    const std::string base = "tiny:link/" + std::to_string(a) + "-" + std::to_string(b);
    city.roads.links.push_back(link(base + ":f", a, b, city.roads, false));
    city.roads.links.push_back(link(base + ":b", b, a, city.roads, false));
  }
  city.roads.links.push_back(link("tiny:link/1-4:f", 1, 4, city.roads, true));

  const city::BuildingUse uses[] = {city::BuildingUse::Residential, city::BuildingUse::Retail,
                                    city::BuildingUse::Office};
  const double boxes[][4] = {{20, 120, 25, 20}, {20, 160, 20, 25}, {55, 160, 30, 25}};
  for (std::size_t i = 0; i < 3; ++i) {
    city::Building building;
    building.id = "tiny:building/" + std::to_string(i);
    building.footprint = box(boxes[i][0], boxes[i][1], boxes[i][2], boxes[i][3]);
    building.levels = static_cast<int>(2 + i);
    building.heightM = building.levels * city::kStoreyHeightM;
    building.use = uses[i];
    building.yearBuilt = 1950 + static_cast<int>(i) * 20;
    building.heightSource = city::HeightSource::Generated;
    building.groundElevationM = *city.terrain.sample(geo::pointOnSurface(building.footprint));
    city.buildings.push_back(building);
  }

  city::Substation substation;
  substation.id = "tiny:substation/0";
  substation.name = "Tiny primary";
  substation.position = {kX0 + 130.0, kY0 + 60.0};
  substation.ratedMva = 10.0;
  substation.primaryKv = 20.0;
  substation.secondaryKv = 0.4;
  city.grid.substations.push_back(substation);
  city::Feeder feeder;
  feeder.id = "tiny:feeder/0";
  feeder.route = {substation.position, {kX0 + 100.0, kY0 + 100.0}, {kX0 + 50.0, kY0 + 150.0}};
  feeder.voltageKv = 0.4;
  feeder.ratedAmps = 250.0;
  feeder.resistanceOhmPerKm = 0.2;
  feeder.reactanceOhmPerKm = 0.08;
  feeder.servedBuildings = {0, 1, 2};
  city.grid.feeders.push_back(feeder);

  city::Sensor counter;
  counter.id = "urn:ngsi-ld:Device:traffic-counter-1";
  counter.type = "TrafficCounter";
  counter.position = {kX0 + 50.0, kY0 + 100.0};
  counter.observedAttributes = {"intensity", "averageVehicleSpeed"};
  counter.refEntity = "tiny:link/0-1:f";
  city.sensors.push_back(counter);
  city::Sensor rain;
  rain.id = "urn:ngsi-ld:Device:rain-gauge-1";
  rain.type = "RainGauge";
  rain.position = {kX0 + 50.0, kY0 + 220.0};
  rain.observedAttributes = {"precipitation"};
  city.sensors.push_back(rain);

  city.provenance.push_back({"generator", "tiny city drawn in tests/support", "0000000000000000"});
  return city;
}

}  // namespace citytwin::testing
