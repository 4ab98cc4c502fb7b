#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include <tbb/task_arena.h>

#include "citytwin/city/road_connectivity.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/core/progress.hpp"
#include "citytwin/generate/river_course.hpp"
#include "citytwin/generate/sample_city.hpp"
#include "citytwin/geo/spatial_index.hpp"

using namespace citytwin;
using generate::SampleCityOptions;

namespace {

const city::CityModel& smallTown() {
  static const city::CityModel city = generate::generateSampleCity({1.0, 11, 10.0});
  return city;
}

const city::CityModel& largerTown() {
  static const city::CityModel city = generate::generateSampleCity({2.0, 11, 10.0});
  return city;
}

double cross(geo::Vec2 o, geo::Vec2 a, geo::Vec2 b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

bool crossStrictly(geo::Vec2 a, geo::Vec2 b, geo::Vec2 c, geo::Vec2 d) {
  const double d1 = cross(c, d, a);
  const double d2 = cross(c, d, b);
  const double d3 = cross(a, b, c);
  const double d4 = cross(a, b, d);
  return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0)) && d1 != 0 && d2 != 0 && d3 != 0 && d4 != 0;
}

double pointSegmentDistance(geo::Vec2 p, geo::Vec2 a, geo::Vec2 b) { return geo::distanceToPolyline({a, b}, p); }

double segmentDistance(geo::Vec2 a, geo::Vec2 b, geo::Vec2 c, geo::Vec2 d) {
  if (crossStrictly(a, b, c, d)) return 0.0;
  return std::min({pointSegmentDistance(a, c, d), pointSegmentDistance(b, c, d), pointSegmentDistance(c, a, b),
                   pointSegmentDistance(d, a, b)});
}

// Smallest distance between two rings' outlines, 0 when one holds a vertex of the other.
double ringGap(const geo::Ring& first, const geo::Ring& second) {
  for (const auto& p : first) {
    if (geo::contains(second, p)) return 0.0;
  }
  for (const auto& p : second) {
    if (geo::contains(first, p)) return 0.0;
  }
  double gap = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < first.size(); ++i) {
    for (std::size_t j = 0; j < second.size(); ++j) {
      gap = std::min(gap, segmentDistance(first[i], first[(i + 1) % first.size()], second[j],
                                          second[(j + 1) % second.size()]));
    }
  }
  return gap;
}

double ringToPolylineGap(const geo::Ring& ring, const geo::Polyline& line) {
  double gap = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < ring.size(); ++i) {
    for (std::size_t j = 0; j + 1 < line.size(); ++j) {
      gap = std::min(gap, segmentDistance(ring[i], ring[(i + 1) % ring.size()], line[j], line[j + 1]));
    }
  }
  for (const auto& p : line) {
    if (geo::contains(ring, p)) return 0.0;
  }
  return gap;
}

// True when any point of the polyline, sampled every half metre, lies in the river channel.
bool touchesChannel(const generate::RiverCourse& river, const geo::Polyline& line) {
  for (std::size_t j = 0; j + 1 < line.size(); ++j) {
    const double span = geo::distance(line[j], line[j + 1]);
    const int steps = static_cast<int>(std::ceil(span * 2));
    for (int s = 0; s <= steps; ++s) {
      const double t = static_cast<double>(s) / steps;
      if (river.inChannel({line[j].x + (line[j + 1].x - line[j].x) * t, line[j].y + (line[j + 1].y - line[j].y) * t})) {
        return true;
      }
    }
  }
  return false;
}

std::vector<geo::BBox> buildingBounds(const city::CityModel& city) {
  std::vector<geo::BBox> boxes;
  for (const auto& building : city.buildings) boxes.push_back(geo::bounds(building.footprint));
  return boxes;
}

}  // namespace

TEST_CASE("the same options give an identical city on any thread count; another seed gives another city") {
  const SampleCityOptions options{1.0, 5, 10.0};
  city::CityModel serial;
  city::CityModel parallel;
  tbb::task_arena(1).execute([&] { serial = generate::generateSampleCity(options); });
  tbb::task_arena(2).execute([&] { parallel = generate::generateSampleCity(options); });
  CHECK(serial == parallel);
  // Progress reporting only observes: the city is the same with or without it.
  Progress progress("generating", 0);
  CHECK(serial == generate::generateSampleCity(options, &progress));

  const city::CityModel other = generate::generateSampleCity({1.0, 6, 10.0});
  CHECK_FALSE(other == serial);
  CHECK(other.terrain.values != serial.terrain.values);
  CHECK(other.provenance.front().fingerprint != serial.provenance.front().fingerprint);
}

