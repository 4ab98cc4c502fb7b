#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/viewer/image.hpp"
#include "citytwin/viewer/live_feed.hpp"
#include "citytwin/viewer/run_results.hpp"
#include "citytwin/viewer/view_settings.hpp"
#include "citytwin/viewer/viewpoint.hpp"

namespace citytwin::viewer {

// A position on the picture in pixels from its top-left corner.
struct ScreenPoint {
  double x = 0.0;
  double y = 0.0;
};

// The city object under a picked pixel, with its attributes (static ones and the run's values at the
// current time) as label/value text.
struct PickedObject {
  city::Layer layer = city::Layer::Building;
  std::size_t index = 0;  // in the city's vector for that layer
  std::string id;
  std::vector<std::pair<std::string, std::string>> attributes;
};

// Timings of steady-state off-screen frames (the viewer bench).
struct FrameTimings {
  double msPerFrame = 0.0;
  int frames = 0;
};

// The OpenGL renderer of the last off-screen frame (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"), for reports.
std::string openGlRendererName();

struct WindowOptions {
  int width = 1600;
  int height = 900;
  std::filesystem::path cityFile;  // for the saved viewpoints file and screenshot names
  int exitAfterFrames = 0;         // > 0: close after that many frames (smoke tests)
};

// The city as a 3D scene: terrain, buildings, roads, sensors and, with a run, water, vehicles and result
// colours at a chosen time. Renders off-screen (screenshots, tests) or in an interactive window.
// The city (and run) must outlive the view.
class CityView {
 public:
  explicit CityView(const city::CityModel& city, std::optional<RunResults> run = std::nullopt);
  ~CityView();
  CityView(const CityView&) = delete;
  CityView& operator=(const CityView&) = delete;

  ViewSettings& settings();
  const RunResults* run() const;

  // Standard viewpoints of the city plus those saved in `savedViewpoints`.
  std::vector<Viewpoint> viewpoints() const;
  void setSavedViewpoints(std::vector<Viewpoint> saved);
  // Throws Error listing the known names when there is none of that name.
  Viewpoint viewpoint(const std::string& name) const;
  void setViewpoint(const Viewpoint& viewpoint);
  const Viewpoint& currentViewpoint() const;

  // Renders one frame off-screen at the given size (needs an X display: Xvfb is enough).
  Image render(int width, int height);
  // Where a point of the city appears in the last rendered frame; nullopt when behind the camera.
  std::optional<ScreenPoint> project(geo::Vec2 position, double elevationM) const;
  // The building, road or sensor under a pixel of the last rendered frame.
  std::optional<PickedObject> pick(ScreenPoint point) const;
  // Scene build, first frame and mean frame time over `frames` further frames (no read-back).
  FrameTimings measureFrames(int width, int height, int frames);

  // Starts polling a live NGSI-LD service in the background; its observations recolour roads, buildings and
  // sensors (where the run has no such column) from the next frame on.
  void connectLive(const LiveOptions& options);
  LiveStatus liveStatus() const;
  // Waits until the first poll has finished, successfully or not (screenshots of the live city); false on
  // timeout.
  bool waitForLive(double timeoutS);
  // The latest live value of an object's column (`id` as in the city file); nullopt when none was observed.
  std::optional<double> liveValue(city::Layer layer, const std::string& id, const std::string& column) const;
  // Wet cells drawn in the left (or only) view and in the right view of a side-by-side comparison.
  std::pair<std::size_t, std::size_t> wetCells() const;

  // The result columns of a layer that a variant of the run has ("" = the first variant), plus live ones.
  std::vector<std::string> attributes(city::Layer layer, const std::string& variant) const;
  // What the KPI panel shows about each KPI (units, direction), by "model.kpi".
  void setKpiInfos(KpiInfos infos);
  // A problem the user must see (a run without map results, values missing): drawn in every picture with
  // annotations or the interface, and returned here for the command line to print.
  void addWarning(std::string warning);
  const std::vector<std::string>& warnings() const;
  // "citytwin - <city> - run <run folder>: <variants>" for the window title.
  std::string windowTitle() const;

  // Opens a window and runs until it is closed.
  void runWindow(const WindowOptions& options);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace citytwin::viewer
