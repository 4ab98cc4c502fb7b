#pragma once
// Readers that take a path are fuzzed through one scratch file per process: libFuzzer runs inputs one at a
// time, so rewriting the same file is safe, and /dev/shm (when present) keeps it out of the disk's way.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace citytwin::fuzzing {

inline std::filesystem::path writeFuzzInput(const std::uint8_t* data, std::size_t size, const std::string& suffix) {
  const std::filesystem::path folder =
      std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path();
  const auto path = folder / ("citytwin-fuzz-" + std::to_string(::getpid()) + suffix);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace citytwin::fuzzing