TEST_CASE("the city is in UTM 32N with a generator provenance entry") {
  const city::CityModel& city = smallTown();
  CHECK(city.crsEpsg == 32632);
  CHECK_FALSE(city.name.empty());
  REQUIRE(city.provenance.size() == 1);
  const auto& entry = city.provenance.front();
  CHECK(entry.role == "generator");
  CHECK(entry.source.find("seed=11") != std::string::npos);
  CHECK(entry.source.find("size_km=1") != std::string::npos);
  CHECK(entry.fingerprint == fingerprintText(entry.source));
  const geo::BBox extent = city.extent();
  // Inside zone 32's usable eastings and at mid-northern latitudes.
  CHECK(extent.minX > 200000.0);
  CHECK(extent.maxX < 800000.0);
  CHECK(extent.minY > 4000000.0);
  CHECK(extent.maxY < 6000000.0);
}

TEST_CASE("options outside the supported ranges are rejected with an error naming the option") {
  CHECK_THROWS_WITH_AS(generate::generateSampleCity({0.0, 1, 10.0}), doctest::Contains("size_km"), Error);
  CHECK_THROWS_WITH_AS(generate::generateSampleCity({1.0, 1, 0.0}), doctest::Contains("dem_cell_m"), Error);
  CHECK_THROWS_AS(generate::generateSampleCity({std::nan(""), 1, 10.0}), Error);
}

TEST_CASE("the terrain covers the town and carves a channel that falls downstream") {
  const city::CityModel& city = largerTown();
  const auto river = generate::sampleRiverCourse({2.0, 11, 10.0});
  const geo::RasterGrid& terrain = city.terrain;
  CHECK(terrain.cellSize == 10.0);
  const geo::BBox extent = terrain.extent();
  for (const auto& node : city.roads.nodes) CHECK(extent.contains(node.position));

  // Across the channel: the centreline lies metres below the floodplain on both banks.
  double upstream = 0.0;
  double downstream = 0.0;
  int sections = 0;
  for (double x = extent.minX + 20.0; x < extent.maxX - 20.0; x += terrain.cellSize) {
    const double y = river.centreY(x);
    const double bed = *terrain.sample({x, y});
    const double north = *terrain.sample({x, y + river.halfWidthM + 20.0});
    const double south = *terrain.sample({x, y - river.halfWidthM - 20.0});
    CHECK(north - bed > 2.0);
    CHECK(south - bed > 2.0);
    if (sections == 0) upstream = bed;
    downstream = bed;
    ++sections;
  }
  CHECK(sections > 100);
  CHECK(upstream > downstream + 1.0);

  // The lowest cell of every terrain column lies in the channel, so water collects in the river.
  for (std::size_t column = 0; column < terrain.columns; column += 7) {
    std::size_t lowest = 0;
    for (std::size_t row = 1; row < terrain.rows; ++row) {
      if (terrain.at(column, row) < terrain.at(column, lowest)) lowest = row;
    }
    CHECK(river.offset(terrain.cellCentre(column, lowest)) < river.halfWidthM);
  }
}

TEST_CASE("the drivable road graph is one strongly connected component with consistent links") {
  for (const city::CityModel* city : {&smallTown(), &largerTown()}) {
    const city::RoadNetwork& roads = city->roads;
    REQUIRE(roads.nodes.size() > 20);
    const city::RoadComponents components = city::stronglyConnectedComponents(roads);
    CHECK(components.componentSizes.size() == 1);
    std::map<std::string, int> classes;
    std::set<std::string> ids;
    std::size_t oneWay = 0;
    std::set<std::pair<std::uint32_t, std::uint32_t>> directed;
    for (const auto& link : roads.links) directed.insert({link.from, link.to});
    for (const auto& link : roads.links) {
      CHECK(ids.insert(link.id).second);
      REQUIRE(link.geometry.size() >= 2);
      CHECK(link.geometry.front() == roads.nodes[link.from].position);
      CHECK(link.geometry.back() == roads.nodes[link.to].position);
      CHECK(link.lengthM == doctest::Approx(geo::length(link.geometry)));
      CHECK(link.lengthM > 0.0);
      CHECK(city::isDrivableHighwayClass(link.highwayClass));
      const auto defaults = city::roadClassDefaults(link.highwayClass);
      CHECK(link.lanes == (link.highwayClass == "primary" ? 2 : defaults.lanesPerDirection));
      CHECK(link.speedLimitKph == defaults.speedLimitKph);
      CHECK(link.capacityVehPerHour == doctest::Approx(defaults.capacityPerLaneVehPerHour * link.lanes));
      CHECK(link.oneWay == (directed.count({link.to, link.from}) == 0));
      oneWay += link.oneWay ? 1 : 0;
      ++classes[link.highwayClass];
    }
    CHECK(oneWay > 0);
    CHECK(classes["primary"] > 0);
    CHECK(classes["residential"] > classes["primary"]);
    std::size_t signals = 0;
    for (const auto& node : roads.nodes) {
      signals += node.trafficSignals ? 1 : 0;
      CHECK(node.elevationM == doctest::Approx(*city->terrain.sample(node.position)).epsilon(1e-9));
    }
    CHECK(signals > 0);
    CHECK(signals < roads.nodes.size() / 4);
  }
}

