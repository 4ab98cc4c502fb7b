#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "citytwin/energy/ac_network.hpp"

namespace citytwin::energy {

// Which sparse LU factorises the Jacobian. KLU keeps its symbolic analysis and pivot order across iterations
// and solves (refactorisation); Eigen's SparseLU re-factorises numerically each iteration from one analysis.
enum class LinearSolverKind { Klu, EigenSparseLu };
std::string_view toString(LinearSolverKind kind);

struct PowerFlowOptions {
  double tolerance = 1e-8;       // on the largest power mismatch, p.u. (MATPOWER's pf.tol)
  int maxIterations = 10;        // MATPOWER's pf.nr.max_it
  LinearSolverKind solver = LinearSolverKind::Klu;
};

struct PowerFlowOutcome {
  bool converged = false;
  int iterations = 0;
  double maxMismatch = 0;
};

// Newton-Raphson AC power flow in polar coordinates with a sparse Jacobian (MATPOWER's newtonpf): the
// admittance matrix, the Jacobian's sparsity pattern and the factorisation's symbolic analysis are built once,
// so a time series of solves on one network only refills numbers.
class NewtonRaphsonPowerFlow {
 public:
  NewtonRaphsonPowerFlow(const AcNetwork& network, PowerFlowOptions options = {});
  ~NewtonRaphsonPowerFlow();
  NewtonRaphsonPowerFlow(const NewtonRaphsonPowerFlow&) = delete;
  NewtonRaphsonPowerFlow& operator=(const NewtonRaphsonPowerFlow&) = delete;

  // Solves for `voltage` (in: starting point with reference/PV magnitudes set; out: solution) given the
  // scheduled injections (p.u.).
  PowerFlowOutcome solve(std::vector<Complex>& voltage, const std::vector<Complex>& injection);

  std::size_t jacobianNonZeros() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citytwin::energy
