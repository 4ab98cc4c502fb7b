#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <vector>

#include "citytwin/sim/branch.hpp"

namespace citytwin::sim {

// Calls work(i) for i in [0, count) as parallel TBB tasks (one per item, so branches run side by side
// when cores allow, and each model may use TBB inside). When several fail, the exception of the lowest
// index is rethrown, so the error a user sees does not depend on timing.
void forEachInParallel(std::size_t count, const std::function<void(std::size_t)>& work);

// Runs every branch to its end side by side. `stop` (may be null) is polled at every boundary; when it
// becomes true, or a branch fails, the others stop at their next boundary. Returns, per branch, whether
// it reached its end. Results are bit-identical for any thread count as long as the models are.
std::vector<bool> runBranches(const std::vector<Branch*>& branches, const std::atomic<bool>* stop = nullptr);

}  // namespace citytwin::sim