TEST_CASE("bridges are exactly the links that cross the river, and the river lies below them") {
  for (const auto& [options, city] : {std::pair{SampleCityOptions{1.0, 11, 10.0}, &smallTown()},
                                      std::pair{SampleCityOptions{2.0, 11, 10.0}, &largerTown()}}) {
    const auto river = generate::sampleRiverCourse(options);
    std::size_t bridges = 0;
    for (const auto& link : city->roads.links) {
      CHECK_MESSAGE(touchesChannel(river, link.geometry) == link.bridge, link.id);
      if (!link.bridge) continue;
      ++bridges;
      const geo::Vec2 middle{(link.geometry.front().x + link.geometry.back().x) / 2,
                             river.centreY(link.geometry.front().x)};
      const double underneath = *city->terrain.sample(middle);
      CHECK(city->roads.nodes[link.from].elevationM - underneath > 1.0);
      CHECK(city->roads.nodes[link.to].elevationM - underneath > 1.0);
    }
    CHECK(bridges >= 2);
  }
}

TEST_CASE("buildings have heights, uses, ages and ground elevations from the terrain") {
  const city::CityModel& city = largerTown();
  REQUIRE(city.buildings.size() > 1000);
  std::map<city::BuildingUse, std::size_t> uses;
  std::set<std::string> ids;
  for (std::size_t b = 0; b < city.buildings.size(); ++b) {
    const city::Building& building = city.buildings[b];
    CHECK(building.id == "sample:building/" + std::to_string(b + 1));
    CHECK(ids.insert(building.id).second);
    CHECK(building.heightM > 0.0);
    CHECK(building.levels >= 1);
    CHECK(building.heightM >= building.levels * 2.5);
    CHECK((building.heightSource == city::HeightSource::Generated));
    CHECK(building.yearBuilt >= 1400);
    CHECK(building.yearBuilt <= 2025);
    REQUIRE(building.footprint.size() == 1);
    const geo::Ring& ring = building.footprint.front().outer;
    CHECK((ring.size() == 4 || ring.size() == 6));
    CHECK(geo::signedRingArea(ring) > 20.0);
    const geo::Vec2 inside = geo::pointOnSurface(building.footprint);
    CHECK(city.terrain.extent().contains(inside));
    CHECK(building.groundElevationM == doctest::Approx(*city.terrain.sample(inside)).epsilon(1e-9));
    ++uses[building.use];
  }
  CHECK(uses[city::BuildingUse::Residential] > city.buildings.size() / 2);
  for (auto use : {city::BuildingUse::Commercial, city::BuildingUse::Retail, city::BuildingUse::Office,
                   city::BuildingUse::Education, city::BuildingUse::Industrial, city::BuildingUse::Health,
                   city::BuildingUse::Public}) {
    CHECK_MESSAGE(uses[use] > 0, std::string(city::toString(use)));
  }

  // The centre is taller and older than the outskirts, and its historic core predates 1850.
  const geo::Vec2 rainGauge = std::find_if(city.sensors.begin(), city.sensors.end(), [](const auto& s) {
                                return s.type == "RainGauge";
                              })->position;
  double centralHeight = 0.0, outerHeight = 0.0, centralYear = 0.0, outerYear = 0.0;
  int central = 0, outer = 0, historic = 0;
  for (const auto& building : city.buildings) {
    const double r = geo::distance(geo::pointOnSurface(building.footprint), rainGauge);
    if (r < 300.0) {
      centralHeight += building.heightM;
      centralYear += building.yearBuilt;
      ++central;
      if (building.yearBuilt < 1850) ++historic;
    } else if (r > 700.0) {
      outerHeight += building.heightM;
      outerYear += building.yearBuilt;
      ++outer;
    }
  }
  REQUIRE(central > 10);
  REQUIRE(outer > 10);
  CHECK(centralHeight / central > outerHeight / outer + 3.0);
  CHECK(centralYear / central < outerYear / outer - 15.0);
  CHECK(historic > 5);
}

