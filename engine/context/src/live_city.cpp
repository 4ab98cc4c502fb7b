#include "citytwin/context/live_city.hpp"

#include "citytwin/context/city_state_write.hpp"

namespace citytwin::context {

namespace {

// The id of object `index` of `layer`; empty for layers the mapping does not write.
const std::string& objectId(const city::CityModel& city, city::Layer layer, std::uint32_t index) {
  static const std::string none;
  switch (layer) {
    case city::Layer::Building: return city.buildings[index].id;
    case city::Layer::RoadLink: return city.roads.links[index].id;
    case city::Layer::Substation: return city.grid.substations[index].id;
    case city::Layer::Sensor: return city.sensors[index].id;
    default: return none;
  }
}

}  // namespace

LiveCity::LiveCity(city::CityModel city, MappingTolerances tolerances)
    : city_(std::move(city)), mapper_(city_, tolerances), state_(city_) {}

void LiveCity::apply(const std::vector<Entity>& entities) {
  std::lock_guard lock(mutex_);
  std::vector<CityStateWrite> writes;
  for (const auto& entity : entities) {
    writes.clear();
    if (!mapper_.map(entity, writes).mapped) {
      ++unmapped_;
      continue;
    }
    ++mapped_;
    applyWrites(writes, state_);
    for (const CityStateWrite& write : writes) {
      const std::string& id = objectId(city_, write.layer, write.index);
      if (id.empty()) continue;
      written_[std::string(city::toString(write.layer)) + "." + write.column][id] = write.value;
    }
  }
}

city::CityState LiveCity::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

nlohmann::json LiveCity::summary() const {
  std::lock_guard lock(mutex_);
  nlohmann::json columns = nlohmann::json::object();
  for (const auto& [qualified, values] : written_) columns[qualified] = values;
  return {{"city", city_.name}, {"mapped_entities", mapped_}, {"unmapped_entities", unmapped_}, {"columns", columns}};
}

}  // namespace citytwin::context
