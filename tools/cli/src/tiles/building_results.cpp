#include "tiles/building_results.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>

#include "citytwin/core/error.hpp"

namespace citytwin::cli::tiles {
namespace {

// How a state column becomes one value per building over the run.
struct Aggregate {
  std::string_view column;  // in state/building.csv
  std::string_view name;    // in the tileset
  std::string_view meaning;
  bool largest = true;  // else the smallest
};

constexpr Aggregate kAggregates[] = {
    {"max_flood_depth_m", "max_flood_depth_m", "deepest water around the building during the run (m)", true},
    {"electric_load_kw", "peak_load_kw", "largest hourly electric demand of the building during the run (kW)",
     true},
    {"supplied", "supplied", "1 when the building had electricity all run, 0 when it was cut at some time",
     false},
};

std::vector<std::string_view> splitCsvLine(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

std::vector<BuildingResult> readVariant(const std::filesystem::path& folder,
                                        const std::unordered_map<std::string, std::size_t>& buildingIndex) {
  const auto file = folder / "state" / "building.csv";
  std::ifstream in(file);
  if (!in) {
    throw Error(file.string() +
                ": not found; the run has no per-building results (give the scenario a state_step, "
                "scenarios/README.md)");
  }
  std::string line;
  if (!std::getline(in, line)) throw Error(file.string() + ":1: empty file, expected a header t,id,...");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  // The header's fields are views: into a string of their own, since `line` is reused for every row.
  const std::string headerLine = line;
  const auto header = splitCsvLine(headerLine);
  if (header.size() < 2 || header[0] != "t" || header[1] != "id") {
    throw Error(file.string() + ":1: header must start with t,id");
  }
  std::vector<std::pair<std::size_t, const Aggregate*>> wanted;  // column index, aggregate
  for (std::size_t c = 2; c < header.size(); ++c) {
    for (const auto& aggregate : kAggregates) {
      if (header[c] == aggregate.column) wanted.emplace_back(c, &aggregate);
    }
  }
  std::vector<BuildingResult> results;
  for (const auto& [column, aggregate] : wanted) {
    results.push_back({std::string(aggregate->name), std::string(aggregate->meaning),
                       std::vector<float>(buildingIndex.size(), std::numeric_limits<float>::quiet_NaN())});
  }
  std::size_t lineNumber = 1;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto fields = splitCsvLine(line);
    if (fields.size() != header.size()) {
      throw Error(file.string() + ":" + std::to_string(lineNumber) + ": " + std::to_string(fields.size()) +
                  " fields, the header has " + std::to_string(header.size()));
    }
    const auto found = buildingIndex.find(std::string(fields[1]));
    if (found == buildingIndex.end()) {
      throw Error(file.string() + ":" + std::to_string(lineNumber) + ": building '" + std::string(fields[1]) +
                  "' is not in the city (is the run of another city?)");
    }
    for (std::size_t w = 0; w < wanted.size(); ++w) {
      const std::string_view text = fields[wanted[w].first];
      if (text.empty()) continue;  // no value at this time
      double value = 0.0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
        throw Error(file.string() + ":" + std::to_string(lineNumber) + ": column " +
                    std::string(header[wanted[w].first]) + ": '" + std::string(text) + "' is not a number");
      }
      float& slot = results[w].values[found->second];
      const auto v = static_cast<float>(value);
      if (std::isnan(slot)) {
        slot = v;
      } else {
        slot = wanted[w].second->largest ? std::max(slot, v) : std::min(slot, v);
      }
    }
  }
  return results;
}

std::vector<std::string> variantFolders(const std::filesystem::path& runFolder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(runFolder)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::vector<BuildingResult> readBuildingResults(
    const std::filesystem::path& runFolder, const std::string& variant,
    const std::unordered_map<std::string, std::size_t>& buildingIndex) {
  std::error_code ec;
  if (!std::filesystem::is_directory(runFolder, ec))
    throw Error(runFolder.string() + ": run folder not found");
  const auto variants = variantFolders(runFolder);
  if (std::find(variants.begin(), variants.end(), variant) == variants.end()) {
    std::string known;
    for (const auto& name : variants) known += (known.empty() ? "" : ", ") + name;
    throw Error(runFolder.string() + ": no variant '" + variant + "' (the run has: " + known + ")");
  }
  std::vector<BuildingResult> results = readVariant(runFolder / variant, buildingIndex);
  const std::string base =
      std::find(variants.begin(), variants.end(), "base") != variants.end() ? "base" : variants.front();
  if (variant == base) return results;
  const std::vector<BuildingResult> baseResults = readVariant(runFolder / base, buildingIndex);
  const std::size_t own = results.size();
  for (std::size_t r = 0; r < own; ++r) {
    const auto match = std::find_if(baseResults.begin(), baseResults.end(),
                                    [&](const BuildingResult& b) { return b.name == results[r].name; });
    if (match == baseResults.end()) continue;
    BuildingResult change{results[r].name + "_change",
                          "change of " + results[r].name + " against the base variant",
                          std::vector<float>(buildingIndex.size())};
    for (std::size_t b = 0; b < change.values.size(); ++b)
      change.values[b] = results[r].values[b] - match->values[b];
    results.push_back(std::move(change));
  }
  return results;
}

}  // namespace citytwin::cli::tiles
