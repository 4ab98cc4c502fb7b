#include "citytwin/models/builtin_models.hpp"

// The build defines CITYTWIN_HAS_<MODEL>_MODEL for each model library this configuration builds.
#ifdef CITYTWIN_HAS_FLOOD_MODEL
#include "citytwin/flood/register.hpp"
#endif
#ifdef CITYTWIN_HAS_TRAFFIC_MODEL
#include "citytwin/traffic/register.hpp"
#endif
#ifdef CITYTWIN_HAS_ENERGY_MODEL
#include "citytwin/energy/register.hpp"
#endif

namespace citytwin::models {

void registerBuiltinModels(sim::ModelRegistry& registry) {
#ifdef CITYTWIN_HAS_FLOOD_MODEL
  flood::registerFloodModel(registry);
#endif
#ifdef CITYTWIN_HAS_TRAFFIC_MODEL
  traffic::registerTrafficModel(registry);
#endif
#ifdef CITYTWIN_HAS_ENERGY_MODEL
  energy::registerEnergyModel(registry);
#endif
  (void)registry;
}

}  // namespace citytwin::models
