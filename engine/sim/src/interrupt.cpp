#include "citytwin/sim/interrupt.hpp"

#include <csignal>

namespace citytwin::sim {
namespace {
std::atomic<bool> flag{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the interrupt flag must be safe to set in a signal handler");

extern "C" void onInterrupt(int signal) {
  flag.store(true);
  std::signal(signal, SIG_DFL);
}
}  // namespace

std::atomic<bool>& interruptFlag() { return flag; }

void installInterruptHandlers() {
  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);
}

}  // namespace citytwin::sim
