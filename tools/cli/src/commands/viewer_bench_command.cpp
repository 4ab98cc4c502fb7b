// citytwin bench viewer: time to first frame and milliseconds per frame of a generated city against an
// empty scene, rendered off-screen at 1600x900 in the same process.
#include <CLI/CLI.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "citytwin/core/error.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

#if defined(CITYTWIN_HAS_VIEWER) && __has_include(<citytwin/generate/sample_city.hpp>)
#define CITYTWIN_VIEWER_BENCH_AVAILABLE 1
#include "citytwin/generate/sample_city.hpp"
#include "citytwin/viewer/city_view.hpp"
#endif

namespace citytwin::cli {
namespace {

struct ViewerBenchArguments {
  double sizeKm = 2.0;
  int width = 1600;
  int height = 900;
  int frames = 30;
  std::string screenshot;
  bool json = false;
};

#ifdef CITYTWIN_VIEWER_BENCH_AVAILABLE
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct SceneFigures {
  double sceneBuildS = 0.0;
  double firstFrameS = 0.0;
  double msPerFrame = 0.0;
  // Processor time of all threads (llvmpipe renders on several): what the work costs, even on a shared machine.
  double sceneBuildCpuS = 0.0;
  double firstFrameCpuS = 0.0;
  double cpuMsPerFrame = 0.0;
  int frames = 0;
};

double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Scene build plus first frame (with read-back, as a screenshot), then steady frames.
SceneFigures measure(const city::CityModel& city, bool hideEverything, const ViewerBenchArguments& arguments) {
  SceneFigures figures;
  const auto start = Clock::now();
  const double cpuAtStart = processCpuSeconds();
  viewer::CityView view(city);
  figures.sceneBuildS = secondsSince(start);
  figures.sceneBuildCpuS = processCpuSeconds() - cpuAtStart;
  if (hideEverything) {
    for (auto& layer : view.settings().layers) layer.visible = false;
  }
  view.settings().showInterface = false;
  const viewer::Image first = view.render(arguments.width, arguments.height);
  figures.firstFrameS = secondsSince(start);
  figures.firstFrameCpuS = processCpuSeconds() - cpuAtStart;
  if (!hideEverything && !arguments.screenshot.empty()) viewer::writePng(first, arguments.screenshot);
  view.measureFrames(arguments.width, arguments.height, 1);  // uploads the scene to the timing renderer
  const double cpuStart = processCpuSeconds();
  const viewer::FrameTimings timings = view.measureFrames(arguments.width, arguments.height, arguments.frames);
  figures.cpuMsPerFrame = (processCpuSeconds() - cpuStart) * 1000.0 / (timings.frames + 1);
  figures.msPerFrame = timings.msPerFrame;
  figures.frames = timings.frames;
  return figures;
}

nlohmann::json toJson(const SceneFigures& f) {
  return {{"scene_build_s", f.sceneBuildS}, {"first_frame_s", f.firstFrameS}, {"ms_per_frame", f.msPerFrame},
          {"scene_build_cpu_s", f.sceneBuildCpuS}, {"first_frame_cpu_s", f.firstFrameCpuS},
          {"cpu_ms_per_frame", f.cpuMsPerFrame}, {"frames", f.frames}};
}

void runViewerBench(const ViewerBenchArguments& arguments) {
  generate::SampleCityOptions options;
  options.sizeKm = arguments.sizeKm;
  const auto generateStart = Clock::now();
  const city::CityModel city = generate::generateSampleCity(options);
  const double generateS = secondsSince(generateStart);

  const SceneFigures empty = measure(city::CityModel{}, true, arguments);
  const SceneFigures full = measure(city, false, arguments);
  const std::string renderer = viewer::openGlRendererName();
  if (arguments.json) {
    printJson({{"size_km", arguments.sizeKm},
               {"area_km2", arguments.sizeKm * arguments.sizeKm},
               {"buildings", city.buildings.size()},
               {"road_links", city.roads.links.size()},
               {"dem_cells", city.terrain.values.size()},
               {"width", arguments.width},
               {"height", arguments.height},
               {"renderer", renderer},
               {"generate_s", generateS},
               {"empty_scene", toJson(empty)},
               {"city", toJson(full)}});
    return;
  }
  std::printf("viewer bench: %.0f km2 sample city, %zu buildings, %zu road links, %dx%d, renderer %s\n",
              arguments.sizeKm * arguments.sizeKm, city.buildings.size(), city.roads.links.size(), arguments.width,
              arguments.height, renderer.c_str());
  std::printf("  wall-clock time, then processor time of all threads in brackets\n");
  std::printf("  %-6s %22s %22s %22s\n", "scene", "scene build s", "first frame s", "ms per frame");
  for (const auto& [name, f] : {std::pair<const char*, const SceneFigures&>{"empty", empty}, {"city", full}}) {
    std::printf("  %-6s %12.3f (%7.3f) %12.3f (%7.3f) %12.2f (%7.2f)\n", name, f.sceneBuildS, f.sceneBuildCpuS,
                f.firstFrameS, f.firstFrameCpuS, f.msPerFrame, f.cpuMsPerFrame);
  }
}
#endif

void registerViewerBench(CommandTree& tree) {
  auto arguments = std::make_shared<ViewerBenchArguments>();
  CLI::App* bench = tree.bench.add_subcommand(
      "viewer", "Viewer: first frame and ms per frame of a generated city vs an empty scene (needs an X display)");
  bench->add_option("--size-km", arguments->sizeKm, "Side of the generated city in km (area = size², 10 = 100 km²)")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 20.0));
  bench->add_option("--frames", arguments->frames, "Frames to average")->capture_default_str()->check(CLI::Range(1, 1000));
  bench->add_option("--width", arguments->width, "Frame width in pixels")->capture_default_str();
  bench->add_option("--height", arguments->height, "Frame height in pixels")->capture_default_str();
  bench->add_option("--screenshot", arguments->screenshot, "Also write the city's first frame to this PNG");
  addJsonFlag(*bench, arguments->json);
  bench->callback([arguments] {
#ifdef CITYTWIN_VIEWER_BENCH_AVAILABLE
    runViewerBench(*arguments);
#else
    throw Error("this citytwin was built without the viewer or the sample-city generator");
#endif
  });
}

const CommandGroupRegistrar registrar(81, registerViewerBench);

}  // namespace
}  // namespace citytwin::cli
