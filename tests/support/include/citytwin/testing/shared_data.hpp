#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin::testing {

// Root of the read-only reference data: $CITYTWIN_SHARED_DATA if set, else the path configured at build
// time (CITYTWIN_SHARED_DATA in CMake, by default ../shared/data beside the source tree).
std::filesystem::path sharedDataRoot();

// The reference folder or file `relative` under the root, or nullopt after recording a skip message that
// names what is missing. A test that gets nullopt returns; the runner then reports the executable as
// skipped (exit code 77) rather than passed, so missing data never looks like a pass.
std::optional<std::filesystem::path> sharedData(std::string_view relative);

// A scratch folder unique to this test process, removed at exit.
std::filesystem::path scratchDirectory();

// Writes `text` into `<scratch>/<name>.toml` and returns the path: a scenario written by a test.
std::filesystem::path writeScratchScenario(const std::string& name, const std::string& text);

}  // namespace citytwin::testing
