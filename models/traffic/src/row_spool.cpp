#include "citytwin/traffic/row_spool.hpp"

#include <algorithm>
#include <vector>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::traffic {

RowSpool::RowSpool() : file_(std::tmpfile()) {
  if (!file_) throw Error("traffic: cannot create a temporary file for result rows");
}

void RowSpool::append(std::string_view row) {
  if (std::fwrite(row.data(), 1, row.size(), file_.get()) != row.size())
    throw Error("traffic: writing result rows to a temporary file failed (disk full?)");
  size_ += row.size();
}

void RowSpool::truncate(std::uint64_t bytes) {
  if (bytes >= size_) return;
  // Later rows overwrite the forgotten ones; writeTo() never reads past size_.
  std::fflush(file_.get());
  if (std::fseek(file_.get(), static_cast<long>(bytes), SEEK_SET) != 0)
    throw Error("traffic: cannot rewind the temporary result file");
  size_ = bytes;
}

void RowSpool::writeTo(const std::filesystem::path& path, std::string_view header) const {
  AtomicOutput output(path);
  std::FILE* out = std::fopen(output.temporaryPath().c_str(), "wb");
  if (!out) throw Error("cannot write '" + path.string() + "'");
  bool ok = std::fwrite(header.data(), 1, header.size(), out) == header.size();
  std::FILE* in = file_.get();
  ok = ok && std::fflush(in) == 0;
  const long end = std::ftell(in);
  ok = ok && end >= 0 && std::fseek(in, 0, SEEK_SET) == 0;
  std::vector<char> buffer(1 << 20);
  for (std::uint64_t left = size_; ok && left > 0;) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
    ok = std::fread(buffer.data(), 1, chunk, in) == chunk &&
         std::fwrite(buffer.data(), 1, chunk, out) == chunk;
    left -= chunk;
  }
  // Appending continues where it left off.
  ok = std::fseek(in, end, SEEK_SET) == 0 && ok;
  ok = std::fflush(out) == 0 && !std::ferror(out) && ok;
  std::fclose(out);
  if (!ok) throw Error("failed writing '" + path.string() + "'");
  output.commit();
}

}  // namespace citytwin::traffic
