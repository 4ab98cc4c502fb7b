#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "citytwin/city/grid_assets.hpp"
#include "citytwin/geo/coordinate_transform.hpp"
#include "citytwin/io/osm_tags.hpp"

class OGRGeometry;

namespace citytwin::io {

// Counts of the OSM power=* features that reached the grid layers.
struct OsmPowerReport {
  std::size_t substations = 0;          // power=substation (nodes, closed ways, multipolygons)
  std::size_t transformers = 0;         // power=transformer nodes away from any mapped substation
  std::size_t lines = 0;                // power=line, cable, minor_line
  std::size_t linesWithSubstation = 0;  // of which an end lies at a mapped substation
};

// Collects power=substation, transformer, line, cable and minor_line features while the OSM file is read
// (in WGS 84), then adds them to the city's grid assets with source "osm".
class OsmPowerCollector {
 public:
  // `layer` is the GDAL OSM layer name ("points", "lines", "multipolygons"), `id` the object's id
  // ("osm:node/1", "osm:way/2", "osm:relation/3"); features without a power=* kind kept here are ignored.
  void consider(std::string_view layer, std::string id, const OGRGeometry& geometry, const OsmTags& tags);

  // Substations (and transformers not within 30 m of one) become grid substations at their point, or at
  // their area's point-on-surface; lines become feeders tied to a substation within 50 m of either end (else
  // to none). `inside` keeps a substation whose position, or a line any of whose vertices, passes.
  OsmPowerReport addTo(city::GridAssets& grid, const geo::CoordinateTransform& toCity,
                       const std::function<bool(geo::LonLat)>& inside) const;

 private:
  struct Site {
    std::string id, name;
    geo::LonLat position;
    std::vector<double> kv;
    bool transformer = false;
  };
  struct Line {
    std::string id, power;
    std::vector<geo::LonLat> vertices;
    std::vector<double> kv;
  };
  std::vector<Site> sites_;
  std::vector<Line> lines_;
};

// "20000", "63000;20000", "400" (volts, as OSM tags them) -> kV values; unparseable parts are skipped.
std::vector<double> parseVoltagesKv(std::string_view text);

}  // namespace citytwin::io
