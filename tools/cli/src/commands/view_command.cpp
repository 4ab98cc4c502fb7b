// citytwin view: the city, its live state and scenario results in the OpenSceneGraph viewer.
#include <CLI/CLI.hpp>
#include <algorithm>
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
#include "citytwin/models/builtin_models.hpp"
#include "citytwin/sim/model_registry.hpp"
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
  bool annotate = true;
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
  const std::pair<const char*, viewer::LayerId> names[] = {{"terrain", viewer::LayerId::Terrain},
                                                           {"buildings", viewer::LayerId::Buildings},
                                                           {"roads", viewer::LayerId::Roads},
                                                           {"water", viewer::LayerId::Water},
                                                           {"difference", viewer::LayerId::WaterDifference},
                                                           {"vehicles", viewer::LayerId::Vehicles},
                                                           {"sensors", viewer::LayerId::Sensors}};
  for (const auto& [text, id] : names) {
    if (name == text) return id;
  }
  throw Error("--hide '" + name +
              "': expected one of terrain, buildings, roads, water, difference, vehicles, sensors");
}

std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

// Units, meanings and directions of every KPI the built-in models emit, for the KPI panel.
viewer::KpiInfos kpiInfos() {
  sim::ModelRegistry registry;
  models::registerBuiltinModels(registry);
  viewer::KpiInfos infos;
  for (const auto& [model, definitions] : registry.kpiDefinitions()) {
    for (const auto& definition : definitions) {
      const int direction = definition.direction == sim::KpiDirection::LowerIsBetter    ? -1
                            : definition.direction == sim::KpiDirection::HigherIsBetter ? 1
                                                                                        : 0;
      infos[model + "." + definition.name] = {definition.unit, definition.meaning, direction};
    }
  }
  return infos;
}

// A colour column must be one the run (or the live city) has: an unknown name would leave every object in
// its default colour without saying why.
void requireColourColumn(const viewer::CityView& view, city::Layer layer, const std::string& column,
                         const std::string& option, const std::vector<std::string>& variants) {
  for (const auto& variant : variants) {
    const std::vector<std::string> known = view.attributes(layer, variant);
    if (std::find(known.begin(), known.end(), column) != known.end()) continue;
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
    const std::string where = view.run() == nullptr
                                  ? "without --run there are no result columns"
                                  : "variant '" +
                                        (variant.empty() ? view.run()->variants().front().name : variant) +
                                        "' has: " + (list.empty() ? "none" : list);
    throw Error(option + " '" + column + "': no such column (" + where + ")");
  }
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
    if (!arguments.variant.empty())
      run->variant(arguments.variant);  // unknown names fail before any rendering
    if (!arguments.compare.empty()) run->variant(arguments.compare);
  }
  if (arguments.time) {
    if (!run) throw Error("--time needs --run RUN_DIR");
    const auto [first, last] = run->timeSpan();
    if (*arguments.time < first || *arguments.time > last) {
      throw Error("--time " + formatNumber(*arguments.time) + ": outside the run, which covers " +
                  formatNumber(first) + " to " + formatNumber(last) + " s");
    }
  }
  viewer::CityView view(city, std::move(run));
  view.setKpiInfos(kpiInfos());
  view.setSavedViewpoints(viewer::loadViewpoints(viewer::viewpointFileFor(arguments.city)));
  viewer::ViewSettings& settings = view.settings();
  settings.variant = arguments.variant;
  settings.compareVariant = arguments.compare;
  settings.sideBySide = arguments.sideBySide;
  if (arguments.time) settings.timeS = *arguments.time;
  settings.buildingAttribute = arguments.buildingColour;
  settings.roadAttribute = arguments.roadColour;
  if (arguments.live.empty()) {
    // With --live the columns arrive with the first poll; without it they must be in the run now.
    std::vector<std::string> shown{arguments.variant};
    if (!arguments.compare.empty()) shown.push_back(arguments.compare);
    if (!arguments.buildingColour.empty() && arguments.buildingColour != "height_m") {
      requireColourColumn(view, city::Layer::Building, arguments.buildingColour, "--colour-buildings", shown);
    }
    if (!arguments.roadColour.empty()) {
      requireColourColumn(view, city::Layer::RoadLink, arguments.roadColour, "--colour-roads", shown);
    }
  }
  if (!arguments.live.empty()) {
    // Unless told otherwise, show what the live city observes; unobserved objects keep their usual colours.
    if (arguments.roadColour.empty())
      settings.roadAttribute = std::string(city::columns::kRoadLinkObservedFlow.name);
    if (arguments.buildingColour.empty()) settings.buildingAttribute = "observed_load_kw";
    view.connectLive({arguments.live, arguments.token});
  }
  for (const auto& name : arguments.hide) settings.layer(layerFromName(name)).visible = false;
  if (!arguments.viewpoint.empty()) view.setViewpoint(view.viewpoint(arguments.viewpoint));

  settings.annotate = arguments.annotate;
  if (!arguments.screenshot.empty()) {
    requireWritableOutput(arguments.screenshot);
    settings.showInterface = arguments.withInterface;
    if (!arguments.json) {
      for (const auto& warning : view.warnings()) std::fprintf(stderr, "warning: %s\n", warning.c_str());
    }
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
                               {"side_by_side", arguments.sideBySide},
                               {"annotated", arguments.annotate},
                               {"title", view.windowTitle()},
                               {"warnings", view.warnings()}};
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
  CLI::App* view =
      tree.root.add_subcommand("view", "Show a city and a run's results in the 3D viewer (or --screenshot)");
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
  view->add_option(
      "--colour-buildings", arguments->buildingColour,
      "Building colour: use (default), height_m, or a building column of the run, e.g. max_flood_depth_m");
  view->add_option("--colour-roads", arguments->roadColour,
                   "Road colour: class (default), or a road_link column of the run, e.g. flow_veh_per_h");
  view->add_option("--hide", arguments->hide,
                   "Hide a layer (repeatable): terrain, buildings, roads, water, ...");
  view->add_flag("--interface", arguments->withInterface,
                 "Draw the interface panels into the screenshot too (in a column beside the map)");
  view->add_flag("--annotate,!--no-annotate", arguments->annotate,
                 "Legend, time, scale bar and north arrow over the map (default: on)");
  view->add_option("--exit-after-frames", arguments->exitAfterFrames,
                   "Close the window after N frames (smoke tests)")
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
    throw Error(
        "this citytwin was built without the viewer (configure with -DCITYTWIN_BUILD_VIEWER=ON and "
        "OpenSceneGraph installed)");
#endif
  });
}

const CommandGroupRegistrar registrar(80, registerViewCommand);

}  // namespace
}  // namespace citytwin::cli
