#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/context/city_mapping.hpp"
#include "citytwin/context/entity.hpp"

namespace citytwin::context {

// The live city of a running service: the model, its state kept current with every committed change
// (mapped through the same city-state writes as a LiveState), and a summary of the live values.
class LiveCity {
 public:
  explicit LiveCity(city::CityModel city, MappingTolerances tolerances = {});
  // Maps and applies the entities in the order given (the order the store committed them).
  void apply(const std::vector<Entity>& entities);
  city::CityState state() const;
  // {"city": name, "mapped_entities": n, "unmapped_entities": n, "columns": {"RoadLink.observed_flow_veh_per_h": {"<id>": v}}}
  nlohmann::json summary() const;

 private:
  city::CityModel city_;
  CityContextMapper mapper_;
  mutable std::mutex mutex_;
  city::CityState state_;
  std::size_t mapped_ = 0;
  std::size_t unmapped_ = 0;
  std::map<std::string, std::map<std::string, double>> written_;  // "Layer.column" -> object id -> value
};

}  // namespace citytwin::context
