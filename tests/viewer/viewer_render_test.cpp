// Rendering tests: they need an X display and run under xvfb-run (see CMakeLists.txt).
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>
#include <stb_image.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "citytwin/io/city_file.hpp"
#include "citytwin/io/geotiff.hpp"
#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/service_process.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/viewer/city_view.hpp"
#include "pixel_classes.hpp"
#include "test_city.hpp"

namespace viewer = citytwin::viewer;
using viewer::testing::classifyPixels;
using viewer::testing::classifyRegion;
using viewer::testing::makeFloodDepth;
using viewer::testing::makeTestCity;

namespace {

constexpr int kWidth = 800;
constexpr int kHeight = 450;

// Screenshots are kept when CITYTWIN_VIEWER_SCREENSHOTS names a folder, for a person to look at.
void keep(const viewer::Image& image, const std::string& name) {
  if (const char* folder = std::getenv("CITYTWIN_VIEWER_SCREENSHOTS")) {
    viewer::writePng(image, std::filesystem::path(folder) / name);
  }
}

// A run folder with two variants: "base" floods 130 m either side of the river at one hour, "wall" only 60 m.
// "base" also has traffic: 20 vehicles driving east along the primary road from t = 600 s to 3000 s, and
// road flows over time with the first link closed from t = 1800 s.
std::filesystem::path makeFloodRun(const citytwin::city::CityModel& city) {
  const auto run = citytwin::testing::scratchDirectory() / "flood-run";
  std::filesystem::create_directories(run / "base" / "traffic");
  std::filesystem::create_directories(run / "base" / "state");
  {
    std::ofstream vehicles(run / "base" / "traffic" / "vehicles.csv");
    vehicles << "t,id,x,y,heading\n";
    const auto& road = city.roads.links.front().geometry;  // eastbound primary
    for (int v = 0; v < 20; ++v) {
      for (const double t : {600.0, 3000.0}) {
        const double x = road[0].x + 30.0 * v + (t - 600.0) / 2400.0 * 150.0;
        vehicles << t << ",car" << v << "," << x << "," << road[0].y - 3.0 << ",90\n";
      }
    }
    std::ofstream flows(run / "base" / "state" / "road_link.csv");
    flows << "t,id,flow_veh_per_h,closed\n";
    for (const double t : {0.0, 1800.0}) {
      for (std::size_t i = 0; i < city.roads.links.size(); ++i) {
        flows << t << "," << city.roads.links[i].id << "," << 100.0 * static_cast<double>(i % 9) << ","
              << (i == 0 && t >= 1800.0 ? 1 : 0) << "\n";
      }
    }
  }
  for (const auto& [variant, halfWidth] : {std::pair<const char*, double>{"base", 130.0}, {"wall", 60.0}}) {
    const auto folder = run / variant / "flood";
    std::filesystem::create_directories(folder);
    citytwin::io::writeGeoTiff(makeFloodDepth(halfWidth, 0.0), 32632, folder / "depth-0.tif");
    citytwin::io::writeGeoTiff(makeFloodDepth(halfWidth, 1.5), 32632, folder / "depth-3600.tif");
  }
  return run;
}

// A run in which only variant "flooded" has water; "dry" has the same snapshots, all dry.
std::filesystem::path makeOneSidedFloodRun() {
  const auto run = citytwin::testing::scratchDirectory() / "one-sided-run";
  for (const auto& [variant, depth] : {std::pair<const char*, double>{"dry", 0.0}, {"flooded", 1.5}}) {
    const auto folder = run / variant / "flood";
    std::filesystem::create_directories(folder);
    citytwin::io::writeGeoTiff(makeFloodDepth(130.0, 0.0), 32632, folder / "depth-0.tif");
    citytwin::io::writeGeoTiff(makeFloodDepth(130.0, depth), 32632, folder / "depth-3600.tif");
  }
  return run;
}

// Pixel classes of the left and right halves of a picture.
std::pair<viewer::testing::PixelCounts, viewer::testing::PixelCounts> classifyHalves(
    const viewer::Image& image) {
  viewer::Image left{image.width / 2, image.height, {}};
  viewer::Image right{image.width - image.width / 2, image.height, {}};
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const auto p = image.pixel(x, y);
      auto& half = x < left.width ? left.rgba : right.rgba;
      half.insert(half.end(), p.begin(), p.end());
    }
  }
  return {classifyPixels(left), classifyPixels(right)};
}