TEST_CASE("no building overlaps another building, a road or the river channel") {
  for (const auto& [options, city] : {std::pair{SampleCityOptions{1.0, 11, 10.0}, &smallTown()},
                                      std::pair{SampleCityOptions{2.0, 11, 10.0}, &largerTown()}}) {
    const auto river = generate::sampleRiverCourse(options);
    const std::vector<geo::BBox> boxes = buildingBounds(*city);
    const geo::SpatialIndex buildingIndex(boxes);
    std::vector<geo::BBox> linkBoxes;
    for (const auto& link : city->roads.links) {
      geo::BBox box;
      for (const auto& p : link.geometry) box.expand(p);
      linkBoxes.push_back(box);
    }
    const geo::SpatialIndex linkIndex(linkBoxes);
    std::size_t overlaps = 0;
    std::size_t onRoads = 0;
    std::size_t inRiver = 0;
    for (std::uint32_t b = 0; b < city->buildings.size(); ++b) {
      const geo::Ring& ring = city->buildings[b].footprint.front().outer;
      geo::BBox near = boxes[b];
      near.minX -= 5.0;
      near.minY -= 5.0;
      near.maxX += 5.0;
      near.maxY += 5.0;
      for (std::uint32_t other : buildingIndex.query(near)) {
        if (other > b && ringGap(ring, city->buildings[other].footprint.front().outer) < 0.5) ++overlaps;
      }
      // Half a carriageway and a pavement: at least 4 m from every street centreline.
      for (std::uint32_t link : linkIndex.query(near)) {
        if (ringToPolylineGap(ring, city->roads.links[link].geometry) < 4.0) ++onRoads;
      }
      geo::Polyline outline = ring;
      outline.push_back(ring.front());
      if (touchesChannel(river, outline) || river.inChannel(geo::pointOnSurface(city->buildings[b].footprint))) ++inRiver;
    }
    CHECK(overlaps == 0);
    CHECK(onRoads == 0);
    CHECK(inRiver == 0);
  }
}

TEST_CASE("every building is served by exactly one feeder of a primary substation") {
  const city::CityModel& city = largerTown();
  const auto river = generate::sampleRiverCourse({2.0, 11, 10.0});
  const city::GridAssets& grid = city.grid;
  REQUIRE_FALSE(grid.substations.empty());
  REQUIRE_FALSE(grid.feeders.empty());
  std::vector<int> servedBy(city.buildings.size(), 0);
  for (const auto& feeder : grid.feeders) {
    REQUIRE(feeder.substation < grid.substations.size());
    const city::Substation& station = grid.substations[feeder.substation];
    CHECK(station.primaryKv == 110.0);
    CHECK(feeder.voltageKv == station.secondaryKv);
    CHECK(feeder.resistanceOhmPerKm > 0.1);
    CHECK(feeder.resistanceOhmPerKm < 0.4);
    CHECK(feeder.reactanceOhmPerKm > 0.05);
    CHECK(feeder.ratedAmps > 200.0);
    REQUIRE(feeder.route.size() >= 2);
    CHECK(feeder.route.front() == station.position);
    CHECK_FALSE(feeder.servedBuildings.empty());
    for (std::uint32_t b : feeder.servedBuildings) {
      REQUIRE(b < city.buildings.size());
      ++servedBy[b];
    }
  }
  CHECK(std::all_of(servedBy.begin(), servedBy.end(), [](int count) { return count == 1; }));

  std::size_t secondaries = 0;
  bool floodplainPrimary = false;
  std::set<std::string> ids;
  for (const auto& station : grid.substations) {
    CHECK(ids.insert(station.id).second);
    CHECK(station.floodThresholdM == 0.3);
    CHECK(station.ratedMva > 0.0);
    CHECK(station.groundElevationM == doctest::Approx(*city.terrain.sample(station.position)).epsilon(1e-9));
    CHECK_FALSE(river.inChannel(station.position));
    if (station.primaryKv == 20.0 && station.secondaryKv == 0.4) ++secondaries;
    // On the floodplain: close to the river and less than a couple of metres above its banks.
    if (station.primaryKv == 110.0 && river.offset(station.position) < 250.0 &&
        station.groundElevationM < river.bedElevationM(station.position.x) + river.bankDepthM + 2.0) {
      floodplainPrimary = true;
    }
  }
  CHECK(secondaries > 10);
  CHECK(floodplainPrimary);

  // A building's secondary substation is the nearest one, and its feeder passes through that site.
  std::vector<geo::Vec2> secondarySites;
  std::vector<geo::BBox> secondaryBoxes;
  for (const auto& station : grid.substations) {
    if (station.secondaryKv != 0.4) continue;
    secondarySites.push_back(station.position);
    secondaryBoxes.push_back({station.position.x, station.position.y, station.position.x, station.position.y});
  }
  const geo::SpatialIndex secondaryIndex(secondaryBoxes);
  std::size_t offRoute = 0;
  for (const auto& feeder : grid.feeders) {
    for (std::uint32_t b : feeder.servedBuildings) {
      const geo::Vec2 site =
          secondarySites[secondaryIndex.nearest(geo::bounds(city.buildings[b].footprint).centre(), 1).front()];
      if (std::find(feeder.route.begin(), feeder.route.end(), site) == feeder.route.end()) ++offRoute;
    }
  }
  CHECK(offRoute == 0);
}

