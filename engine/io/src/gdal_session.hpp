#pragma once

#include <gdal_priv.h>

#include <filesystem>
#include <memory>
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
  // The first failure and how many followed it ("<first> (and 1234 more GDAL messages)"), for sources
  // where one fault repeats for every feature after it: a few hundred characters at most.
  std::string failureSummary() const;

 private:
  static void handler(int errorClass, int errorNumber, const char* message);
  std::vector<std::string> failures_;
  std::vector<std::string>* previous_ = nullptr;
};

// Opens an existing file read-only as a GDAL dataset of the given kind (GDAL_OF_RASTER or GDAL_OF_VECTOR).
// Throws Error "<path>: <role> does not exist" or "<path>: not a readable <kind name>: <GDAL's reasons>".
std::unique_ptr<GDALDataset> openReadOnlyDataset(const std::filesystem::path& path, unsigned kind,
                                                 const std::string& role, const std::string& kindName);

}  // namespace citytwin::io
