#pragma once

#include <filesystem>

namespace citytwin::io {

// A file decompressed from bzip2 into the temporary folder, removed when this object goes. GDAL has no
// virtual file system for bzip2, so an .osm.bz2 extract is read through such a copy.
class DecompressedBzip2File {
 public:
  // Throws Error naming `compressed` when it cannot be read or is not a complete bzip2 stream.
  explicit DecompressedBzip2File(const std::filesystem::path& compressed);
  ~DecompressedBzip2File();
  DecompressedBzip2File(const DecompressedBzip2File&) = delete;
  DecompressedBzip2File& operator=(const DecompressedBzip2File&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace citytwin::io
