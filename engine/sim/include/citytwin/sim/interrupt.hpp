#pragma once

#include <atomic>

namespace citytwin::sim {

// The process-wide "please stop" flag: set by SIGINT/SIGTERM once installInterruptHandlers() ran.
// Runs poll it at every boundary and stop cleanly, so their records say "interrupted".
std::atomic<bool>& interruptFlag();
// Installs handlers that only set the flag (async-signal-safe). A second signal restores the default
// action, so a stuck run can still be killed with a second Ctrl-C.
void installInterruptHandlers();

}  // namespace citytwin::sim
