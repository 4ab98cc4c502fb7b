#pragma once

#include "citytwin/sim/model_registry.hpp"

namespace citytwin::traffic {

// Adds the "traffic" model (TrafficModel) to a registry.
void registerTrafficModel(sim::ModelRegistry& registry);

}  // namespace citytwin::traffic
