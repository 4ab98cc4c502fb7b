// Uses one public header each of citytwin::core, citytwin::city and citytwin::sim, with code from their
// libraries, so both the installed headers and the exported link dependencies are exercised.
#include <cstdio>
#include <string>

#include "citytwin/city/city_model.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/sim/model_registry.hpp"

int main() {
  citytwin::city::CityModel city;
  city.crsEpsg = 32632;
  const citytwin::geo::BBox extent = city.extent();
  citytwin::sim::ModelRegistry registry;
  try {
    registry.create("no_such_model");
    return 1;
  } catch (const citytwin::Error& error) {
    std::printf("citytwin package works: %s, extent %s, %s\n", city.crsName().c_str(),
                extent.empty() ? "empty" : "not empty", error.what());
  }
  return 0;
}
