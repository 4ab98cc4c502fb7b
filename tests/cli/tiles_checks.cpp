#include "tiles_checks.hpp"

#include <stb_image.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"

namespace citytwin::testing::tiles {
namespace {

std::string readBytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::uint32_t readU32(const std::string& bytes, std::size_t offset) {
  std::uint32_t value = 0;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

std::string viewBytes(const Glb& glb, int view) {
  const auto& bufferView = glb.json.at("bufferViews").at(static_cast<std::size_t>(view));
  return glb.binary.substr(bufferView.value("byteOffset", std::size_t{0}),
                           bufferView.at("byteLength").get<std::size_t>());
}

bool onPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream folders(path ? path : "");
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    if (!folder.empty() && std::filesystem::exists(std::filesystem::path(folder) / program)) return true;
  }
  return false;
}

}  // namespace

Glb readGlb(const std::filesystem::path& file) {
  const std::string bytes = readBytes(file);
  if (bytes.size() < 20 || bytes.compare(0, 4, "glTF") != 0 || readU32(bytes, 4) != 2) {
    throw std::runtime_error(file.string() + ": not a glTF 2.0 binary");
  }
  const std::uint32_t jsonLength = readU32(bytes, 12);
  if (readU32(bytes, 16) != 0x4E4F534Au)
    throw std::runtime_error(file.string() + ": first chunk is not JSON");
  Glb glb;
  glb.json = nlohmann::json::parse(bytes.substr(20, jsonLength));
  const std::size_t binaryHeader = 20 + jsonLength;
  if (bytes.size() >= binaryHeader + 8 && readU32(bytes, binaryHeader + 4) == 0x004E4942u) {
    glb.binary = bytes.substr(binaryHeader + 8, readU32(bytes, binaryHeader));
  }
  return glb;
}

TileFeatures readTileFeatures(const Glb& glb) {
  TileFeatures features;
  const auto& metadata = glb.json.at("extensions").at("EXT_structural_metadata");
  const auto& table = metadata.at("propertyTables").at(0);
  const auto count = table.at("count").get<std::size_t>();
  const auto& properties = metadata.at("schema").at("classes").at("building").at("properties");
  for (const auto& [name, values] : table.at("properties").items()) {
    const std::string data = viewBytes(glb, values.at("values").get<int>());
    if (properties.at(name).at("type") == "STRING") {
      const std::string offsets = viewBytes(glb, values.at("stringOffsets").get<int>());
      if (name != "id") continue;
      for (std::size_t i = 0; i < count; ++i) {
        const std::uint32_t begin = readU32(offsets, 4 * i), end = readU32(offsets, 4 * (i + 1));
        features.ids.push_back(data.substr(begin, end - begin));
      }
    } else {
      std::vector<float> numbers(count);
      std::memcpy(numbers.data(), data.data(), count * sizeof(float));
      features.numbers[name] = numbers;
    }
  }
  const int position = glb.json.at("meshes").at(0).at("primitives").at(0).at("attributes").at("POSITION");
  features.vertexCount = glb.json.at("accessors").at(static_cast<std::size_t>(position)).at("count");
  return features;
}

std::vector<TileEntry> allTiles(const nlohmann::json& tileset) {
  std::vector<TileEntry> tiles;
  std::vector<TileEntry> stack{{tileset.at("root"), tileset.at("geometricError").get<double>()}};
  while (!stack.empty()) {
    TileEntry entry = std::move(stack.back());
    stack.pop_back();
    if (entry.tile.contains("children")) {
      for (const auto& child : entry.tile.at("children"))
        stack.push_back({child, entry.tile.at("geometricError")});
    }
    tiles.push_back(std::move(entry));
  }
  return tiles;
}

std::map<std::string, double> stateExtremes(const std::filesystem::path& csv, const std::string& column,
                                            bool largest) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream headerFields(line);
  for (std::string field; std::getline(headerFields, field, ',');) header.push_back(field);
  const auto at = static_cast<std::size_t>(std::find(header.begin(), header.end(), column) - header.begin());
  std::map<std::string, double> extremes;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    if (at >= fields.size() || fields[at].empty()) continue;
    const double value = std::stod(fields[at]);
    const auto [slot, inserted] = extremes.emplace(fields[1], value);
    if (!inserted) slot->second = largest ? std::max(slot->second, value) : std::min(slot->second, value);
  }
  return extremes;
}

std::filesystem::path webFolder() {
  const char* source = std::getenv("CITYTWIN_SOURCE_DIR");
  return std::filesystem::path(source ? source : ".") / "viewer" / "web";
}

std::optional<std::string> validatorMissing() {
  if (!onPath("node"))
    return "node not found on the PATH (Debian package nodejs; tools/setup.sh installs it)";
  if (!std::filesystem::exists(webFolder() / "node_modules" / "gltf-validator")) {
    return "npm package gltf-validator not installed in viewer/web/node_modules (run tools/setup.sh)";
  }
  return std::nullopt;
}

std::vector<nlohmann::json> validateGltf(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> argv{"node", (webFolder() / "validate-gltf.mjs").string()};
  for (const auto& file : files) argv.push_back(file.string());
  const auto result = runCommand(argv);
  std::vector<nlohmann::json> reports;
  std::stringstream lines(result.standardOutput);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) reports.push_back(nlohmann::json::parse(line));
  }
  return reports;
}

std::optional<std::string> browserMissing() {
  if (!onPath("chromium"))
    return "chromium not found on the PATH (Debian package chromium; tools/setup.sh installs it)";
  if (!onPath("python3")) return "python3 not found on the PATH";
  if (!std::filesystem::exists(webFolder() / "node_modules" / "cesium" / "Build" / "Cesium" / "Cesium.js")) {
    return "npm package cesium not installed in viewer/web/node_modules (run tools/setup.sh)";
  }
  return std::nullopt;
}

nlohmann::json capturePage(const std::filesystem::path& tiles, const std::string& query,
                           const std::filesystem::path& png) {
  const auto site = scratchDirectory() / ("site-" + png.stem().string());
  std::filesystem::create_directories(site);
  for (const char* name : {"index.html", "city-tiles.js", "city-tiles.css", "node_modules"}) {
    std::filesystem::create_symlink(webFolder() / name, site / name);
  }
  std::filesystem::create_directory_symlink(std::filesystem::absolute(tiles), site / "tiles");
  const auto result = runCommand({"python3", (webFolder() / "capture-page.py").string(), site.string(), query,
                                  png.string(), "--timeout", "150", "--size", "800x600"});
  const std::string output = result.standardOutput;
  const auto line = output.substr(0, output.find('\n'));
  if (line.empty()) return {{"state", "no output"}, {"status", result.standardError}};
  return nlohmann::json::parse(line);
}

ColourCounts countRampColours(const std::filesystem::path& png) {
  ColourCounts counts;
  int channels = 0;
  unsigned char* pixels = stbi_load(png.string().c_str(), &counts.width, &counts.height, &channels, 3);
  if (!pixels) return counts;
  for (int y = 0; y < counts.height; ++y) {
    for (int x = 0; x < counts.width; ++x) {
      if (x < 380 && y < 300) continue;  // the legend and picked-building panel
      const unsigned char* p =
          pixels + 3 * (static_cast<std::size_t>(y) * static_cast<std::size_t>(counts.width) +
                        static_cast<std::size_t>(x));
      const int r = p[0], b = p[2];
      if (r > b + 60 && r > 110) ++counts.warm;
      if (b > r + 50 && b > 90) ++counts.cool;
    }
  }
  stbi_image_free(pixels);
  return counts;
}

}  // namespace citytwin::testing::tiles
