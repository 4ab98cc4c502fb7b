#include "citytwin/sim/parallel_branches.hpp"

#include <exception>
#include <tbb/task_group.h>

namespace citytwin::sim {

void forEachInParallel(std::size_t count, const std::function<void(std::size_t)>& work) {
  std::vector<std::exception_ptr> failures(count);
  tbb::task_group group;
  for (std::size_t i = 0; i < count; ++i) {
    group.run([&, i] {
      try {
        work(i);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    });
  }
  group.wait();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

std::vector<bool> runBranches(const std::vector<Branch*>& branches, const std::atomic<bool>* stop) {
  std::atomic<bool> failed{false};
  std::vector<char> completed(branches.size(), 0);
  const Scheduler::StopRequested shouldStop = [&] {
    return failed.load(std::memory_order_relaxed) || (stop != nullptr && stop->load(std::memory_order_relaxed));
  };
  forEachInParallel(branches.size(), [&](std::size_t i) {
    try {
      completed[i] = branches[i]->run(shouldStop) ? 1 : 0;
    } catch (...) {
      failed.store(true);
      throw;
    }
  });
  return {completed.begin(), completed.end()};
}

}  // namespace citytwin::sim
