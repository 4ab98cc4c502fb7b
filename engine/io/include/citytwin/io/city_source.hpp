#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "citytwin/city/city_model.hpp"

namespace citytwin::io {

// Where a city is read from: a file format or a database, behind one interface so the command line, the
// server and a binding open any of them the same way. GeoPackageCitySource is the one implementation
// today; a new format (CityJSON, PostGIS) is one more class and one more row in openCitySource's table.
class CitySource {
 public:
  virtual ~CitySource() = default;

  // Reads the whole city. Throws Error naming the location and the missing or malformed part.
  virtual city::CityModel read() const = 0;
  // The source as an input of a run: role "city", its location and a fingerprint of its content.
  virtual city::InputProvenance provenance() const = 0;
  // The location as given (a path, a URL), for messages.
  virtual const std::string& location() const = 0;
};

// Chooses the source for a location: by its scheme when it starts with a known one ("gpkg:city.gpkg"),
// else by its file extension (".gpkg"), else a GeoPackage, the city file `citytwin city` writes. Opening
// reads nothing yet; a location that cannot be read fails in read().
std::unique_ptr<CitySource> openCitySource(std::string_view location);

}  // namespace citytwin::io