// A PNG written by the command line, as an RGBA picture (empty when it cannot be read).
viewer::Image readPng(const std::filesystem::path& file) {
  int width = 0, height = 0, channels = 0;
  unsigned char* pixels = stbi_load(file.c_str(), &width, &height, &channels, 4);
  viewer::Image image;
  if (pixels == nullptr) return image;
  image.width = width;
  image.height = height;
  image.rgba.assign(pixels, pixels + static_cast<std::size_t>(width) * height * 4);
  stbi_image_free(pixels);
  return image;
}

// The share of a region of a picture in annotation boxes and panels.
double overlayShare(const viewer::Image& image, int x0, int y0, int x1, int y1) {
  const auto counts = classifyRegion(image, x0, y0, x1, y1);
  return double(counts.overlay) / double(counts.total);
}

// `citytwin serve` on its own port with the given database.
std::unique_ptr<citytwin::testing::ServiceProcess> startService(const std::string& binary,
                                                                const std::filesystem::path& database) {
  return citytwin::testing::ServiceProcess::start(
      binary, {"--bind", "127.0.0.1", "--db", database.string(), "--sync", "normal"});
}

}  // namespace

TEST_CASE("a screenshot of a town shows terrain, buildings and roads") {
  const citytwin::city::CityModel city = makeTestCity();
  viewer::CityView view(city);
  const viewer::Image image = view.render(kWidth, kHeight);
  keep(image, "town-overview.png");
  REQUIRE(image.width == kWidth);
  REQUIRE(image.height == kHeight);
  const auto counts = classifyPixels(image);
  INFO("terrain " << counts.terrain << " buildings " << counts.buildings << " roads " << counts.roads
                  << " water " << counts.water << " of " << counts.total << ", colours "
                  << counts.distinctColours);
  CHECK(counts.distinctColours > 200);           // not blank
  CHECK(counts.terrain > counts.total / 5);      // the town sits on its terrain
  CHECK(counts.buildings > counts.total / 200);  // 32 buildings, each a few hundred pixels
  CHECK(counts.roads > counts.total / 400);      // the street grid: thin white lines from this distance
  CHECK(counts.water == 0);                      // no run: no water

  SUBCASE("hiding a layer removes its pixels") {
    view.settings().layer(viewer::LayerId::Buildings).visible = false;
    const auto without = classifyPixels(view.render(kWidth, kHeight));
    CHECK(without.buildings < counts.buildings / 10);
  }
}

TEST_CASE("flood water appears when the run has water, and differs between variants") {
  const citytwin::city::CityModel city = makeTestCity();
  viewer::CityView view(city, viewer::RunResults::open(makeFloodRun(city)));

  view.settings().variant = "base";
  view.settings().timeS = 0.0;
  const auto dry = classifyPixels(view.render(kWidth, kHeight));

  view.settings().timeS = 3600.0;
  const viewer::Image floodedImage = view.render(kWidth, kHeight);
  keep(floodedImage, "town-flood-base.png");
  const auto flooded = classifyPixels(floodedImage);

  view.settings().variant = "wall";
  const viewer::Image wallImage = view.render(kWidth, kHeight);
  keep(wallImage, "town-flood-wall.png");
  const auto wall = classifyPixels(wallImage);

  INFO("water pixels: dry " << dry.water << ", base " << flooded.water << ", wall " << wall.water);
  CHECK(dry.water < 20);
  CHECK(flooded.water > flooded.total / 50);
  CHECK(wall.water > wall.total / 200);
  CHECK(wall.water < flooded.water * 3 / 4);  // the narrower flood of the "wall" variant shows

  SUBCASE("half way the water is there but shallower-looking than at the hour") {
    view.settings().variant = "base";
    view.settings().timeS = 1800.0;
    const auto half = classifyPixels(view.render(kWidth, kHeight));
    CHECK(half.water > dry.water);
  }

  SUBCASE("the difference layer shows where variant B is drier than A") {
    view.settings().variant = "base";
    view.settings().compareVariant = "wall";
    const viewer::Image difference = view.render(kWidth, kHeight);
    keep(difference, "town-flood-difference.png");
    const auto counts = classifyPixels(difference);
    // Drier in B is purple in the diverging ramp (not water-blue); the band where both flood is near-white.
    INFO("decrease " << counts.decrease << ", water " << counts.water);
    CHECK(counts.decrease > counts.total / 200);
    CHECK(counts.water < counts.decrease);
  }
}

