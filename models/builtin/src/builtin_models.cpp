#include "builtin_models.hpp"

// A model library joins the build when its folder exists; its registration header tells us so.
#if __has_include(<citytwin/flood/register.hpp>)
#include <citytwin/flood/register.hpp>
#define CITYTWIN_HAS_FLOOD_MODEL 1
#endif
#if __has_include(<citytwin/traffic/register.hpp>)
#include <citytwin/traffic/register.hpp>
#define CITYTWIN_HAS_TRAFFIC_MODEL 1
#endif
#if __has_include(<citytwin/energy/register.hpp>)
#include <citytwin/energy/register.hpp>
#define CITYTWIN_HAS_ENERGY_MODEL 1
#endif

namespace citytwin::cli {

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

}  // namespace citytwin::cli
