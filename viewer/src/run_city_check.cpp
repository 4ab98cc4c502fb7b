// A run shown over another city would colour the wrong objects or none, silently: refuse it instead.
#include <fstream>
#include <string>
#include <unordered_set>

#include "citytwin/core/error.hpp"
#include "citytwin/io/geotiff.hpp"
#include "citytwin/viewer/run_results.hpp"

namespace citytwin::viewer {
namespace {

// Rows of a state file looked at: enough to tell a city apart, few enough to stay instant on big runs.
constexpr std::size_t kRowsChecked = 2000;

template <typename Objects>
std::unordered_set<std::string> idsOf(const Objects& objects) {
  std::unordered_set<std::string> ids;
  for (const auto& object : objects) ids.insert(object.id);
  return ids;
}

std::unordered_set<std::string> cityIds(const city::CityModel& city, city::Layer layer) {
  switch (layer) {
    case city::Layer::Building:
      return idsOf(city.buildings);
    case city::Layer::RoadLink:
      return idsOf(city.roads.links);
    case city::Layer::RoadNode:
      return idsOf(city.roads.nodes);
    case city::Layer::Substation:
      return idsOf(city.grid.substations);
    case city::Layer::Feeder:
      return idsOf(city.grid.feeders);
    case city::Layer::Sensor:
      return idsOf(city.sensors);
    default:
      return {};
  }
}

// The value of column `id` in each of the first data rows of a CSV file; the ids are plain (no commas).
std::vector<std::string> firstIds(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!std::getline(in, line)) return {};
  std::size_t idColumn = std::string::npos;
  std::size_t column = 0;
  for (std::size_t start = 0;; ++column) {
    const std::size_t comma = line.find(',', start);
    if (line.substr(start, comma - start) == "id") idColumn = column;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::vector<std::string> ids;
  if (idColumn == std::string::npos) return ids;
  while (ids.size() < kRowsChecked && std::getline(in, line)) {
    std::size_t start = 0;
    for (std::size_t k = 0; k < idColumn && start != std::string::npos; ++k) {
      start = line.find(',', start);
      if (start != std::string::npos) ++start;
    }
    if (start == std::string::npos) continue;
    const std::size_t comma = line.find(',', start);
    ids.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
  }
  return ids;
}

}  // namespace

void requireRunOfCity(const RunResults& run, const city::CityModel& city) {
  const std::string cityName = city.name.empty() ? "the city" : "city '" + city.name + "'";
  for (const VariantResults& variant : run.variants()) {
    for (const auto& [layer, file] : variant.stateFiles) {
      const std::vector<std::string> ids = firstIds(file);
      if (ids.empty()) continue;
      const std::unordered_set<std::string> known = cityIds(city, layer);
      bool any = false;
      for (const auto& id : ids) any = any || known.count(id) != 0;
      if (!any) {
        throw Error(file.string() + ": none of its " + std::string(city::toString(layer)) + " ids (e.g. '" +
                    ids.front() + "') is in " + cityName + ": the run is of another city");
      }
    }
    std::optional<std::filesystem::path> raster = variant.maxDepthFile;
    if (!raster && !variant.depthSnapshots.empty()) raster = variant.depthSnapshots.front().file;
    if (raster && !city.terrain.values.empty()) {
      const geo::BBox depth = io::readRaster(*raster).extent();
      if (!depth.intersects(city.terrain.extent())) {
        throw Error(raster->string() + ": the water depth lies outside the terrain of " + cityName +
                    ": the run is of another city");
      }
    }
  }
}

}  // namespace citytwin::viewer
