#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::viewer {

// A camera looking at `target` (city CRS metres) from `distanceM` away; heading is the compass direction
// the camera looks in (0 north, 90 east) and pitch the angle below the horizon (90 looks straight down).
struct Viewpoint {
  std::string name;
  double targetX = 0.0;
  double targetY = 0.0;
  double targetZ = 0.0;
  double distanceM = 1000.0;
  double headingDeg = 0.0;
  double pitchDeg = 45.0;
  friend bool operator==(const Viewpoint&, const Viewpoint&) = default;
};

// Viewpoints that every city has, framed on its extent: "overview" (oblique from the south), "plan" (straight
// down), "north", "east", "south", "west" (oblique from that side).
std::vector<Viewpoint> standardViewpoints(const geo::BBox& extent, double groundZ);

// Saved viewpoints live in a JSON file beside the city ("<city>.viewpoints.json").
std::filesystem::path viewpointFileFor(const std::filesystem::path& cityFile);
// Missing file: empty list. Malformed file: Error naming the file and the problem.
std::vector<Viewpoint> loadViewpoints(const std::filesystem::path& file);
// Replaces a viewpoint of the same name or appends it; written atomically.
void saveViewpoint(const std::filesystem::path& file, const Viewpoint& viewpoint);

}  // namespace citytwin::viewer
