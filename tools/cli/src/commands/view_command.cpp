// citytwin view: the city, its live state and scenario results in the OpenSceneGraph viewer.
#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/city/coupling_columns.hpp"
#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

#if defined(CITYTWIN_HAS_VIEWER) && __has_include(<citytwin/io/city_file.hpp>)
#define CITYTWIN_VIEW_AVAILABLE 1
#include <cstdio>

#include "citytwin/io/city_file.hpp"
#include "citytwin/viewer/city_view.hpp"
#endif

namespace citytwin::cli {
namespace {

struct ViewArguments {
  std::string city;
  std::string run;
  std::string variant;
  std::string compare;
  bool sideBySide = false;
  std::string live;
  std::string token;
  double liveWaitS = 15.0;
  std::optional<double> time;
  std::string screenshot;
  std::string size = "1600x900";
  std::string viewpoint;
  std::string buildingColour;
  std::string roadColour;
  std::vector<std::string> hide;
  bool withInterface = false;
  int exitAfterFrames = 0;
  bool json = false;
};

std::pair<int, int> parseSize(const std::string& text) {
  const auto x = text.find('x');
  try {
    if (x == std::string::npos) throw std::invalid_argument(text);
    std::size_t used = 0;
    const int width = std::stoi(text.substr(0, x), &used);
    if (used != x) throw std::invalid_argument(text);
    const int height = std::stoi(text.substr(x + 1), &used);
    if (used != text.size() - x - 1 || width <= 0 || height <= 0) throw std::invalid_argument(text);
    return {width, height};
  } catch (const std::exception&) {
    throw Error("--size '" + text + "': expected WIDTHxHEIGHT in pixels, e.g. 1600x900");
  }
}

#ifdef CITYTWIN_VIEW_AVAILABLE
viewer::LayerId layerFromName(const std::string& name) {
  const std::pair<const char*, viewer::LayerId> names[] = {
      {"terrain", viewer::LayerId::Terrain},   {"buildings", viewer::LayerId::Buildings},
      {"roads", viewer::LayerId::Roads},       {"water", viewer::LayerId::Water},
      {"difference", viewer::LayerId::WaterDifference}, {"vehicles", viewer::LayerId::Vehicles},
      {"sensors", viewer::LayerId::Sensors}};
  for (const auto& [text, id] : names) {
    if (name == text) return id;
  }
  throw Error("--hide '" + name + "': expected one of terrain, buildings, roads, water, difference, vehicles, sensors");
}

void runView(const ViewArguments& arguments) {
  const auto [width, height] = parseSize(arguments.size);
  const city::CityModel city = io::loadCity(arguments.city);
  std::optional<viewer::RunResults> run;
  if (!arguments.run.empty()) run = viewer::RunResults::open(arguments.run);
  if (!run && (!arguments.variant.empty() || !arguments.compare.empty())) {
    throw Error("--variant and --compare need --run RUN_DIR");
  }
  if (arguments.sideBySide && arguments.compare.empty()) throw Error("--side-by-side needs --compare B");
  if (!arguments.token.empty() && arguments.live.empty()) throw Error("--token needs --live URL");
  if (run) {
    if (!arguments.variant.empty()) run->variant(arguments.variant);  // unknown names fail before any rendering
    if (!arguments.compare.empty()) run->variant(arguments.compare);
  }
  viewer::CityView view(city, std::move(run));
  view.setSavedViewpoints(viewer::loadViewpoints(viewer::viewpointFileFor(arguments.city)));
  viewer::ViewSettings& settings = view.settings();
  settings.variant = arguments.variant;
  settings.compareVariant = arguments.compare;
  settings.sideBySide = arguments.sideBySide;
  if (arguments.time) settings.timeS = *arguments.time;
  settings.buildingAttribute = arguments.buildingColour;
  settings.roadAttribute = arguments.roadColour;
  if (!arguments.live.empty()) {
    // Unless told otherwise, show what the live city observes; unobserved objects keep their usual colours.
    if (arguments.roadColour.empty()) settings.roadAttribute = std::string(city::columns::kRoadLinkObservedFlow.name);
    if (arguments.buildingColour.empty()) settings.buildingAttribute = "observed_load_kw";
    view.connectLive({arguments.live, arguments.token});
  }
  for (const auto& name : arguments.hide) settings.layer(layerFromName(name)).visible = false;
  if (!arguments.viewpoint.empty()) view.setViewpoint(view.viewpoint(arguments.viewpoint));

  if (!arguments.screenshot.empty()) {
    requireWritableOutput(arguments.screenshot);
    settings.showInterface = arguments.withInterface;
    nlohmann::json live;
    if (!arguments.live.empty()) {
      // The picture shows the live city, so wait for the first poll; an unreachable service is not fatal.
      view.waitForLive(arguments.liveWaitS);
      const viewer::LiveStatus status = view.liveStatus();
      live = {{"url", arguments.live},
              {"updated", status.updated},
              {"entities", status.entities},
              {"mapped", status.mapped},
              {"error", status.error}};
      if (!status.error.empty() && !arguments.json) std::fprintf(stderr, "live: %s\n", status.error.c_str());
    }
    const viewer::Image image = view.render(width, height);
    viewer::writePng(image, arguments.screenshot);
    if (arguments.json) {
      nlohmann::json report = {{"screenshot", arguments.screenshot},
                               {"width", width},
                               {"height", height},
                               {"time_s", settings.timeS},
                               {"viewpoint", view.currentViewpoint().name},
                               {"side_by_side", arguments.sideBySide}};
      if (!live.is_null()) report["live"] = live;
      printJson(report);
    } else {
      std::fprintf(stderr, "wrote %s (%dx%d)\n", arguments.screenshot.c_str(), width, height);
    }
    return;
  }
  viewer::WindowOptions window;
  window.width = width;
  window.height = height;
  window.cityFile = arguments.city;
  window.exitAfterFrames = arguments.exitAfterFrames;
  view.runWindow(window);
  if (arguments.json) printJson({{"closed", true}});
}
#endif

void registerViewCommand(CommandTree& tree) {
  auto arguments = std::make_shared<ViewArguments>();
  CLI::App* view = tree.root.add_subcommand("view", "Show a city and a run's results in the 3D viewer (or --screenshot)");
  view->add_option("city", arguments->city, "City file (.gpkg)")->required()->check(CLI::ExistingFile);
  view->add_option("--run", arguments->run, "Run folder to show results from (layout: viewer/README.md)");
  view->add_option("--variant", arguments->variant, "Variant of the run to show (default: the first)");
  view->add_option("--compare", arguments->compare, "Second variant B: show B - A as a difference layer");
  view->add_flag(
      "--side-by-side", arguments->sideBySide,
      "With --compare: variant A on the left and B on the right, cameras linked, instead of B - A");
  view->add_option(
      "--live", arguments->live,
      "NGSI-LD service to poll every 2 s for the live city (e.g. http://127.0.0.1:1026 of citytwin serve)");
  view->add_option("--token", arguments->token, "Bearer token for --live");
  view->add_option("--live-wait", arguments->liveWaitS,
                   "With --screenshot: seconds to wait for the first live poll")
      ->capture_default_str();
  view->add_option("--time", arguments->time, "Seconds from the start of the run (default: its end)");
  view->add_option("--screenshot", arguments->screenshot, "Render off-screen into this PNG and exit");
  view->add_option("--size", arguments->size, "Window or picture size WIDTHxHEIGHT")->capture_default_str();
  view->add_option("--viewpoint", arguments->viewpoint,
                   "Named viewpoint: overview, plan, north, east, south, west, or one saved beside the city");
  view->add_option("--colour-buildings", arguments->buildingColour,
                   "Building colour: use (default), height_m, or a building column of the run, e.g. max_flood_depth_m");
  view->add_option("--colour-roads", arguments->roadColour,
                   "Road colour: class (default), or a road_link column of the run, e.g. flow_veh_per_h");
  view->add_option("--hide", arguments->hide, "Hide a layer (repeatable): terrain, buildings, roads, water, ...");
  view->add_flag("--interface", arguments->withInterface, "Draw the interface panels into the screenshot too");
  view->add_option("--exit-after-frames", arguments->exitAfterFrames, "Close the window after N frames (smoke tests)")
      ->group("");
  addJsonFlag(*view, arguments->json);
  view->callback([arguments] {
    auto& a = *arguments;
    if (a.buildingColour == "use") a.buildingColour.clear();
    if (a.roadColour == "class") a.roadColour.clear();
#ifdef CITYTWIN_VIEW_AVAILABLE
    runView(a);
#else
    parseSize(a.size);
    throw Error("this citytwin was built without the viewer (configure with -DCITYTWIN_BUILD_VIEWER=ON and "
                "OpenSceneGraph installed)");
#endif
  });
}

const CommandGroupRegistrar registrar(80, registerViewCommand);

}  // namespace
}  // namespace citytwin::cli
