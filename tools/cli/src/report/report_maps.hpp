#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"

namespace citytwin::cli::report {

// A moment of a variant worth a map: when something was at its worst, and what to colour to see it.
struct MapMoment {
  std::string variant;
  std::string what;  // "most area under water (123400 m2)"
  double timeS = 0.0;
  std::string buildingColumn;  // empty: by use
  std::string roadColumn;      // empty: by class
  // The variant wrote no map layers (no flood/, traffic/ or state/ folder: e.g. an energy run without
  // state_step): the map shows the city alone, and its caption says so.
  bool cityOnly = false;
};

// True when this build can render maps (it has the viewer).
bool mapsAvailable();

// The first line's field names of a CSV (empty when the file is absent), to colour only by columns the run
// wrote.
std::vector<std::string> csvHeader(const std::filesystem::path& file);

// Renders each moment with the viewer's off-screen renderer (needs an X display, e.g. under xvfb-run) and
// returns the PNG files' bytes in the same order. Throws Error when the renderer cannot start.
std::vector<std::string> renderMaps(const city::CityModel& city, const std::filesystem::path& runFolder,
                                    const std::vector<MapMoment>& moments, int width, int height);

}  // namespace citytwin::cli::report
