#pragma once

#include <string>
#include <vector>

#include "citytwin/city/building.hpp"
#include "citytwin/city/grid_assets.hpp"
#include "citytwin/city/road_network.hpp"
#include "citytwin/city/sensor.hpp"
#include "citytwin/city/water.hpp"
#include "citytwin/geo/raster_grid.hpp"

namespace citytwin::city {

// Where one input of the city came from, kept with the city so results can be traced to their data.
struct InputProvenance {
  std::string role;         // "osm", "dem", "aoi", "generator"
  std::string source;       // file path or generator description
  std::string fingerprint;  // content fingerprint of the file, or of the generator parameters
  friend bool operator==(const InputProvenance&, const InputProvenance&) = default;
};

// The static description of a city: everything in metres in one projected CRS.
struct CityModel {
  int crsEpsg = 0;            // e.g. 32632 (WGS 84 / UTM 32N)
  std::string name;
  geo::RasterGrid terrain;    // ground elevation (m), in the city CRS
  RoadNetwork roads;
  std::vector<Building> buildings;
  GridAssets grid;
  std::vector<Sensor> sensors;
  WaterLayer water;  // sea, water bodies and waterways
  std::vector<InputProvenance> provenance;

  std::string crsName() const { return "EPSG:" + std::to_string(crsEpsg); }
  // Union of terrain, roads, buildings and sensors.
  geo::BBox extent() const;

  friend bool operator==(const CityModel&, const CityModel&) = default;
};

}  // namespace citytwin::city
