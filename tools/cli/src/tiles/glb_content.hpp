#pragma once

#include <array>
#include <string>
#include <vector>

#include "tiles/tile_mesh.hpp"

namespace citytwin::cli::tiles {

// A number every feature of a tile carries, as a FLOAT32 property of EXT_structural_metadata.
struct FeatureNumber {
  std::string name;
  std::string meaning;
  std::vector<float> values;  // one per feature; NaN where unknown (written as the property's noData)
};

// The features of one tile: feature i is the vertices with _FEATURE_ID_0 == i.
struct FeatureTable {
  std::vector<std::string> ids;
  std::vector<std::string> uses;
  std::vector<FeatureNumber> numbers;
};

// What the schema writes for an unknown number: Cesium then reports the property as undefined.
inline constexpr float kNoData = -9999.0f;

// A binary glTF 2.0 of one mesh, written with tinygltf: POSITION, NORMAL, indices and one material of
// `colour` (linear RGBA); with `features`, the _FEATURE_ID_0 attribute of EXT_mesh_features and a property
// table of class "building" in EXT_structural_metadata.
std::string encodeGlb(const TileMesh& mesh, const FeatureTable* features,
                      const std::array<double, 4>& colour);

}  // namespace citytwin::cli::tiles
