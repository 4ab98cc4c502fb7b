#pragma once

#include <filesystem>

namespace citytwin {

// Writes an output under a temporary name beside its final path and renames it into place only on
// commit(), so a failure or an interruption never leaves a half-written file behind.
class AtomicOutput {
 public:
  // Throws Error naming the path when its folder is missing or not writable, before any work starts.
  explicit AtomicOutput(std::filesystem::path finalPath);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& temporaryPath() const noexcept { return temporary_; }
  const std::filesystem::path& finalPath() const noexcept { return final_; }
  void commit();

 private:
  std::filesystem::path final_;
  std::filesystem::path temporary_;
  bool committed_ = false;
};

// Throws Error when a file could not be created at `path` (missing folder, no permission).
void requireWritableOutput(const std::filesystem::path& path);

}  // namespace citytwin
