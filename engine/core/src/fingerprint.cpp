#include "citytwin/core/fingerprint.hpp"

#include <array>
#include <cstdio>
#include <fstream>

#include "citytwin/core/error.hpp"

namespace citytwin {

void Fingerprint::add(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    state_ ^= bytes[i];
    state_ *= 0x100000001b3ULL;
  }
}

void Fingerprint::add(std::string_view bytes) { add(bytes.data(), bytes.size()); }

std::string Fingerprint::hex() const {
  std::array<char, 17> text{};
  std::snprintf(text.data(), text.size(), "%016llx", static_cast<unsigned long long>(state_));
  return text.data();
}

std::string fingerprintFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open file to fingerprint it");
  Fingerprint fingerprint;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    fingerprint.add(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return fingerprint.hex();
}

std::string fingerprintText(std::string_view text) {
  Fingerprint fingerprint;
  fingerprint.add(text);
  return fingerprint.hex();
}

}  // namespace citytwin
