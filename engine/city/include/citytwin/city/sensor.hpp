#pragma once

#include <string>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::city {

// A sensor of the city's context feeds. Ids are NGSI-LD URNs ("urn:ngsi-ld:Device:rain-gauge-1") so
// live observations find their sensor without translation.
struct Sensor {
  std::string id;
  std::string type;                 // "TrafficCounter", "RainGauge", "RiverGauge", "SmartMeter", ...
  geo::Vec2 position;
  std::vector<std::string> observedAttributes;  // e.g. "intensity", "precipitation", "waterLevel"
  std::string refEntity;            // the city object it observes ("osm:way/1:0:f"), empty if none
  friend bool operator==(const Sensor&, const Sensor&) = default;
};

}  // namespace citytwin::city
