#include "citytwin/energy/register.hpp"

#include "citytwin/energy/energy_model.hpp"

namespace citytwin::energy {

void registerEnergyModel(sim::ModelRegistry& registry) {
  registry.add("energy", [] { return std::make_unique<EnergyModel>(); });
}

}  // namespace citytwin::energy
