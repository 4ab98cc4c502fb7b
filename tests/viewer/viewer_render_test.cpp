// Rendering tests: they need an X display and run under xvfb-run (see CMakeLists.txt).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "citytwin/io/city_file.hpp"
#include "citytwin/io/geotiff.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/viewer/city_view.hpp"
#include "pixel_classes.hpp"
#include "test_city.hpp"

namespace viewer = citytwin::viewer;
using viewer::testing::classifyPixels;
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

}  // namespace

TEST_CASE("a screenshot of a town shows terrain, buildings and roads") {
  const citytwin::city::CityModel city = makeTestCity();
  viewer::CityView view(city);
  const viewer::Image image = view.render(kWidth, kHeight);
  keep(image, "town-overview.png");
  REQUIRE(image.width == kWidth);
  REQUIRE(image.height == kHeight);
  const auto counts = classifyPixels(image);
  INFO("terrain " << counts.terrain << " buildings " << counts.buildings << " roads " << counts.roads << " water "
                  << counts.water << " of " << counts.total << ", colours " << counts.distinctColours);
  CHECK(counts.distinctColours > 200);            // not blank
  CHECK(counts.terrain > counts.total / 5);       // the town sits on its terrain
  CHECK(counts.buildings > counts.total / 200);   // 32 buildings, each a few hundred pixels
  CHECK(counts.roads > counts.total / 400);       // the street grid: thin white lines from this distance
  CHECK(counts.water == 0);                       // no run: no water

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
    // Drier in B is blue in the diverging ramp; the band where both flood is near-white.
    CHECK(counts.water > 0);
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
  const citytwin::geo::Vec2 onRibbon{(link.geometry[0].x + link.geometry[1].x) / 2 + 40.0, link.geometry[0].y - 2.0};
  const auto picked = view.pick(*view.project(onRibbon, city.terrain.sample(onRibbon).value() + 0.6));
  REQUIRE(picked.has_value());
  CHECK(picked->id == link.id);
  bool closed = false;
  for (const auto& [label, value] : picked->attributes) closed = closed || (label == "closed" && value == "1.00");
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
    const citytwin::geo::Vec2 onRibbon{(link.geometry[0].x + link.geometry[1].x) / 2, link.geometry[0].y - 2.0};
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
                             " --size 1024x640 --exit-after-frames 5 > " + (folder / "window.log").string() + " 2>&1";
  CHECK(std::system(window.c_str()) == 0);

  if (const char* keepFolder = std::getenv("CITYTWIN_VIEWER_SCREENSHOTS")) {
    // The panels drawn into a screenshot, for a person to look at.
    const std::string withPanels = std::string(binary) + " view " + cityFile.string() + " --run " + run.string() +
                                   " --time 2400 --size 1600x900 --interface --colour-roads flow_veh_per_h --screenshot " +
                                   (std::filesystem::path(keepFolder) / "town-interface.png").string();
    CHECK(std::system(withPanels.c_str()) == 0);
  }

  const std::string badVariant = std::string(binary) + " view " + cityFile.string() + " --run " + run.string() +
                                 " --variant nosuch --screenshot " + picture.string() + " > /dev/null 2>&1";
  CHECK(std::system(badVariant.c_str()) != 0);
}
