#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/viewer/viewpoint.hpp"

namespace citytwin::viewer {

std::vector<Viewpoint> standardViewpoints(const geo::BBox& extent, double groundZ) {
  const geo::Vec2 centre = extent.empty() ? geo::Vec2{} : extent.centre();
  const double size = extent.empty() ? 1000.0 : std::max({extent.width(), extent.height(), 100.0});
  // Distances chosen so a 16:9 frame with a 30-degree vertical field of view holds the whole extent.
  const double oblique = size * 1.9;
  const auto make = [&](std::string name, double heading, double pitch, double distance) {
    return Viewpoint{std::move(name), centre.x, centre.y, groundZ, distance, heading, pitch};
  };
  return {make("overview", 0.0, 45.0, oblique),  make("plan", 0.0, 89.9, size * 1.9),
          make("north", 180.0, 35.0, oblique),  make("east", 270.0, 35.0, oblique),
          make("south", 0.0, 35.0, oblique),    make("west", 90.0, 35.0, oblique)};
}

std::filesystem::path viewpointFileFor(const std::filesystem::path& cityFile) {
  std::filesystem::path file = cityFile;
  file.replace_extension(".viewpoints.json");
  return file;
}

namespace {

nlohmann::json toJson(const Viewpoint& v) {
  return {{"name", v.name},           {"target", {v.targetX, v.targetY, v.targetZ}}, {"distance_m", v.distanceM},
          {"heading_deg", v.headingDeg}, {"pitch_deg", v.pitchDeg}};
}

}  // namespace

std::vector<Viewpoint> loadViewpoints(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return {};
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot read saved viewpoints");
  std::vector<Viewpoint> result;
  try {
    const nlohmann::json document = nlohmann::json::parse(in);
    for (const auto& entry : document.at("viewpoints")) {
      Viewpoint v;
      v.name = entry.at("name").get<std::string>();
      const auto& target = entry.at("target");
      v.targetX = target.at(0).get<double>();
      v.targetY = target.at(1).get<double>();
      v.targetZ = target.at(2).get<double>();
      v.distanceM = entry.at("distance_m").get<double>();
      v.headingDeg = entry.at("heading_deg").get<double>();
      v.pitchDeg = entry.at("pitch_deg").get<double>();
      result.push_back(std::move(v));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + ": saved viewpoints: expected {\"viewpoints\": [{name, target [x,y,z], distance_m, "
                "heading_deg, pitch_deg}]}: " + e.what());
  }
  return result;
}

void saveViewpoint(const std::filesystem::path& file, const Viewpoint& viewpoint) {
  std::vector<Viewpoint> all = loadViewpoints(file);
  const auto same = std::find_if(all.begin(), all.end(), [&](const Viewpoint& v) { return v.name == viewpoint.name; });
  if (same != all.end()) {
    *same = viewpoint;
  } else {
    all.push_back(viewpoint);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& v : all) list.push_back(toJson(v));
  AtomicOutput output(file);
  {
    std::ofstream out(output.temporaryPath());
    out << nlohmann::json{{"viewpoints", list}}.dump(2) << "\n";
    if (!out) throw Error(file.string() + ": cannot write saved viewpoints");
  }
  output.commit();
}

}  // namespace citytwin::viewer
