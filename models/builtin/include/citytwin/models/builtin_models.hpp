#pragma once

#include "citytwin/sim/model_registry.hpp"

namespace citytwin::models {

// Registers every domain model this build contains (flood, traffic, energy) with `registry`.
void registerBuiltinModels(sim::ModelRegistry& registry);

}  // namespace citytwin::models