TEST_CASE("sensors have NGSI-LD ids and reference objects that exist") {
  const city::CityModel& city = largerTown();
  std::set<std::string> linkIds;
  std::map<std::string, const city::RoadLink*> links;
  for (const auto& link : city.roads.links) links[link.id] = &link;
  std::set<std::string> buildingIds;
  for (const auto& building : city.buildings) buildingIds.insert(building.id);
  std::map<std::string, int> types;
  std::set<std::string> ids;
  const geo::BBox extent = city.terrain.extent();
  for (const auto& sensor : city.sensors) {
    CHECK(ids.insert(sensor.id).second);
    CHECK(sensor.id.rfind("urn:ngsi-ld:Device:", 0) == 0);
    CHECK(extent.contains(sensor.position));
    REQUIRE_FALSE(sensor.observedAttributes.empty());
    ++types[sensor.type];
    if (sensor.type == "TrafficCounter") {
      REQUIRE(links.count(sensor.refEntity) == 1);
      CHECK(links[sensor.refEntity]->highwayClass != "residential");
      CHECK(sensor.observedAttributes == std::vector<std::string>{"intensity", "averageVehicleSpeed"});
    } else if (sensor.type == "RiverGauge") {
      REQUIRE(links.count(sensor.refEntity) == 1);
      CHECK(links[sensor.refEntity]->bridge);
      CHECK(sensor.observedAttributes == std::vector<std::string>{"waterLevel"});
    } else if (sensor.type == "SmartMeter") {
      CHECK(buildingIds.count(sensor.refEntity) == 1);
      CHECK(sensor.observedAttributes == std::vector<std::string>{"activePower"});
    } else {
      CHECK(sensor.type == "RainGauge");
      CHECK(sensor.observedAttributes == std::vector<std::string>{"precipitation"});
    }
  }
  CHECK(types["TrafficCounter"] >= 2);
  CHECK(types["RainGauge"] == 1);
  CHECK(types["RiverGauge"] == 1);
  CHECK(types["SmartMeter"] >= 10);
}

TEST_CASE("counts grow roughly in proportion to the area") {
  const city::CityModel& one = smallTown();     // 1 km²
  const city::CityModel& four = largerTown();   // 4 km²
  const auto ratio = [](std::size_t large, std::size_t small) {
    return static_cast<double>(large) / static_cast<double>(small);
  };
  // About 1,000 buildings per km².
  CHECK(one.buildings.size() > 700);
  CHECK(one.buildings.size() < 1400);
  CHECK(ratio(four.buildings.size(), one.buildings.size()) > 3.3);
  CHECK(ratio(four.buildings.size(), one.buildings.size()) < 4.8);
  CHECK(ratio(four.roads.links.size(), one.roads.links.size()) > 3.0);
  CHECK(ratio(four.roads.links.size(), one.roads.links.size()) < 5.0);
  CHECK(ratio(four.grid.substations.size(), one.grid.substations.size()) > 2.5);
  CHECK(ratio(four.grid.substations.size(), one.grid.substations.size()) < 5.5);
  CHECK(ratio(four.sensors.size(), one.sensors.size()) > 2.0);
  CHECK(ratio(four.sensors.size(), one.sensors.size()) < 7.0);
}
