// LISFLOOD-FP 8 file formats: parameter, boundary, rainfall and stage files in; .wd, .max, .mass and
// .stage out.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/flood/ascii_grid.hpp"
#include "citytwin/flood/lisflood_case.hpp"
#include "citytwin/testing/shared_data.hpp"

namespace fs = std::filesystem;
using namespace citytwin::flood;

namespace {

void writeText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string readText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A 20 x 4 sloping channel fed by QVAR at the west edge, draining FREE at the east, with rain.
fs::path writeCase(const std::string& extra) {
  const fs::path folder = citytwin::testing::scratchDirectory() / "lisflood-case";
  std::ostringstream dem;
  dem << "ncols 20\nnrows 4\nxllcorner 100\nyllcorner 200\ncellsize 10\nNODATA_value -9999\n";
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 20; ++c) dem << (r == 0 && c == 5 ? -9999.0 : 5.0 - 0.01 * c) << ' ';
    dem << '\n';
  }
  writeText(folder / "dem.asc", dem.str());
  writeText(folder / "case.bci", "W 200 240 QVAR upstream\nE 200 240 FREE\nP 155 215 QFIX 0.2\n");
  writeText(folder / "case.bdy", "test boundaries\nupstream\n3 minutes\n0.0 0\n0.5 1\n0.5 10\n");
  writeText(folder / "case.rain", "rain in mm/h\n2 seconds\n36 0\n36 600\n");
  writeText(folder / "gauges.stage", "2\n155 225\n255 225\n");
  writeText(folder / "case.par", "# test case\nDEMfile dem.asc\nresroot out\ndirroot results\nsim_time 300\ninitial_tstep 2\n"
                                 "massint 60\nsaveint 100\nfpfric 0.03\nbcifile case.bci\nbdyfile case.bdy\n"
                                 "rainfall case.rain\nstagefile gauges.stage\nelevoff\n" + extra);
  return folder / "case.par";
}

}  // namespace

TEST_CASE("ASCII grids round-trip and report malformed input by line") {
  const fs::path folder = citytwin::testing::scratchDirectory() / "ascii";
  fs::create_directories(folder);
  AsciiGrid g;
  g.columns = 3;
  g.rows = 2;
  g.xllCorner = 10;
  g.yllCorner = 20;
  g.cellSize = 5;
  const std::vector<double> values = {1, 2, 3.25, 4, 5, -9999};
  writeAsciiGrid(folder / "g.asc", g, values);
  const std::string text = readText(folder / "g.asc");
  CHECK(text.rfind("ncols         3\nnrows         2\nxllcorner     10.000000\n", 0) == 0);
  CHECK(text.find("3.250\t\n") != std::string::npos);
  const AsciiGrid back = readAsciiGrid(folder / "g.asc");
  CHECK(back.values == values);
  CHECK(back.isNoData(5));
  writeText(folder / "bad.asc", "ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2\n3 x\n");
  try {
    readAsciiGrid(folder / "bad.asc");
    FAIL("expected an InputError");
  } catch (const citytwin::InputError& e) {
    CHECK(e.location().line == 7);
  }
  writeText(folder / "short.asc", "ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2 3\n");
  CHECK_THROWS_AS(readAsciiGrid(folder / "short.asc"), citytwin::InputError);
}

TEST_CASE("a LISFLOOD-FP case runs and writes .wd, .max, .mass and .stage like LISFLOOD-FP") {
  for (const std::string solver : {"acceleration\n", "fv1\n"}) {
    const LisfloodCase c = readLisfloodCase(writeCase(solver));
    CHECK(c.domain.isBlocked(5));
    CHECK(c.forcing.edges.size() == 2);
    CHECK(c.forcing.points.size() == 1);
    CHECK(c.forcing.edges[0].series.times.back() == doctest::Approx(600.0));  // minutes
    CHECK(c.stagePoints.size() == 2);
    CHECK(c.options.scheme == (solver == "fv1\n" ? Scheme::FiniteVolume : Scheme::LocalInertial));
    const LisfloodRunResult result = runLisfloodCase(c, {});
    CHECK(result.outputDirectory == c.dirroot);
    for (const char* name : {"out-0000.wd", "out-0001.wd", "out-0002.wd", "out-0003.wd", "out.max", "out.mass", "out.stage"})
      CHECK(fs::exists(result.outputDirectory / name));
    CHECK(!fs::exists(result.outputDirectory / "out-0004.wd"));
    const AsciiGrid last = readAsciiGrid(result.outputDirectory / "out-0003.wd");
    CHECK(last.columns == 20);
    CHECK(last.xllCorner == doctest::Approx(100.0));
    double stored = 0.0;
    for (double h : last.values) stored += h;
    CHECK(stored > 0.0);
    const std::string mass = readText(result.outputDirectory / "out.mass");
    CHECK(mass.rfind("Time         Tstep      MinTstep   NumTsteps    Area         Vol         Qin", 0) == 0);
    CHECK(std::count(mass.begin(), mass.end(), '\n') == 1 + 6);  // header, t = 0, 60, ..., 300
    const std::string stage = readText(result.outputDirectory / "out.stage");
    CHECK(stage.find("Stage output, depth (m). Stage locations from: gauges.stage") == 0);
    CHECK(stage.find("Time; stages 1 to 2") != std::string::npos);
    CHECK(c.options.precision == Precision::Single);  // as the city model; --precision double on request
    CHECK(std::abs(result.mass.relativeError()) < 1e-5);
    const AsciiGrid maxima = readAsciiGrid(result.outputDirectory / "out.max");
    for (std::size_t i = 0; i < maxima.values.size(); ++i) CHECK(maxima.values[i] >= last.values[i] - 1e-3);
  }
}

TEST_CASE("LISFLOOD-FP input errors name the file, line and key") {
  const fs::path par = writeCase("");
  writeText(par.parent_path() / "broken.par", "DEMfile dem.asc\nsim_time soon\n");
  try {
    readLisfloodCase(par.parent_path() / "broken.par");
    FAIL("expected an InputError");
  } catch (const citytwin::InputError& e) {
    CHECK(e.location().line == 2);
    CHECK(e.location().key == "sim_time");
  }
  writeText(par.parent_path() / "nodem.par", "sim_time 10\n");
  CHECK_THROWS_AS(readLisfloodCase(par.parent_path() / "nodem.par"), citytwin::InputError);
  writeText(par.parent_path() / "case.bci", "W 200 240 QVAR missing\n");
  try {
    readLisfloodCase(par);
    FAIL("expected an InputError");
  } catch (const citytwin::InputError& e) {
    CHECK(e.location().file.find("case.bci") != std::string::npos);
    CHECK(e.location().line == 1);
  }
  writeText(par.parent_path() / "case.bci", "X 200 240 FREE\n");
  CHECK_THROWS_AS(readLisfloodCase(par), citytwin::InputError);
}
