#pragma once

#include "citytwin/sim/model_registry.hpp"

namespace citytwin::flood {

// Adds the "flood" model (FloodModel) to the registry.
void registerFloodModel(sim::ModelRegistry& registry);

}  // namespace citytwin::flood
