#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace citytwin::viewer {

// An 8-bit RGBA picture, rows from the top.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;

  std::array<std::uint8_t, 4> pixel(int x, int y) const {
    const std::size_t at =
        (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 4;
    return {rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]};
  }
};

// Writes a PNG; the file appears only once complete.
void writePng(const Image& image, const std::filesystem::path& path);

}  // namespace citytwin::viewer
