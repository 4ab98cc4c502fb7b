#include "gdal_session.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>

#include <mutex>

#include "citytwin/core/error.hpp"

namespace citytwin::io {
namespace {
thread_local std::vector<std::string>* activeFailures = nullptr;
}

void ensureGdalRegistered() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    // Reads stay within the files the user named: no sidecar lookups across the network.
    CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "1");
    CPLSetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", ".none");
  });
}

void GdalErrorCapture::handler(int errorClass, int, const char* message) {
  if (errorClass >= CE_Failure && activeFailures) activeFailures->emplace_back(message ? message : "");
}

GdalErrorCapture::GdalErrorCapture() : previous_(activeFailures) {
  activeFailures = &failures_;
  CPLPushErrorHandler([](CPLErr errorClass, CPLErrorNum number, const char* message) {
    handler(static_cast<int>(errorClass), static_cast<int>(number), message);
  });
}

GdalErrorCapture::~GdalErrorCapture() {
  CPLPopErrorHandler();
  activeFailures = previous_;
}

std::string GdalErrorCapture::failureText() const {
  std::string text;
  for (const auto& failure : failures_) {
    if (!text.empty()) text += "; ";
    text += failure;
  }
  return text;
}

std::string GdalErrorCapture::failureSummary() const {
  if (failures_.empty()) return "";
  constexpr std::size_t kLongestMessage = 400;
  std::string text = failures_.front();
  if (text.size() > kLongestMessage) text = text.substr(0, kLongestMessage) + "…";
  if (failures_.size() > 1) {
    const std::size_t more = failures_.size() - 1;
    text += " (and " + std::to_string(more) + " more GDAL message" + (more == 1 ? "" : "s") + ")";
  }
  return text;
}

std::unique_ptr<GDALDataset> openReadOnlyDataset(const std::filesystem::path& path, unsigned kind,
                                                 const std::string& role, const std::string& kindName) {
  ensureGdalRegistered();
  if (!std::filesystem::exists(path)) throw Error(path.string() + ": " + role + " does not exist");
  GdalErrorCapture errors;
  std::unique_ptr<GDALDataset> dataset(
      GDALDataset::Open(path.c_str(), kind | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
  if (!dataset) throw Error(path.string() + ": not a readable " + kindName + ": " + errors.failureText());
  return dataset;
}

}  // namespace citytwin::io
