#pragma once

#include <filesystem>
#include <vector>

#include "citytwin/energy/matpower_case.hpp"
#include "citytwin/energy/newton_raphson.hpp"

namespace citytwin::energy {

// The solved state of a MATPOWER case, reported per case bus (in case order).
struct CaseSolution {
  PowerFlowOutcome outcome;
  std::vector<int> busId;
  std::vector<double> vm;
  std::vector<double> vaDeg;
  double lossesMw = 0;
  double seconds = 0;          // wall time of the Newton-Raphson solve alone (no parsing, no set-up)
  double cpuSeconds = 0;       // CPU time of the solving thread over the same interval (robust on a busy machine)
  std::size_t jacobianNonZeros = 0;
};

// Runs MATPOWER's runpf (Newton-Raphson, no reactive limits) from the case's stored voltages.
CaseSolution solveCase(const PowerCase& powerCase, const PowerFlowOptions& options = {});

// Writes bus_i,Vm,Va_deg (atomically).
void writeBusVoltagesCsv(const CaseSolution& solution, const std::filesystem::path& path);

}  // namespace citytwin::energy
