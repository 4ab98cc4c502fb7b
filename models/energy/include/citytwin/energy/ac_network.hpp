#pragma once

#include <complex>
#include <vector>

#include "citytwin/energy/matpower_case.hpp"

namespace citytwin::energy {

using Complex = std::complex<double>;

// What a bus holds fixed in the power flow: the reference holds V and angle, a PV bus P and |V|, a PQ bus P and Q.
enum class BusRole : unsigned char { Reference, PV, PQ };

// A branch in the pi model with an ideal transformer at the from end (MATPOWER's convention).
struct AcBranch {
  int from = 0, to = 0;          // internal bus indices
  double r = 0, x = 0, b = 0;    // p.u.
  double ratio = 1.0;            // off-nominal tap (1 for a line)
  double shiftDeg = 0.0;
};

// A per-unit network with contiguous bus indices, ready for the power flow.
struct AcNetwork {
  double baseMva = 1.0;
  std::vector<BusRole> roles;
  std::vector<Complex> shunt;       // p.u. admittance at V = 1
  std::vector<AcBranch> branches;
  std::vector<Complex> injection;   // scheduled net injection (generation - load), p.u.
  std::vector<Complex> voltage;     // starting voltage, p.u.

  std::size_t busCount() const { return roles.size(); }
};

// The network of a MATPOWER case as MATPOWER's runpf sees it: isolated buses, out-of-service branches and
// generators dropped, PV/reference buses without a generator in service turned PQ, generator voltage set points
// applied to the starting voltage. `busIndexOfCaseRow[i]` is the internal index of the case's i-th bus or -1.
struct CaseNetwork {
  AcNetwork network;
  std::vector<int> busIndexOfCaseRow;
};
CaseNetwork buildCaseNetwork(const PowerCase& powerCase);

// Series losses of every branch summed, in MW (MATPOWER's get_losses): |V_f / tap - V_t|^2 / z*.
double seriesLossesMw(const AcNetwork& network, const std::vector<Complex>& voltage);

// Current through the series element of each branch in p.u. (for loading).
Complex branchSeriesCurrent(const AcBranch& branch, const std::vector<Complex>& voltage);

}  // namespace citytwin::energy
