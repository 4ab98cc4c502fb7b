#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace citytwin::io {

// One attribute column of a vector layer as stored: integers, reals or text, with a null mask.
struct VectorColumn {
  enum class Kind { Integer, Real, Text };
  std::string name;
  Kind kind = Kind::Text;
  std::vector<std::int64_t> integers;  // Kind::Integer
  std::vector<double> reals;           // Kind::Real
  std::vector<std::string> texts;      // Kind::Text
  std::vector<std::uint8_t> null;      // 1 where the feature has no value
};

// A vector layer as a table: one row per feature in stored order, every attribute column and the
// geometry as WKT, e.g. for scripts that analyse a city file's layers.
struct VectorTable {
  std::vector<VectorColumn> columns;
  std::vector<std::string> geometryWkt;  // "" where a feature has no geometry
};

// Reads layer `layer` of a vector file GDAL opens (a city GeoPackage). Throws Error naming the file and
// the layer when either is missing, listing the layers the file has.
VectorTable readVectorTable(const std::filesystem::path& path, const std::string& layer);

}  // namespace citytwin::io
