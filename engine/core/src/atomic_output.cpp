#include "citytwin/core/atomic_output.hpp"

#include <unistd.h>

#include <system_error>

#include "citytwin/core/error.hpp"

namespace citytwin {

void requireWritableOutput(const std::filesystem::path& path) {
  const std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    throw Error(path.string() + ": cannot write output: folder '" + folder.string() + "' does not exist");
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    throw Error(path.string() + ": cannot write output: folder '" + folder.string() + "' is not writable");
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(path.string() + ": cannot write output: a folder of that name exists");
  }
}

AtomicOutput::AtomicOutput(std::filesystem::path finalPath) : final_(std::move(finalPath)) {
  requireWritableOutput(final_);
  temporary_ = final_;
  temporary_ += ".partial-" + std::to_string(::getpid());
  std::error_code ec;
  std::filesystem::remove(temporary_, ec);
}

AtomicOutput::~AtomicOutput() {
  if (committed_) return;
  std::error_code ec;
  std::filesystem::remove(temporary_, ec);
  // SQLite-based formats may leave journal files beside the temporary database.
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    std::filesystem::path sidecar = temporary_;
    sidecar += suffix;
    std::filesystem::remove(sidecar, ec);
  }
}

void AtomicOutput::commit() {
  std::error_code ec;
  std::filesystem::rename(temporary_, final_, ec);
  if (ec) throw Error(final_.string() + ": cannot move finished output into place: " + ec.message());
  committed_ = true;
}

}  // namespace citytwin