TEST_CASE("vehicles move with time and roads recolour by a result without new geometry") {
  const citytwin::city::CityModel city = makeTestCity();
  viewer::CityView view(city, viewer::RunResults::open(makeFloodRun(city)));
  view.settings().variant = "base";
  view.setViewpoint(view.viewpoint("plan"));
  view.settings().timeS = 300.0;
  const auto before = classifyPixels(view.render(kWidth, kHeight));
  view.settings().timeS = 1800.0;
  const viewer::Image driving = view.render(kWidth, kHeight);
  keep(driving, "town-vehicles.png");
  const auto during = classifyPixels(driving);
  INFO("vehicle pixels before " << before.vehicles << ", during " << during.vehicles);
  CHECK(before.vehicles == 0);
  CHECK(during.vehicles > 20);

  view.settings().roadAttribute = "flow_veh_per_h";
  const auto byFlow = classifyPixels(view.render(kWidth, kHeight));
  INFO("white road pixels by class " << during.roads << ", by flow " << byFlow.roads);
  CHECK(byFlow.roads < during.roads / 2);  // flows are drawn in the heat ramp, not white

  // A closed road is picked with its result values at the current time.
  view.settings().roadAttribute.clear();
  view.render(kWidth, kHeight);
  const auto& link = city.roads.links.front();
  const citytwin::geo::Vec2 onRibbon{(link.geometry[0].x + link.geometry[1].x) / 2 + 40.0,
                                     link.geometry[0].y - 2.0};
  const auto picked = view.pick(*view.project(onRibbon, city.terrain.sample(onRibbon).value() + 0.6));
  REQUIRE(picked.has_value());
  CHECK(picked->id == link.id);
  bool closed = false;
  for (const auto& [label, value] : picked->attributes)
    closed = closed || (label == "closed" && value == "1.00");
  CHECK(closed);
}

TEST_CASE("picking at the projected position of a building returns its id") {
  const citytwin::city::CityModel city = makeTestCity();
  viewer::CityView view(city);
  for (const std::string viewpointName : {"plan", "overview"}) {
    view.setViewpoint(view.viewpoint(viewpointName));
    view.render(kWidth, kHeight);
    for (const std::size_t index : {std::size_t{0}, std::size_t{13}, std::size_t{31}}) {
      const auto& building = city.buildings[index];
      const auto centre = citytwin::geo::centroid(building.footprint.front());
      const double roof = city.terrain.sample(centre).value() + building.heightM;
      const auto onScreen = view.project(centre, roof);
      REQUIRE(onScreen.has_value());
      INFO(viewpointName << " building " << building.id << " at " << onScreen->x << "," << onScreen->y);
      const auto picked = view.pick(*onScreen);
      REQUIRE(picked.has_value());
      CHECK((picked->layer == citytwin::city::Layer::Building));
      CHECK(picked->id == building.id);
    }
  }
  SUBCASE("a road link under the cursor is picked as that link") {
    view.setViewpoint(view.viewpoint("plan"));
    view.render(kWidth, kHeight);
    const auto& link = city.roads.links.front();  // eastbound: it lies south of its street's centre line
    const citytwin::geo::Vec2 onRibbon{(link.geometry[0].x + link.geometry[1].x) / 2,
                                       link.geometry[0].y - 2.0};
    const auto picked = view.pick(*view.project(onRibbon, city.terrain.sample(onRibbon).value() + 0.6));
    REQUIRE(picked.has_value());
    CHECK(picked->id == link.id);
  }
  SUBCASE("the sky picks nothing") {
    view.setViewpoint(view.viewpoint("overview"));
    view.render(kWidth, kHeight);
    CHECK_FALSE(view.pick({kWidth / 2.0, 2.0}).has_value());
  }
}

