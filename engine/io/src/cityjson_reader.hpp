#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::io {

// One face projected on the ground plane, in the file's CRS: an outer ring and its holes (any winding).
struct GroundFace {
  geo::Ring outer;
  std::vector<geo::Ring> holes;
};

// A Building of a CityJSON file as the import needs it, still in the file's CRS.
struct CityJsonBuildingRecord {
  std::string id;
  std::string footprintLod;             // the lowest LoD, whose geometry gives the footprint
  std::vector<GroundFace> groundFaces;  // its ground surface, or the faces that project onto the footprint
  double groundZ = 0.0;                 // lowest z of the footprint geometry
  std::optional<double> topZ;           // highest z of the lowest LoD geometry with a z range
  nlohmann::json attributes = nlohmann::json::object();
};

struct CityJsonContent {
  int epsg = 0;  // from metadata.referenceSystem
  std::size_t cityObjects = 0;
  std::vector<CityJsonBuildingRecord> buildings;  // type Building, sorted by id
  std::size_t buildingsWithoutGeometry = 0;       // no usable geometry of their own or in their parts
  std::string firstWithoutGeometry;
  std::size_t geometryInstances = 0;  // GeometryInstance (templates) are not read
};

// Parses a CityJSON 1.1/2.0 document. `source` names the file in messages. Throws Error naming the file and
// the field ("delft.city.json: CityObjects.b12.geometry[0].boundaries: vertex index 812 out of range") for
// anything malformed; never reads outside the document.
CityJsonContent readCityJson(std::string_view text, const std::string& source);

// The EPSG code of a CityJSON referenceSystem ("https://www.opengis.net/def/crs/EPSG/0/7415",
// "urn:ogc:def:crs:EPSG::7415", "EPSG:7415"); 0 when it names none.
int epsgOfReferenceSystem(std::string_view referenceSystem);

}  // namespace citytwin::io
