#include "citytwin/testing/shared_data.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "citytwin/testing/skip_registry.hpp"

namespace citytwin::testing {

std::filesystem::path sharedDataRoot() {
  if (const char* fromEnvironment = std::getenv("CITYTWIN_SHARED_DATA");
      fromEnvironment && *fromEnvironment) {
    return fromEnvironment;
  }
  return CITYTWIN_SHARED_DATA_DEFAULT;
}

std::optional<std::filesystem::path> sharedData(std::string_view relative) {
  const std::filesystem::path path = sharedDataRoot() / std::filesystem::path(relative);
  if (std::filesystem::exists(path)) return path;
  recordSkip("reference data missing: " + path.string() +
             " (set CITYTWIN_SHARED_DATA to the folder holding city/, flood/, traffic/, energy/, context/)");
  return std::nullopt;
}

namespace {
struct ScratchFolder {
  std::filesystem::path path;
  ScratchFolder() {
    path = std::filesystem::temp_directory_path() / ("citytwin-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~ScratchFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};
}  // namespace

std::filesystem::path scratchDirectory() {
  static ScratchFolder folder;
  return folder.path;
}

std::filesystem::path writeScratchScenario(const std::string& name, const std::string& text) {
  const auto path = scratchDirectory() / (name + ".toml");
  std::ofstream(path) << text;
  return path;
}

}  // namespace citytwin::testing
