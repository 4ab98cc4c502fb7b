#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "citytwin/scenario/branch_result.hpp"

namespace citytwin::scenario {

// Spreads the simulations of a run over processes: each process runs those it is dealt, and the recording
// process gets every result back.
class BranchDealer {
 public:
  virtual ~BranchDealer() = default;
  // True in the one process that writes the run folder and the run database.
  virtual bool recordsRun() const = 0;
  // Runs simulation i with `run` once for every i < costs.size(), dealing the largest estimated costs
  // first; returns, in the recording process, every result in index order (empty elsewhere). A failed
  // simulation comes back with its `failure` set; after one, no new simulation is started.
  virtual std::vector<BranchResult> deal(const std::vector<double>& costs,
                                         const std::function<BranchResult(std::size_t)>& run) = 0;
};

}  // namespace citytwin::scenario
