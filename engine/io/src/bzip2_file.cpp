#include "bzip2_file.hpp"

#include <bzlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "citytwin/core/error.hpp"

namespace citytwin::io {
namespace {

std::filesystem::path uniqueTemporaryPath(const std::filesystem::path& compressed) {
  static std::atomic<unsigned> counter{0};
  // The decompressed name keeps the inner ending (".osm"), which is how GDAL's drivers recognise it.
  const std::string name = "citytwin-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                           compressed.stem().filename().string();
  return std::filesystem::temp_directory_path() / name;
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

DecompressedBzip2File::DecompressedBzip2File(const std::filesystem::path& compressed)
    : path_(uniqueTemporaryPath(compressed)) {
  std::unique_ptr<std::FILE, FileCloser> input(std::fopen(compressed.c_str(), "rb"));
  if (!input) throw Error(compressed.string() + ": cannot be opened for reading");
  std::ofstream output(path_, std::ios::binary);
  if (!output) throw Error(path_.string() + ": cannot write the decompressed copy of " + compressed.string());

  std::vector<char> in(1 << 16);
  std::vector<char> out(1 << 18);
  bz_stream stream{};
  bool streamOpen = false;  // a bzip2 stream has begun and not yet ended
  int streamsRead = 0;
  int status = BZ_OK;
  while (true) {
    if (stream.avail_in == 0) {
      const std::size_t count = std::fread(in.data(), 1, in.size(), input.get());
      if (count == 0) break;
      stream.next_in = in.data();
      stream.avail_in = static_cast<unsigned>(count);
    }
    if (!streamOpen) {
      // A .bz2 file may hold several concatenated streams (parallel compressors write them): each gets a
      // fresh decoder over the remaining input.
      char* const nextIn = stream.next_in;
      const unsigned availableIn = stream.avail_in;
      status = BZ2_bzDecompressInit(&stream, 0, 0);
      if (status != BZ_OK) break;
      stream.next_in = nextIn;
      stream.avail_in = availableIn;
      streamOpen = true;
    }
    stream.next_out = out.data();
    stream.avail_out = static_cast<unsigned>(out.size());
    status = BZ2_bzDecompress(&stream);
    output.write(out.data(), static_cast<std::streamsize>(out.size() - stream.avail_out));
    if (status == BZ_STREAM_END) {
      BZ2_bzDecompressEnd(&stream);
      streamOpen = false;
      ++streamsRead;
      status = BZ_OK;
    } else if (status == BZ_DATA_ERROR_MAGIC && streamsRead > 0) {
      // Bytes after the last stream that begin no new one: ignored, as the bzip2 tool does.
      BZ2_bzDecompressEnd(&stream);
      streamOpen = false;
      status = BZ_OK;
      break;
    } else if (status != BZ_OK) {
      break;
    }
  }
  const bool readFailed = std::ferror(input.get()) != 0;
  // Ending inside a stream, or before the first, means the file was cut short.
  const bool complete = status == BZ_OK && !streamOpen && !readFailed && streamsRead > 0;
  if (streamOpen) BZ2_bzDecompressEnd(&stream);
  output.close();
  if (!complete || !output) {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
    throw Error(compressed.string() + ": truncated or corrupt bzip2 file" +
                (status != BZ_OK ? " (libbzip2 status " + std::to_string(status) + ")" : std::string()));
  }
}

DecompressedBzip2File::~DecompressedBzip2File() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

}  // namespace citytwin::io
