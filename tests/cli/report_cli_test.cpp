// citytwin report: a run of the sample town with flood, energy and traffic turned into one HTML page that
// headless Chromium opens with every image loaded and something on screen; bad folders fail cleanly.
#include <doctest/doctest.h>
#include <stb_image.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/skip_registry.hpp"

using citytwin::testing::citytwinBinary;
using citytwin::testing::runCommand;
using citytwin::testing::scratchDirectory;

namespace {

// One hour of the 1 km sample town with every model and a cloudburst; a variant doubles the rain.
const char* kScenario = R"toml(name = "report_check"
description = "Cloudburst over the small town, with and without twice the rain"
city = "town.gpkg"
generate = { size_km = 1, seed = 5 }
start = 2026-07-01T07:00:00Z
duration = "1h"
step = "10m"
state_step = "10m"
models = ["flood", "energy", "traffic"]

[flood]
cell_size_m = 20
rain_mm_per_h = 80
snapshot_interval = "10m"

[energy]
weather = { synthetic = true, latitude = 45.15, longitude = 9.0, elevation_m = 100, mean_temperature_c = 12.5, seed = 1 }

[[variant]]
name = "double_rain"
description = "Twice the rain"
[[variant.intervention]]
kind = "scale_series"
model = "flood"
series = "rain_mm_per_h"
factor = 2.0
)toml";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string decodeBase64(const std::string& text) {
  std::string bytes;
  int bits = 0, buffer = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '+')
      value = 62;
    else if (c == '/')
      value = 63;
    else if (c == '=')
      break;
    else
      throw std::runtime_error("not base64");
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return bytes;
}

// The share of a rectangle [x0, x1) x [y0, y1) of an RGB picture in the viewer's annotation boxes: dark
// (brightest channel under 36 %) with blue the largest channel, which no map colour is (pixel_classes.hpp
// of the viewer tests uses the same rule).
double annotationShare(const unsigned char* rgb, int width, int x0, int y0, int x1, int y1) {
  long inBoxes = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      const unsigned char* p = rgb + (static_cast<std::size_t>(y) * width + x) * 3;
      if (std::max({p[0], p[1], p[2]}) < 92 && p[2] >= p[0] && p[2] >= p[1]) ++inBoxes;
    }
  }
  return static_cast<double>(inBoxes) / ((x1 - x0) * (y1 - y0));
}

