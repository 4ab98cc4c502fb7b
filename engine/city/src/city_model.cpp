#include "citytwin/city/city_model.hpp"

namespace citytwin::city {

geo::BBox CityModel::extent() const {
  geo::BBox box;
  if (!terrain.empty()) box.expand(terrain.extent());
  for (const auto& node : roads.nodes) box.expand(node.position);
  for (const auto& building : buildings) box.expand(geo::bounds(building.footprint));
  for (const auto& sensor : sensors) box.expand(sensor.position);
  for (const auto& substation : grid.substations) box.expand(substation.position);
  return box;
}

}  // namespace citytwin::city
