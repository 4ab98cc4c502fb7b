#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace citytwin {

// A 64-bit FNV-1a content fingerprint: recorded with every input so a run or an import can tell
// later whether its inputs changed. It detects change; it is not a security hash.
class Fingerprint {
 public:
  void add(std::string_view bytes);
  void add(const void* data, std::size_t size);
  std::uint64_t value() const noexcept { return state_; }
  std::string hex() const;

 private:
  std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

std::string fingerprintFile(const std::filesystem::path& path);
std::string fingerprintText(std::string_view text);

}  // namespace citytwin
