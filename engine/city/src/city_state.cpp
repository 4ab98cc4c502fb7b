#include "citytwin/city/city_state.hpp"

#include <array>
#include <utility>

#include "citytwin/city/coupling_columns.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::city {
namespace {
constexpr std::array<std::pair<Layer, std::string_view>, 6> kLayerNames{{
    {Layer::Building, "building"},
    {Layer::RoadLink, "road_link"},
    {Layer::RoadNode, "road_node"},
    {Layer::Substation, "substation"},
    {Layer::Feeder, "feeder"},
    {Layer::Sensor, "sensor"},
}};
}  // namespace

std::string_view toString(Layer layer) {
  for (const auto& [value, name] : kLayerNames) {
    if (value == layer) return name;
  }
  return "unknown";
}

Layer layerFromString(std::string_view text) {
  for (const auto& [value, name] : kLayerNames) {
    if (name == text) return value;
  }
  throw Error("unknown layer '" + std::string(text) +
              "': expected building, road_link, road_node, substation, feeder or sensor");
}

CityState::CityState(const CityModel& city) {
  counts_[Layer::Building] = city.buildings.size();
  counts_[Layer::RoadLink] = city.roads.links.size();
  counts_[Layer::RoadNode] = city.roads.nodes.size();
  counts_[Layer::Substation] = city.grid.substations.size();
  counts_[Layer::Feeder] = city.grid.feeders.size();
  counts_[Layer::Sensor] = city.sensors.size();
}

std::size_t CityState::objectCount(Layer layer) const {
  const auto found = counts_.find(layer);
  return found == counts_.end() ? 0 : found->second;
}

bool CityState::has(Layer layer, std::string_view attribute) const {
  return columns_.find(std::make_pair(layer, std::string(attribute))) != columns_.end();
}

std::vector<double>& CityState::column(Layer layer, std::string_view attribute, double initial) {
  auto key = std::make_pair(layer, std::string(attribute));
  auto found = columns_.find(key);
  if (found == columns_.end()) {
    found = columns_.emplace(std::move(key), std::vector<double>(objectCount(layer), initial)).first;
  }
  return found->second;
}

const std::vector<double>& CityState::column(Layer layer, std::string_view attribute) const {
  const auto found = columns_.find(std::make_pair(layer, std::string(attribute)));
  if (found == columns_.end()) {
    throw Error("city state has no attribute '" + std::string(attribute) + "' on layer '" +
                std::string(toString(layer)) + "'");
  }
  return found->second;
}

std::vector<std::string> CityState::attributes(Layer layer) const {
  std::vector<std::string> names;
  for (const auto& [key, values] : columns_) {
    if (key.first == layer) names.push_back(key.second);
  }
  return names;
}

bool CityState::has(const CouplingColumn& declared) const { return has(declared.layer, declared.name); }

std::vector<double>& CityState::column(const CouplingColumn& declared, double initial) {
  return column(declared.layer, declared.name, initial);
}

const std::vector<double>& CityState::column(const CouplingColumn& declared) const {
  return column(declared.layer, declared.name);
}

}  // namespace citytwin::city
