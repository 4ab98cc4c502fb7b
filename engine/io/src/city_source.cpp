#include "citytwin/io/city_source.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

#include "citytwin/io/city_file.hpp"
#include "citytwin/io/geopackage_city_source.hpp"

namespace citytwin::io {
namespace {

// One row per format: its scheme, its file extension and how to open a location (the scheme removed).
struct CitySourceFormat {
  std::string_view scheme;
  std::string_view extension;
  std::unique_ptr<CitySource> (*open)(std::string_view location);
};

constexpr std::array kFormats{
    CitySourceFormat{"gpkg", ".gpkg",
                     [](std::string_view location) -> std::unique_ptr<CitySource> {
                       return std::make_unique<GeoPackageCitySource>(std::filesystem::path(location));
                     }},
};
constexpr const CitySourceFormat& kDefaultFormat = kFormats[0];

std::string lowercase(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) { return std::tolower(c); });
  return result;
}

}  // namespace

std::unique_ptr<CitySource> openCitySource(std::string_view location) {
  // A scheme is only taken when it names a known format, so a path with a colon stays a path.
  const std::size_t colon = location.find(':');
  if (colon != std::string_view::npos) {
    const std::string scheme = lowercase(location.substr(0, colon));
    for (const CitySourceFormat& format : kFormats) {
      if (format.scheme == scheme) return format.open(location.substr(colon + 1));
    }
  }
  const std::string extension = lowercase(std::filesystem::path(location).extension().string());
  for (const CitySourceFormat& format : kFormats) {
    if (format.extension == extension) return format.open(location);
  }
  return kDefaultFormat.open(location);
}

city::CityModel loadCity(const std::filesystem::path& location) { return openCitySource(location.string())->read(); }

}  // namespace citytwin::io
