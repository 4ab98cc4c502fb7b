#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

#include "citytwin/testing/skip_registry.hpp"

// Exit code that CTest's SKIP_RETURN_CODE maps to "Skipped".
constexpr int kSkippedExitCode = 77;

int main(int argc, char** argv) {
  doctest::Context context;
  context.applyCommandLine(argc, argv);
  const int result = context.run();
  if (context.shouldExit()) return result;
  const auto skips = citytwin::testing::recordedSkips();
  for (const auto& reason : skips) std::cout << "SKIPPED: " << reason << "\n";
  if (result == 0 && !skips.empty()) return kSkippedExitCode;
  return result;
}
