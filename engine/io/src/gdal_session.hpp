#pragma once

#include <string>
#include <vector>

namespace citytwin::io {

// Registers GDAL's drivers once per process.
void ensureGdalRegistered();

// While alive, GDAL's warnings and errors on this thread are collected instead of printed, so they
// can be reported with the file they concern.
class GdalErrorCapture {
 public:
  GdalErrorCapture();
  ~GdalErrorCapture();
  GdalErrorCapture(const GdalErrorCapture&) = delete;
  GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;

  bool hasFailures() const { return !failures_.empty(); }
  // The failures joined into one sentence ("" when none).
  std::string failureText() const;

 private:
  static void handler(int errorClass, int errorNumber, const char* message);
  std::vector<std::string> failures_;
  std::vector<std::string>* previous_ = nullptr;
};

}  // namespace citytwin::io