// The chromium on the PATH, or empty.
std::string findChromium() {
  const char* path = std::getenv("PATH");
  std::stringstream folders(path ? path : "");
  for (std::string folder; std::getline(folders, folder, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(folder) / "chromium";
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  return {};
}

struct ReportRun {
  std::filesystem::path runFolder;
  std::filesystem::path html;
};

// Runs the scenario and writes its report once for every test case of this file.
const ReportRun& reportRun() {
  static const ReportRun run = [] {
    ReportRun made;
    const std::filesystem::path folder = scratchDirectory() / "report";
    std::filesystem::create_directories(folder);
    std::ofstream(folder / "report_check.toml") << kScenario;
    made.runFolder = folder / "out";
    const auto ran = runCommand({citytwinBinary(), "run", (folder / "report_check.toml").string(), "--out",
                                 made.runFolder.string(), "--threads", "2"});
    INFO(ran.standardError);
    REQUIRE(ran.exitCode == 0);
    made.html = folder / "report.html";
    const auto reported =
        runCommand({citytwinBinary(), "report", made.runFolder.string(), "--out", made.html.string()});
    INFO(reported.standardError);
    REQUIRE(reported.exitCode == 0);
    return made;
  }();
  return run;
}

}  // namespace

TEST_CASE("a folder that is not a run is an error and leaves no report behind") {
  const std::filesystem::path empty = scratchDirectory() / "not-a-run";
  std::filesystem::create_directories(empty);
  const std::filesystem::path out = scratchDirectory() / "never.html";
  for (const std::filesystem::path& folder : {empty, scratchDirectory() / "no-such-folder"}) {
    const auto result = runCommand({citytwinBinary(), "report", folder.string(), "--out", out.string()});
    CHECK(result.exitCode == 1);
    CHECK(result.standardError.rfind("citytwin: error: ", 0) == 0);
    CHECK(result.standardError.find(folder.string()) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
  }
  CHECK(runCommand({citytwinBinary(), "report", empty.string()}).exitCode == 2);  // --out is required
}

TEST_CASE("the report holds the scenario, the KPI table with units and changes, charts and maps") {
  const std::string html = slurp(reportRun().html);
  CHECK(html.find("Cloudburst over the small town") != std::string::npos);
  CHECK(html.find("flood.flooded_area_m2") != std::string::npos);
  CHECK(html.find("<td>m2</td>") != std::string::npos);
  CHECK(html.find("%)") != std::string::npos);  // a change against the base in %
  // Nothing is fetched: every image is inline.
  CHECK(html.find("src=\"http") == std::string::npos);
  CHECK(html.find("src=\"file") == std::string::npos);

  // (std::regex recurses per character and overflows the stack on a megabyte of base64: find by hand.)
  int pngs = 0, svgs = 0;
  const std::string marker = "<img src=\"data:image/";
  for (std::size_t at = html.find(marker); at != std::string::npos; at = html.find(marker, at + 1)) {
    const std::size_t typeStart = at + marker.size();
    const std::size_t comma = html.find(";base64,", typeStart);
    const std::size_t quote = html.find('"', typeStart);
    REQUIRE(comma < quote);
    const std::string type = html.substr(typeStart, comma - typeStart);
    const std::string bytes = decodeBase64(html.substr(comma + 8, quote - comma - 8));
    if (type == "png") {
      int width = 0, height = 0, channels = 0;
      unsigned char* pixels =
          stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()), &width, &height, &channels, 3);
      REQUIRE(pixels != nullptr);
      CHECK(width == 1200);
      CHECK(height == 675);
      if (width == 1200 && height == 675) {
        // Each map reads on its own: the time label at the top left, the scale bar at the bottom left and
        // north at the top right of the map, and the legend (ramps with units and range) in its column
        // (274 px) at the right, beside the map, not over it.
        INFO("map " << pngs);
        const int mapRight = width - 274;
        CHECK(annotationShare(pixels, width, 16, 14, 60, 28) > 0.4);
        CHECK(annotationShare(pixels, width, 8, height - 40, 40, height - 16) > 0.25);
        CHECK(annotationShare(pixels, width, mapRight - 72, 36, mapRight - 60, 68) > 0.5);
        CHECK(annotationShare(pixels, width, mapRight + 4, 4, width - 4, height - 4) > 0.6);
        CHECK(annotationShare(pixels, width, mapRight + 16, 16, width - 16, 30) > 0.3);
        CHECK(annotationShare(pixels, width, mapRight - 250, height - 200, mapRight - 12, height - 60) <
              0.05);
      }
      stbi_image_free(pixels);
      ++pngs;
    } else {
      CHECK(type == "svg+xml");
      CHECK(bytes.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
      CHECK(bytes.find("</svg>") != std::string::npos);
      ++svgs;
    }
  }
  // Bar charts of the three models and six time series (flood volume and area, network speed and vehicles,
  // demand and unserved); maps: the flood's worst moment in each variant at least.
  CHECK(svgs == 9);
  CHECK(pngs >= 2);
  int images = 0;
  for (std::size_t at = html.find("<img "); at != std::string::npos; at = html.find("<img ", at + 1))
    ++images;
  CHECK(images == pngs + svgs);
}

TEST_CASE("headless Chromium renders the report with every image loaded") {
  const std::string chromium = findChromium();
  if (chromium.empty()) {
    citytwin::testing::recordSkip(
        "chromium not found on the PATH (Debian package chromium; tools/setup.sh installs it): the report's "
        "browser checks did not run");
    return;
  }
  const ReportRun& run = reportRun();
  // A copy of the page that, once loaded, writes into its title how many images decoded and how tall it is.
  std::string page = slurp(run.html);
  const std::string probe =
      "<script>window.addEventListener('load', () => { const all = [...document.images];"
      " const loaded = all.filter(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0).length;"
      " document.title = 'IMAGES ' + loaded + ' OF ' + all.length + ' HEIGHT ' + document.body.scrollHeight;"
      " });</script>";
  page.insert(page.rfind("</body>"), probe);
  const std::filesystem::path probed = run.html.parent_path() / "probed.html";
  std::ofstream(probed) << page;
  const auto dom = runCommand({chromium, "--headless", "--no-sandbox", "--disable-gpu",
                               "--virtual-time-budget=10000", "--dump-dom", "file://" + probed.string()});
  REQUIRE(dom.exitCode == 0);
  std::smatch found;
  REQUIRE(std::regex_search(dom.standardOutput, found, std::regex("IMAGES (\\d+) OF (\\d+) HEIGHT (\\d+)")));
  INFO(found[0].str());
  CHECK(std::stoi(found[2].str()) >= 11);
  CHECK(found[1].str() == found[2].str());
  CHECK(std::stoi(found[3].str()) > 3000);

  // The page as a reader sees its first screen: text, tables and charts, not a blank sheet.
  const std::filesystem::path screenshot = run.html.parent_path() / "report.png";
  const auto shot =
      runCommand({chromium, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1100,2400",
                  "--screenshot=" + screenshot.string(), "file://" + run.html.string()});
  REQUIRE(shot.exitCode == 0);
  int width = 0, height = 0, channels = 0;
  unsigned char* pixels = stbi_load(screenshot.string().c_str(), &width, &height, &channels, 3);
  REQUIRE(pixels != nullptr);
  std::size_t inked = 0, coloured = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(width) * static_cast<std::size_t>(height); ++i) {
    const int r = pixels[3 * i], g = pixels[3 * i + 1], b = pixels[3 * i + 2];
    if (r < 200 || g < 200 || b < 200) ++inked;
    if (std::max({r, g, b}) - std::min({r, g, b}) > 60) ++coloured;  // bars, shading: not only black text
  }
  stbi_image_free(pixels);
  const double pixelsTotal = static_cast<double>(width) * height;
  INFO("inked " << inked << ", coloured " << coloured << " of " << pixelsTotal);
  CHECK(inked > 0.02 * pixelsTotal);
  CHECK(coloured > 0.005 * pixelsTotal);
}

TEST_CASE("--pdf prints the report through headless Chromium") {
  if (findChromium().empty()) {
    citytwin::testing::recordSkip("chromium not found on the PATH: --pdf was not checked");
    return;
  }
  const ReportRun& run = reportRun();
  const std::filesystem::path html = run.html.parent_path() / "again.html";
  const std::filesystem::path pdf = run.html.parent_path() / "report.pdf";
  const auto result = runCommand({citytwinBinary(), "report", run.runFolder.string(), "--out", html.string(),
                                  "--pdf", pdf.string(), "--no-maps"});
  INFO(result.standardError);
  REQUIRE(result.exitCode == 0);
  const std::string bytes = slurp(pdf);
  CHECK(bytes.rfind("%PDF-", 0) == 0);
  CHECK(bytes.size() > 20000);
}
