#include "sensor_placer.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "seeded_random.hpp"

namespace citytwin::generate::detail {
namespace {

std::string deviceId(const std::string& type, std::size_t number) {
  return "urn:ngsi-ld:Device:" + type + "-" + std::to_string(number);
}

geo::Vec2 midpoint(const city::RoadLink& link) {
  const geo::Vec2 a = link.geometry.front();
  const geo::Vec2 b = link.geometry.back();
  return {(a.x + b.x) / 2, (a.y + b.y) / 2};
}

}  // namespace

std::vector<city::Sensor> placeSensors(const TownPlan& plan, const city::RoadNetwork& roads,
                                       const std::vector<city::Building>& buildings) {
  const std::uint64_t seed = plan.options.seed;
  std::vector<city::Sensor> sensors;

  // Counters on about one arterial link in eight (never on bridges, where the river gauge sits), and
  // always on at least the first arterial link so every town has one.
  std::size_t counters = 0;
  std::size_t firstArterial = roads.links.size();
  for (std::size_t l = 0; l < roads.links.size(); ++l) {
    const city::RoadLink& link = roads.links[l];
    if (link.highwayClass == "residential" || link.bridge) continue;
    if (firstArterial == roads.links.size()) firstArterial = l;
    if (unitValue(seed, Purpose::Sensors, 1, l) >= 0.125) continue;
    sensors.push_back({deviceId("traffic-counter", ++counters), "TrafficCounter", midpoint(link),
                       {"intensity", "averageVehicleSpeed"}, link.id});
  }
  if (counters == 0 && firstArterial < roads.links.size()) {
    const city::RoadLink& link = roads.links[firstArterial];
    sensors.push_back({deviceId("traffic-counter", ++counters), "TrafficCounter", midpoint(link),
                       {"intensity", "averageVehicleSpeed"}, link.id});
  }

  sensors.push_back({deviceId("rain-gauge", 1), "RainGauge", plan.centre, {"precipitation"}, ""});

  std::size_t gaugeBridge = roads.links.size();
  double nearest = std::numeric_limits<double>::infinity();
  for (std::size_t l = 0; l < roads.links.size(); ++l) {
    if (!roads.links[l].bridge) continue;
    const double d = std::abs(midpoint(roads.links[l]).x - plan.centre.x);
    if (d < nearest) {
      nearest = d;
      gaugeBridge = l;
    }
  }
  if (gaugeBridge < roads.links.size()) {
    const city::RoadLink& bridge = roads.links[gaugeBridge];
    sensors.push_back({deviceId("river-gauge", 1), "RiverGauge", midpoint(bridge), {"waterLevel"}, bridge.id});
  }

  std::size_t meters = 0;
  for (std::size_t b = 0; b < buildings.size(); ++b) {
    if (unitValue(seed, Purpose::Sensors, 2, b) >= 0.02) continue;
    sensors.push_back({deviceId("smart-meter", ++meters), "SmartMeter", geo::pointOnSurface(buildings[b].footprint),
                       {"activePower"}, buildings[b].id});
  }
  return sensors;
}

}  // namespace citytwin::generate::detail
