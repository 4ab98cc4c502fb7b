#pragma once

#include <vector>

#include "citytwin/city/building.hpp"
#include "citytwin/city/road_network.hpp"
#include "citytwin/city/sensor.hpp"
#include "town_plan.hpp"

namespace citytwin::generate::detail {

// Traffic counters on arterial links, one rain gauge in the centre, a river gauge on the bridge
// nearest the centre and smart meters on about 2% of buildings; ids are NGSI-LD Device URNs.
std::vector<city::Sensor> placeSensors(const TownPlan& plan, const city::RoadNetwork& roads,
                                       const std::vector<city::Building>& buildings);

}  // namespace citytwin::generate::detail