TEST_CASE("citytwin view --screenshot writes the picture of a city file") {
  const char* binary = std::getenv("CITYTWIN_BINARY");
  if (binary == nullptr) {
    MESSAGE("CITYTWIN_BINARY not set: the CLI part is run by ctest");
    return;
  }
  const auto folder = citytwin::testing::scratchDirectory();
  const auto cityFile = folder / "town.gpkg";
  citytwin::io::saveCity(makeTestCity(), cityFile);
  const auto city = makeTestCity();
  const auto run = makeFloodRun(city);
  const auto picture = folder / "town.png";
  const std::string command = std::string(binary) + " view " + cityFile.string() + " --run " + run.string() +
                              " --variant base --time 3600 --size 640x360 --viewpoint plan --screenshot " +
                              picture.string() + " > " + (folder / "view.log").string() + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream log(folder / "view.log");
  const std::string output((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  INFO(output);
  REQUIRE(status == 0);
  REQUIRE(std::filesystem::exists(picture));
  CHECK(std::filesystem::file_size(picture) > 10000);

  // The interactive window (panels, manipulator, picking handlers) opens, draws and closes.
  const std::string window = std::string(binary) + " view " + cityFile.string() + " --run " + run.string() +
                             " --size 1024x640 --exit-after-frames 5 > " + (folder / "window.log").string() +
                             " 2>&1";
  CHECK(std::system(window.c_str()) == 0);
  // The window side by side (two nested cameras under the manipulator's camera, labels, panels).
  const auto pairWindow = citytwin::testing::runCommand({binary, "view", cityFile.string(), "--run",
                                                         run.string(), "--compare", "wall", "--side-by-side",
                                                         "--size", "1024x640", "--exit-after-frames", "5"});
  CHECK(pairWindow.exitCode == 0);

  if (const char* keepFolder = std::getenv("CITYTWIN_VIEWER_SCREENSHOTS")) {
    // The panels drawn into a screenshot, for a person to look at.
    const std::string withPanels =
        std::string(binary) + " view " + cityFile.string() + " --run " + run.string() +
        " --time 2400 --size 1600x900 --interface --colour-roads flow_veh_per_h --screenshot " +
        (std::filesystem::path(keepFolder) / "town-interface.png").string();
    CHECK(std::system(withPanels.c_str()) == 0);
  }

  // The side-by-side picture from the command line; --side-by-side alone has nothing to compare.
  const auto pair = folder / "town-pair.png";
  const auto sideBySide =
      citytwin::testing::runCommand({binary, "view", cityFile.string(), "--run", run.string(), "--variant",
                                     "base", "--compare", "wall", "--side-by-side", "--viewpoint", "plan",
                                     "--size", "960x360", "--screenshot", pair.string(), "--json"});
  INFO(sideBySide.standardOutput << sideBySide.standardError);
  CHECK(sideBySide.exitCode == 0);
  CHECK(std::filesystem::exists(pair));
  CHECK(nlohmann::json::parse(sideBySide.standardOutput, nullptr, false).value("side_by_side", false));
  {
    // Annotated by default: both variant labels and times, and the legend in its own column at the right,
    // min(274, 38 % of the width) wide; the map halves share the rest and no panel lies over them.
    const viewer::Image image = readPng(pair);
    REQUIRE(image.width == 960);
    REQUIRE(image.height == 360);
    keep(image, "town-pair-cli.png");
    constexpr int kColumn = 274;
    constexpr int kHalf = (960 - kColumn) / 2;
    for (const int half : {0, kHalf}) {
      INFO("half starting at x = " << half);
      CHECK(overlayShare(image, half + 16, 16, half + 60, 34) > 0.4);   // variant label
      CHECK(overlayShare(image, half + 16, 58, half + 140, 72) > 0.4);  // time
    }
    CHECK(overlayShare(image, 960 - kColumn + 4, 4, 960 - 4, 356) > 0.6);  // legend column
    // Where a legend over the map would lie (the bottom right of the right half): the map, nothing over it.
    CHECK(overlayShare(image, 2 * kHalf - 200, 200, 2 * kHalf - 4, 356) < 0.05);
  }
  const auto alone = citytwin::testing::runCommand({binary, "view", cityFile.string(), "--run", run.string(),
                                                    "--side-by-side", "--screenshot", pair.string()});
  CHECK(alone.exitCode != 0);
  CHECK(alone.standardError.find("--compare") != std::string::npos);

  const std::string badVariant = std::string(binary) + " view " + cityFile.string() + " --run " +
                                 run.string() + " --variant nosuch --screenshot " + picture.string() +
                                 " > /dev/null 2>&1";
  CHECK(std::system(badVariant.c_str()) != 0);
}

TEST_CASE("side by side: variant A on the left, B on the right, from the same camera") {
  const citytwin::city::CityModel city = makeTestCity();
  viewer::CityView view(city, viewer::RunResults::open(makeOneSidedFloodRun()));
  view.setViewpoint(view.viewpoint("plan"));
  view.settings().timeS = 3600.0;
  view.settings().variant = "dry";
  view.settings().compareVariant = "flooded";
  view.settings().sideBySide = true;
  const viewer::Image image = view.render(kWidth * 2, kHeight);
  keep(image, "town-side-by-side.png");
  const auto [left, right] = classifyHalves(image);
  INFO("water pixels left " << left.water << ", right " << right.water << "; terrain left " << left.terrain
                            << ", right " << right.terrain << "; wet cells " << view.wetCells().first << " / "
                            << view.wetCells().second);
  CHECK(view.wetCells().first == 0);
  CHECK(view.wetCells().second > 100);
  CHECK(right.water > right.total / 50);
  CHECK(left.water < right.water / 20);
  // The same city in both halves: terrain, buildings and roads on each side.
  CHECK(left.terrain > left.total / 10);
  CHECK(right.terrain > right.total / 20);
  CHECK(left.buildings > left.total / 400);
  CHECK(right.buildings > right.total / 400);

  SUBCASE("the difference layer is back when side by side is off") {
    view.settings().sideBySide = false;
    const viewer::Image difference = view.render(kWidth * 2, kHeight);
    keep(difference, "town-side-by-side-off.png");
    const auto [dl, dr] = classifyHalves(difference);
    CHECK(view.wetCells().second == 0);
    CHECK(view.wetCells().first > 100);
    // Wetter in B is orange in the diverging ramp, across the whole width.
    CHECK(dl.increase > dl.total / 50);
    CHECK(dr.increase > dr.total / 50);
    CHECK(dl.water < dl.increase / 10);
  }

  SUBCASE("swapping the variants swaps the halves") {
    view.settings().variant = "flooded";
    view.settings().compareVariant = "dry";
    const auto [swappedLeft, swappedRight] = classifyHalves(view.render(kWidth * 2, kHeight));
    CHECK(swappedLeft.water > swappedLeft.total / 50);
    CHECK(swappedRight.water < swappedLeft.water / 20);
  }
}

TEST_CASE("citytwin view --live polls citytwin serve and shows the observed road flow") {
  const char* binary = std::getenv("CITYTWIN_BINARY");
  if (binary == nullptr) {
    MESSAGE("CITYTWIN_BINARY not set: this part is run by ctest");
    return;
  }
  const auto folder = citytwin::testing::scratchDirectory();
  const citytwin::city::CityModel city = makeTestCity();
  const auto service = startService(binary, folder / "live.sqlite");
  REQUIRE(service);
  const std::string url = "http://127.0.0.1:" + std::to_string(service->port());

  // A counter on the first link of the primary road reports 420 vehicles per hour.
  const auto& link = city.roads.links.front();
  const nlohmann::json observation = nlohmann::json::array(
      {{{"id", "urn:ngsi-ld:TrafficFlowObserved:viewer-test-1"},
        {"type", "TrafficFlowObserved"},
        {"intensity", {{"type", "Property"}, {"value", 420}}},
        {"averageVehicleSpeed", {{"type", "Property"}, {"value", 37.5}}},
        {"refRoadSegment", {{"type", "Relationship"}, {"object", link.id}}}},
       // The town's river gauge reads 2.4 m.
       {{"id", "urn:ngsi-ld:WaterObserved:viewer-test-2"},
        {"type", "WaterObserved"},
        {"waterLevel", {{"type", "Property"}, {"value", 2.4}}},
        {"refDevice", {{"type", "Relationship"}, {"object", city.sensors.front().id}}}}});
  httplib::Client client("127.0.0.1", service->port());
  client.set_read_timeout(10);
  const httplib::Headers context = {
      {"Link",
       "<https://smartdatamodels.org/context.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"; "
       "type=\"application/ld+json\""}};
  const auto upsert =
      client.Post("/ngsi-ld/v1/entityOperations/upsert", context, observation.dump(), "application/json");
  REQUIRE(upsert);
  INFO("upsert answered " << upsert->status << ": " << upsert->body);
  REQUIRE(upsert->status / 100 == 2);

  {
    viewer::CityView view(city);
    view.connectLive({url, "", 0.5, 5});
    REQUIRE(view.waitForLive(20.0));
    const viewer::LiveStatus status = view.liveStatus();
    INFO("live error: " << status.error);
    CHECK(status.updated);
    CHECK(status.error.empty());
    CHECK(status.mapped >= 1);
    const auto flow = view.liveValue(citytwin::city::Layer::RoadLink, link.id, "observed_flow_veh_per_h");
    REQUIRE(flow.has_value());
    CHECK(*flow == doctest::Approx(420.0));
    const auto speed = view.liveValue(citytwin::city::Layer::RoadLink, link.id, "observed_speed_kph");
    REQUIRE(speed.has_value());
    CHECK(*speed == doctest::Approx(37.5));
    const auto level = view.liveValue(citytwin::city::Layer::Sensor, city.sensors.front().id, "value");
    REQUIRE(level.has_value());
    CHECK(*level == doctest::Approx(2.4));
    // Unobserved links have no live value (rather than a zero).
    CHECK_FALSE(view.liveValue(citytwin::city::Layer::RoadLink, city.roads.links.back().id,
                               "observed_flow_veh_per_h"));

    // Picking the observed link shows its live value.
    view.setViewpoint(view.viewpoint("plan"));
    view.settings().roadAttribute = "observed_flow_veh_per_h";
    view.render(kWidth, kHeight);
    const citytwin::geo::Vec2 onRibbon{(link.geometry[0].x + link.geometry[1].x) / 2,
                                       link.geometry[0].y - 2.0};
    const auto picked = view.pick(*view.project(onRibbon, city.terrain.sample(onRibbon).value() + 0.6));
    REQUIRE(picked.has_value());
    CHECK(picked->id == link.id);
    bool shown = false;
    for (const auto& [label, value] : picked->attributes)
      shown = shown || (label == "live observed_flow_veh_per_h" && value == "420.00");
    CHECK(shown);
    view.settings().showInterface = true;
    view.setViewpoint(view.viewpoint("overview"));
    keep(view.render(1280, 720), "town-live.png");
    view.settings().showInterface = false;

    // The service goes away: the viewer keeps its last values, reports the failure and keeps retrying.
    service->stop();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (view.liveStatus().error.empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const int pollsAtFailure = view.liveStatus().polls;
    CHECK_FALSE(view.liveStatus().error.empty());
    CHECK(view.liveValue(citytwin::city::Layer::RoadLink, link.id, "observed_flow_veh_per_h").has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    CHECK(view.liveStatus().polls > pollsAtFailure);
    CHECK(view.render(kWidth, kHeight).width == kWidth);  // still draws
  }

  // Headless: the screenshot waits for the first poll; an unreachable service is reported, not fatal.
  const auto cityFile = folder / "live-town.gpkg";
  citytwin::io::saveCity(city, cityFile);
  const auto restarted = startService(binary, folder / "live.sqlite");
  REQUIRE(restarted);
  const auto shot = citytwin::testing::runCommand(
      {binary, "view", cityFile.string(), "--live", "http://127.0.0.1:" + std::to_string(restarted->port()),
       "--viewpoint", "plan", "--size", "640x360", "--screenshot", (folder / "live.png").string(), "--json"});
  restarted->stop();
  INFO(shot.standardOutput << shot.standardError);
  REQUIRE(shot.exitCode == 0);
  const auto report = nlohmann::json::parse(shot.standardOutput);
  CHECK(report["live"]["updated"] == true);
  CHECK(report["live"]["mapped"].get<int>() >= 1);
  CHECK(std::filesystem::exists(folder / "live.png"));

  const auto unreachable = citytwin::testing::runCommand(
      {binary, "view", cityFile.string(), "--live", "http://127.0.0.1:" + std::to_string(restarted->port()),
       "--size", "320x180", "--screenshot", (folder / "unreachable.png").string(), "--json"});
  INFO(unreachable.standardOutput << unreachable.standardError);
  REQUIRE(unreachable.exitCode == 0);
  const auto failed = nlohmann::json::parse(unreachable.standardOutput);
  CHECK(failed["live"]["updated"] == false);
  CHECK_FALSE(failed["live"]["error"].get<std::string>().empty());
}

TEST_CASE(
    "an annotated side-by-side picture has the time, both variant labels, a legend, a scale bar and north") {
  const citytwin::city::CityModel city = makeTestCity();
  viewer::CityView view(city, viewer::RunResults::open(makeFloodRun(city)));
  view.setViewpoint(view.viewpoint("plan"));
  view.settings().timeS = 3600.0;
  view.settings().variant = "base";
  view.settings().compareVariant = "wall";
  view.settings().sideBySide = true;
  constexpr int kW = 1600;
  constexpr int kH = 600;
  const viewer::Image plain = view.render(kW, kH);
  view.settings().annotate = true;
  const viewer::Image annotated = view.render(kW, kH);
  keep(annotated, "town-side-by-side-annotated.png");
  const auto share = [](const viewer::testing::PixelCounts& c) {
    return double(c.overlay) / double(c.total);
  };
  // Annotated, the legend has a column of its own at the right (274 px) and the two views share the rest;
  // without annotations the views share the whole width.
  constexpr int kColumn = 274;
  constexpr int kHalf = (kW - kColumn) / 2;
  for (const auto& [half, plainHalf] : {std::pair{0, 0}, std::pair{kHalf, kW / 2}}) {
    INFO("half starting at x = " << half);
    // Variant label (both pictures) and, below it, the time label (annotated only).
    CHECK(share(classifyRegion(plain, plainHalf + 16, 16, plainHalf + 60, 34)) > 0.4);
    CHECK(share(classifyRegion(annotated, half + 16, 16, half + 60, 34)) > 0.4);
    CHECK(share(classifyRegion(annotated, half + 16, 58, half + 140, 72)) > 0.4);
    CHECK(share(classifyRegion(plain, plainHalf + 16, 58, plainHalf + 140, 72)) < 0.1);
    // Scale bar at the bottom left, north arrow at the top right.
    CHECK(share(classifyRegion(annotated, half + 14, kH - 40, half + 40, kH - 16)) > 0.25);
    CHECK(share(classifyRegion(plain, plainHalf + 14, kH - 40, plainHalf + 40, kH - 16)) < 0.1);
    const int northX = half + kHalf - 12 - 30;
    CHECK(share(classifyRegion(annotated, northX - 30, 36, northX - 18, 68)) > 0.5);
    // Nothing but those small boxes lies over the map: no legend or panel in the view.
    CHECK(share(classifyRegion(annotated, half, 0, half + kHalf, kH)) < 0.08);
    CHECK(share(classifyRegion(annotated, half + kHalf - 262, kH - 200, half + kHalf - 12, kH - 12)) < 0.05);
  }
  CHECK(share(classifyRegion(plain, kW / 2 - 72, 36, kW / 2 - 60, 68)) < 0.1);
  // One legend, in its column beside the views: the column is dark, with the legend's box at its top.
  CHECK(share(classifyRegion(annotated, kW - kColumn + 4, 4, kW - 4, kH - 4)) > 0.6);
  CHECK(share(classifyRegion(annotated, kW - kColumn + 16, 16, kW - 16, 30)) > 0.3);
  CHECK(share(classifyRegion(plain, kW - kColumn + 4, 4, kW - 4, kH - 4)) < 0.1);
  // The annotations leave the water of both views in sight.
  const auto left = classifyRegion(annotated, 0, 0, kHalf, kH);
  const auto right = classifyRegion(annotated, kHalf, 0, 2 * kHalf, kH);
  CHECK(left.water > left.total / 50);
  CHECK(right.water > right.total / 100);
}

TEST_CASE("the interface panels sit in a column beside the map, never over it") {
  const citytwin::city::CityModel city = makeTestCity();
  viewer::CityView view(city, viewer::RunResults::open(makeOneSidedFloodRun()));
  view.setViewpoint(view.viewpoint("plan"));
  view.settings().timeS = 3600.0;
  view.settings().variant = "dry";
  view.settings().compareVariant = "flooded";
  view.settings().sideBySide = true;
  view.settings().showInterface = true;
  constexpr int kW = 1600;
  constexpr int kH = 600;
  const viewer::Image image = view.render(kW, kH);
  keep(image, "town-side-by-side-interface.png");
  // The column: min(560, 38% of the width) at the right edge, the map halves share the rest.
  constexpr int kColumn = 560;
  constexpr int kMapHalf = (kW - kColumn) / 2;
  const auto column = classifyRegion(image, kW - kColumn + 8, 8, kW - 8, kH - 8);
  const auto left = classifyRegion(image, 0, 0, kMapHalf, kH);
  const auto right = classifyRegion(image, kMapHalf, 0, 2 * kMapHalf, kH);
  INFO("column overlay " << column.overlay << "/" << column.total << "; right half overlay " << right.overlay
                         << ", water " << right.water << "; left water " << left.water);
  CHECK(column.overlay > column.total * 6 / 10);
  // The right half shows B's flood with nothing over it but its variant label.
  CHECK(right.water > right.total / 50);
  CHECK(right.overlay < right.total / 25);
  CHECK(left.overlay < left.total / 25);
  CHECK(left.water < right.water / 20);
}

TEST_CASE("citytwin view refuses what it cannot show truthfully, and opens a run with KPIs only") {
  const char* binary = std::getenv("CITYTWIN_BINARY");
  if (binary == nullptr) {
    MESSAGE("CITYTWIN_BINARY not set: the CLI part is run by ctest");
    return;
  }
  const auto folder = citytwin::testing::scratchDirectory();
  const auto cityFile = folder / "town.gpkg";
  const auto city = makeTestCity();
  citytwin::io::saveCity(city, cityFile);
  const auto run = makeFloodRun(city);
  const auto picture = (folder / "refused.png").string();
  const auto view = [&](std::vector<std::string> extra) {
    std::vector<std::string> arguments{binary,         "view", cityFile.string(), "--size", "320x180",
                                       "--screenshot", picture};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return citytwin::testing::runCommand(arguments);
  };
  const auto expectError = [](const auto& result, const std::string& named) {
    INFO(result.standardError);
    CHECK(result.exitCode == 1);
    CHECK(result.standardError.find("citytwin: error:") != std::string::npos);
    CHECK(result.standardError.find(named) != std::string::npos);
  };
  expectError(view({"--run", run.string(), "--time", "99999"}), "99999");
  expectError(view({"--run", run.string(), "--colour-buildings", "no_such_column"}), "no_such_column");
  expectError(view({"--run", run.string(), "--colour-roads", "speed_of_light"}), "speed_of_light");

  // Results of another city: ids the city does not have.
  const auto foreign = folder / "foreign-run";
  std::filesystem::create_directories(foreign / "base" / "state");
  std::ofstream(foreign / "base" / "state" / "building.csv") << "t,id,supplied\n0,elsewhere:building/1,1\n";
  expectError(view({"--run", foreign.string()}), "another city");

  // A run of the energy model alone: KPIs and city-wide series, nothing per object. It opens, and says so.
  const auto energy = folder / "energy-run";
  for (const char* variant : {"base", "heat_wave"}) {
    std::filesystem::create_directories(energy / variant);
    std::ofstream(energy / variant / "kpis.json")
        << R"({"completed": true, "kpis": {"energy.peak_demand_mw": 33.52607, "energy.unserved_energy_mwh": 0.0}, "variant": ")"
        << variant << "\"}";
    std::ofstream(energy / variant / "energy_hourly.csv") << "hour,demand_mw\n0,12.0\n23,14.5\n";
  }
  const auto opened = view({"--run", energy.string(), "--variant", "heat_wave", "--json"});
  INFO(opened.standardOutput << opened.standardError);
  REQUIRE(opened.exitCode == 0);
  const auto report = nlohmann::json::parse(opened.standardOutput, nullptr, false);
  CHECK(report.value("annotated", false));
  CHECK(report.value("time_s", -1.0) == doctest::Approx(23 * 3600.0));
  CHECK(report["warnings"].size() == 1);
  CHECK(report.value("title", std::string()).find("energy-run") != std::string::npos);
  CHECK(view({"--run", energy.string(), "--no-annotate"}).exitCode == 0);
}
