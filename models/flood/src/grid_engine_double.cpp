#include "grid_engine.hpp"

namespace citytwin::flood {

std::unique_ptr<SimulationEngine> makeDoublePrecisionEngine(Domain domain, Forcing forcing, SimulationOptions options) {
  return std::make_unique<detail::GridEngine<double>>(std::move(domain), std::move(forcing), options);
}

}  // namespace citytwin::flood
