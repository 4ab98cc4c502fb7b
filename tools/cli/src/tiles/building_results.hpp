#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace citytwin::cli::tiles {

// One per-building result of a run, over the whole run: one value per building of the city, NaN where the
// run has none for it.
struct BuildingResult {
  std::string name;     // e.g. "max_flood_depth_m"
  std::string meaning;  // one line for the tileset's schema
  std::vector<float> values;
};

// The per-building results of one variant of a `citytwin run` folder, read from <run>/<variant>/state/
// building.csv (t,id,<column>,..., as the viewer reads it): the deepest water (max_flood_depth_m), the peak
// electric load (peak_load_kw, from electric_load_kw) and whether the building stayed supplied all run
// (supplied: the smallest value of `supplied`), each only when the run wrote its column; and, for a variant
// other than the base ("base", else the first variant folder), each of them minus the base's (<name>_change).
// Throws Error naming the folder, file and line for a missing run, variant or file, a malformed number, or a
// building id the city does not have.
std::vector<BuildingResult> readBuildingResults(
    const std::filesystem::path& runFolder, const std::string& variant,
    const std::unordered_map<std::string, std::size_t>& buildingIndex);

}  // namespace citytwin::cli::tiles
