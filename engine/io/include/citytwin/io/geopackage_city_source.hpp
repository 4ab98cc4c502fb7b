#pragma once

#include <filesystem>
#include <string>

#include "citytwin/io/city_source.hpp"

namespace citytwin::io {

// A city file written by saveCity (layout in city_file.hpp).
class GeoPackageCitySource final : public CitySource {
 public:
  explicit GeoPackageCitySource(std::filesystem::path path);

  city::CityModel read() const override;
  city::InputProvenance provenance() const override;
  const std::string& location() const override { return location_; }

 private:
  std::filesystem::path path_;
  std::string location_;
};

}  // namespace citytwin::io
