#include "report/report_maps.hpp"

#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>

#include "citytwin/core/error.hpp"

#ifdef CITYTWIN_HAS_VIEWER
#include <unistd.h>

#include "citytwin/viewer/city_view.hpp"
#endif

namespace citytwin::cli::report {

std::vector<std::string> csvHeader(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  std::vector<std::string> names;
  std::stringstream fields(line);
  for (std::string name; std::getline(fields, name, ',');) names.push_back(name);
  return names;
}

#ifdef CITYTWIN_HAS_VIEWER
bool mapsAvailable() {
  return true;
}

std::vector<std::string> renderMaps(const city::CityModel& city, const std::filesystem::path& runFolder,
                                    const std::vector<MapMoment>& moments, int width, int height) {
  std::vector<std::string> images;
  if (moments.empty()) return images;
  std::unique_ptr<viewer::CityView> withRun, cityAlone;
  // The PNG encoder writes files: each picture passes through one private temporary file.
  const std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("citytwin-report-" + std::to_string(::getpid()) + ".png");
  struct Cleanup {
    std::filesystem::path file;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove(file, ignored);
    }
  } cleanup{scratch};
  for (const MapMoment& moment : moments) {
    std::unique_ptr<viewer::CityView>& chosen = moment.cityOnly ? cityAlone : withRun;
    if (!chosen) {
      chosen = moment.cityOnly
                   ? std::make_unique<viewer::CityView>(city)
                   : std::make_unique<viewer::CityView>(city, viewer::RunResults::open(runFolder));
    }
    viewer::CityView& view = *chosen;
    viewer::ViewSettings& settings = view.settings();
    if (!moment.cityOnly) settings.variant = moment.variant;
    settings.compareVariant.clear();
    settings.sideBySide = false;
    settings.timeS = moment.timeS;
    settings.buildingAttribute = moment.buildingColumn;
    settings.roadAttribute = moment.roadColumn;
    settings.showInterface = false;
    // A map read on its own needs what `citytwin view --screenshot` draws: the legend with its units and
    // range, the time, a scale bar and north.
    settings.annotate = true;
    viewer::Image image;
    try {
      image = view.render(width, height);
    } catch (const Error& error) {
      throw Error(std::string("map images: ") + error.what() + "; or pass --no-maps to leave the maps out");
    }
    viewer::writePng(image, scratch);
    std::ifstream in(scratch, std::ios::binary);
    images.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (images.back().empty()) throw Error(scratch.string() + ": map image could not be read back");
  }
  return images;
}
#else
bool mapsAvailable() {
  return false;
}

std::vector<std::string> renderMaps(const city::CityModel&, const std::filesystem::path&,
                                    const std::vector<MapMoment>& moments, int, int) {
  if (moments.empty()) return {};
  throw Error(
      "this citytwin was built without the viewer, so it cannot draw the report's maps (pass --no-maps)");
}
#endif

}  // namespace citytwin::cli::report
