#pragma once

#include "citytwin/sim/model_registry.hpp"

namespace citytwin::energy {

// Adds the "energy" model to the registry.
void registerEnergyModel(sim::ModelRegistry& registry);

}  // namespace citytwin::energy
