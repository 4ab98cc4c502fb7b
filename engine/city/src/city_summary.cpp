#include "citytwin/city/city_summary.hpp"

namespace citytwin::city {

nlohmann::json citySummaryJson(const CityModel& city) {
  const geo::BBox extent = city.extent();
  nlohmann::json info;
  info["buildings"] = city.buildings.size();
  info["road_links"] = city.roads.links.size();
  info["road_nodes"] = city.roads.nodes.size();
  info["sensors"] = city.sensors.size();
  info["crs"] = city.crsName();
  info["extent"] = extent.empty()
                       ? nlohmann::json::array()
                       : nlohmann::json::array({extent.minX, extent.minY, extent.maxX, extent.maxY});
  info["dem_size"] = city.terrain.empty() ? nlohmann::json(nullptr)
                                          : nlohmann::json{{"columns", city.terrain.columns},
                                                           {"rows", city.terrain.rows},
                                                           {"cell_size_m", city.terrain.cellSize}};
  return info;
}

}  // namespace citytwin::city
