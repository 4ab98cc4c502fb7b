#include "citytwin/flood/register.hpp"

#include <memory>

#include "citytwin/flood/flood_model.hpp"

namespace citytwin::flood {

void registerFloodModel(sim::ModelRegistry& registry) {
  registry.add("flood", [] { return std::make_unique<FloodModel>(); });
}

}  // namespace citytwin::flood
