#pragma once

// One power flow of a substation's network at the design peak (internal to the grid synthesis, which sizes
// transformers and cables against it): every building draws its design kVA at the design power factor.

#include <cstddef>
#include <vector>

#include "citytwin/core/error.hpp"
#include "citytwin/energy/distribution_network.hpp"
#include "citytwin/energy/newton_raphson.hpp"
#include "service_area.hpp"

namespace citytwin::energy {

struct DesignPeakFlow {
  std::vector<Complex> voltage;  // per bus, p.u.; meaningful only when converged
  bool converged = false;
};

inline DesignPeakFlow solveDesignPeak(const SubstationNetwork& net, const std::vector<double>& buildingKva) {
  std::vector<Complex> injection(net.network.busCount(), Complex(0, 0));
  for (std::size_t j = 0; j < net.buildings.size(); ++j) {
    const double p = buildingKva[net.buildings[j]] * kDesignPowerFactor * 1e-3 / kNetworkBaseMva;
    injection[static_cast<std::size_t>(net.busOfBuilding[j])] -= Complex(p, p * kDesignReactiveShare);
  }
  DesignPeakFlow result{net.network.voltage, false};
  NewtonRaphsonPowerFlow flow(net.network, {1e-8, 30, LinearSolverKind::Klu});
  try {
    result.converged = flow.solve(result.voltage, injection).converged;
  } catch (const Error&) {
    // A network far beyond its limits may not solve at all: the synthesis then reinforces everything.
    result.converged = false;
  }
  return result;
}

}  // namespace citytwin::energy
