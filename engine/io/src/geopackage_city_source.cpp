#include "citytwin/io/geopackage_city_source.hpp"

#include "citytwin/core/fingerprint.hpp"
#include "city_file_reader.hpp"

namespace citytwin::io {

GeoPackageCitySource::GeoPackageCitySource(std::filesystem::path path)
    : path_(std::move(path)), location_(path_.string()) {}

city::CityModel GeoPackageCitySource::read() const { return readCityFile(path_); }

city::InputProvenance GeoPackageCitySource::provenance() const {
  return {"city", location_, fingerprintFile(path_)};
}

}  // namespace citytwin::io
