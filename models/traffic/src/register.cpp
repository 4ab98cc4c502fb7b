#include "citytwin/traffic/register.hpp"

#include "citytwin/traffic/traffic_model.hpp"

namespace citytwin::traffic {

void registerTrafficModel(sim::ModelRegistry& registry) {
  registry.add("traffic", [] { return std::make_unique<TrafficModel>(); });
}

}  // namespace citytwin::traffic
