#include "citytwin/core/progress.hpp"

#include <cstdio>

#include "citytwin/core/terminal.hpp"

namespace citytwin {

Progress::Progress(std::string label, std::uint64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(interactiveFeedbackEnabled()),
      start_(std::chrono::steady_clock::now()),
      lastDraw_(start_) {}

Progress::~Progress() { finish(); }

void Progress::setTotal(std::uint64_t total) { total_ = total; }

void Progress::advance(std::uint64_t steps) {
  done_ += steps;
  if (enabled_) draw(false);
}

void Progress::finish() {
  if (!enabled_) return;
  std::lock_guard lock(drawMutex_);
  if (finished_) return;
  finished_ = true;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r\033[K%s  done  %.1f s\n", label_.c_str(), seconds);
}

void Progress::draw(bool force) {
  const auto now = std::chrono::steady_clock::now();
  std::unique_lock lock(drawMutex_, std::try_to_lock);
  if (!lock.owns_lock() || finished_) return;
  // Redrawing more than ten times a second only costs time and flickers.
  if (!force && now - lastDraw_ < std::chrono::milliseconds(100)) return;
  lastDraw_ = now;
  const std::uint64_t total = total_;
  const std::uint64_t done = done_;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  if (total > 0) {
    const double percent = 100.0 * static_cast<double>(done) / static_cast<double>(total);
    std::fprintf(stderr, "\r\033[K%s  %3.0f%%  %llu/%llu  %.1f s", label_.c_str(), percent,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), seconds);
  } else {
    std::fprintf(stderr, "\r\033[K%s  %llu  %.1f s", label_.c_str(), static_cast<unsigned long long>(done),
                 seconds);
  }
  std::fflush(stderr);
}

}  // namespace citytwin
