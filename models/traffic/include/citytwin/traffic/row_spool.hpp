#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

namespace citytwin::traffic {

// Text rows appended during a run and copied into a result file at the end. The rows live in an anonymous
// temporary file (removed by the system even when the process dies), so a long run with many vehicles keeps
// only a write buffer in memory. truncate() forgets rows after a point, for restoring an earlier state.
class RowSpool {
 public:
  RowSpool();
  void append(std::string_view row);
  std::uint64_t size() const { return size_; }
  // Keeps the first `bytes` bytes (no-op when the spool holds fewer).
  void truncate(std::uint64_t bytes);
  // Writes `header` and the spooled rows to `path` atomically. Throws Error naming the path on failure.
  void writeTo(const std::filesystem::path& path, std::string_view header) const;

 private:
  struct Close {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  std::unique_ptr<std::FILE, Close> file_;
  std::uint64_t size_ = 0;
};

}  // namespace citytwin::traffic
