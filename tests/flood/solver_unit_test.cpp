// Building blocks of the flood solvers: conservation, positivity, well-balancing, determinism,
// boundaries, sources and losses. Small grids so the suite stays fast under the sanitizers.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "citytwin/core/error.hpp"
#include "citytwin/flood/simulation.hpp"
#include "citytwin/flood/time_series.hpp"

using namespace citytwin::flood;

namespace {

Domain bumpyDomain(std::size_t columns, std::size_t rows, double cellSize = 2.0) {
  Domain d;
  d.columns = columns;
  d.rows = rows;
  d.cellSize = cellSize;
  d.west = 1000.0;
  d.north = 5000.0;
  d.uniformManning = 0.03;
  d.elevation.resize(columns * rows);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < columns; ++c)
      d.elevation[r * columns + c] = 100.0 + 0.5 * std::sin(0.37 * c) * std::cos(0.23 * r) + 0.01 * c;
  return d;
}

Domain flatDomain(std::size_t columns, std::size_t rows, double cellSize = 1.0, double n = 0.03) {
  Domain d;
  d.columns = columns;
  d.rows = rows;
  d.cellSize = cellSize;
  d.north = static_cast<double>(rows) * cellSize;
  d.elevation.assign(columns * rows, 10.0);
  d.uniformManning = n;
  return d;
}

std::vector<double> moundOfWater(const Domain& d, double height) {
  std::vector<double> h(d.cellCount(), 0.0);
  for (std::size_t r = 0; r < d.rows; ++r)
    for (std::size_t c = 0; c < d.columns; ++c) {
      const double dx = static_cast<double>(c) - 0.3 * static_cast<double>(d.columns);
      const double dy = static_cast<double>(r) - 0.5 * static_cast<double>(d.rows);
      if (dx * dx + dy * dy < 36.0) h[r * d.columns + c] = height;
    }
  return h;
}

SimulationOptions optionsFor(Scheme scheme, Precision precision, int threads = 1) {
  SimulationOptions o;
  o.scheme = scheme;
  o.precision = precision;
  o.threads = threads;
  o.maxTimeStep = 1.0;
  return o;
}

std::string nameOf(Scheme scheme) { return scheme == Scheme::LocalInertial ? "local inertial" : "finite volume"; }

}  // namespace

TEST_CASE("time series interpolate linearly, hold their ends and integrate exactly") {
  TimeSeries s{{0.0, 10.0, 20.0}, {0.0, 10.0, 0.0}};
  CHECK(s.valueAt(-5.0) == 0.0);
  CHECK(s.valueAt(5.0) == doctest::Approx(5.0));
  CHECK(s.valueAt(15.0) == doctest::Approx(5.0));
  CHECK(s.valueAt(25.0) == 0.0);
  CHECK(s.integral(0.0, 20.0) == doctest::Approx(100.0));
  CHECK(s.integral(5.0, 15.0) == doctest::Approx(75.0));
  // Two samples at one time make a step; the window integrates exactly over coupling intervals.
  TimeSeries window{{0.0, 0.0, 300.0, 300.0}, {0.0, 100.0, 100.0, 0.0}};
  CHECK(window.valueAt(0.0) == 100.0);
  CHECK(window.valueAt(300.0) == 0.0);
  CHECK(window.integral(0.0, 60.0) == doctest::Approx(6000.0));
  CHECK(window.integral(240.0, 300.0) == doctest::Approx(6000.0));
  CHECK(window.integral(0.0, 600.0) == doctest::Approx(30000.0));
  CHECK(TimeSeries::constant(3.0).integral(0.0, 2.0) == doctest::Approx(6.0));
}

TEST_CASE("closed domains conserve mass: 1e-9 relative in double, and the float figure") {
  for (Scheme scheme : {Scheme::LocalInertial, Scheme::FiniteVolume}) {
    for (Precision precision : {Precision::Double, Precision::Single}) {
      Domain d = bumpyDomain(48, 32);
      d.blocked.assign(d.cellCount(), 0);
      for (std::size_t r = 10; r < 20; ++r) d.blocked[r * d.columns + 30] = 1;  // a building wall
      Simulation sim(d, Forcing{}, optionsFor(scheme, precision));
      sim.setDepths(moundOfWater(d, 1.5));
      double lowest = 0.0;
      for (int k = 0; k < 400; ++k) {
        sim.step(1e9);
        const auto h = sim.depths();
        lowest = std::min(lowest, *std::min_element(h.begin(), h.end()));
      }
      const MassBalance& m = sim.massBalance();
      double stored = 0.0;
      for (double h : sim.depths()) stored += h * d.cellSize * d.cellSize;
      const double relative = std::abs(stored - m.initialVolume) / m.initialVolume;
      const std::string label = nameOf(scheme) + (precision == Precision::Double ? " double" : " float");
      MESSAGE(label << ": relative mass change "
                             << relative << " after 400 steps, bookkept error " << m.relativeError());
      CHECK(lowest >= 0.0);
      if (precision == Precision::Double)
        CHECK(relative < 1e-9);
      else
        CHECK(relative < 1e-5);
      CHECK(std::abs(m.relativeError()) < (precision == Precision::Double ? 1e-9 : 1e-5));
    }
  }
}

TEST_CASE("a lake at rest over uneven ground stays at rest") {
  for (Scheme scheme : {Scheme::LocalInertial, Scheme::FiniteVolume}) {
    const Domain d = bumpyDomain(30, 20);
    std::vector<double> h(d.cellCount());
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = std::max(0.0, 101.0 - d.elevation[i]);
    Simulation sim(d, Forcing{}, optionsFor(scheme, Precision::Double));
    sim.setDepths(h);
    sim.advanceTo(60.0);
    const auto after = sim.depths();
    double worst = 0.0;
    for (std::size_t i = 0; i < h.size(); ++i) worst = std::max(worst, std::abs(after[i] - h[i]));
    const auto speeds = sim.speeds();
    MESSAGE(nameOf(scheme) << ": largest depth change " << worst << " m");
    CHECK(worst < 1e-9);
    CHECK(*std::max_element(speeds.begin(), speeds.end()) < 1e-9);
  }
}

namespace {

// A bowl 800 m x 600 m at 10 m cells, 30 m deep from rim to bottom, with grid-scale bumps of 0.3 m: a
// deep pond whose bed is uneven from cell to cell, as DEMs are.
Domain bowl() {
  Domain d;
  d.columns = 80;
  d.rows = 60;
  d.cellSize = 10.0;
  d.north = 600.0;
  d.uniformManning = 0.035;
  d.elevation.resize(d.cellCount());
  for (std::size_t r = 0; r < d.rows; ++r)
    for (std::size_t c = 0; c < d.columns; ++c) {
      const double x = (static_cast<double>(c) + 0.5) / static_cast<double>(d.columns) - 0.5;
      const double y = (static_cast<double>(r) + 0.5) / static_cast<double>(d.rows) - 0.5;
      d.elevation[r * d.columns + c] =
          50.0 + 60.0 * (x * x + y * y) +
          0.3 * std::sin(0.9 * static_cast<double>(c)) * std::cos(0.7 * static_cast<double>(r));
    }
  return d;
}

// The grid-scale roughness of the water surface: the largest |eta - mean eta of the four neighbours|
// over cells that are, with their four neighbours, deeper than 0.5 m. A checkerboard of amplitude a
// reads 2a; a smooth surface reads its curvature times dx^2 (well under a millimetre here).
double checkerboard(const Domain& d, const std::vector<double>& h) {
  double worst = 0.0;
  for (std::size_t r = 1; r + 1 < d.rows; ++r)
    for (std::size_t c = 1; c + 1 < d.columns; ++c) {
      const std::size_t i = r * d.columns + c;
      bool deep = h[i] > 0.5;
      double sum = 0.0;
      for (std::size_t j : {i - 1, i + 1, i - d.columns, i + d.columns}) {
        deep = deep && h[j] > 0.5;
        sum += d.elevation[j] + h[j];
      }
      if (deep) worst = std::max(worst, std::abs(d.elevation[i] + h[i] - 0.25 * sum));
    }
  return worst;
}

std::vector<double> pondAtLevel(const Domain& d, double level) {
  std::vector<double> h(d.cellCount());
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = std::max(0.0, level - d.elevation[i]);
  return h;
}

}  // namespace

TEST_CASE("a deep pond at rest stays at rest with the adaptive step: no checkerboard") {
  // 13 m of water over an uneven bed. The adaptive step runs the deepest cells at the Courant limit,
  // where the local-inertial scheme leaves a checkerboard undamped; outputs every 300 s cut steps short.
  // Float round-off of z + h over the bumps (and, in double, a 0.1 mm disturbance) seeds the mode.
  // Bound: the surface stays flat within 1 mm and the water still within 1 mm/s for an hour (before the
  // damping, float reached 1 cm after 35 minutes and blew up to 13 m waves in 45).
  const Domain d = bowl();
  for (Precision precision : {Precision::Single, Precision::Double})
    for (double theta : {1.0, 0.7}) {
      CAPTURE(theta);
      CAPTURE(precision == Precision::Double);
      SimulationOptions o = optionsFor(Scheme::LocalInertial, precision);
      o.maxTimeStep = 10.0;
      o.theta = theta;
      Simulation sim(d, Forcing{}, o);
      std::vector<double> h = pondAtLevel(d, 63.0);
      for (std::size_t i = 0; i < h.size(); ++i)
        if (h[i] > 0) h[i] += 1e-4 * (static_cast<double>((i * 2654435761u) % 1000) / 1000.0 - 0.5);
      sim.setDepths(h);
      double roughest = 0.0, fastest = 0.0;
      for (int k = 1; k <= 12; ++k) {
        sim.advanceTo(300.0 * k);
        const std::vector<double> now = sim.depths();
        const std::vector<double> speeds = sim.speeds();
        roughest = std::max(roughest, checkerboard(d, now));
        fastest = std::max(fastest, *std::max_element(speeds.begin(), speeds.end()));
      }
      const std::string label = std::string(precision == Precision::Double ? "double" : "float") +
                                ", theta " + std::to_string(theta);
      MESSAGE(label << ": " << sim.stepInfo().steps << " steps, surface roughness " << roughest
                    << " m, fastest " << fastest << " m/s");
      CHECK(roughest < 1e-3);
      CHECK(fastest < 1e-3);
    }
}

TEST_CASE(
    "a pond filling slowly under rain rises smoothly: no checkerboard, mass conserved, level never falls") {
  // 80 mm/h on the bowl around a 2 m pond for an hour: thin films run down the bumpy slopes (their
  // advective step limit changes from step to step) into a pond that rises by ~0.6 m. Before the damping
  // a checkerboard of over a metre grew within 15 minutes.
  const Domain d = bowl();
  Forcing forcing;
  forcing.rainfall.uniform = TimeSeries::constant(80.0);
  for (Precision precision : {Precision::Single, Precision::Double}) {
    CAPTURE(precision == Precision::Double);
    SimulationOptions o = optionsFor(Scheme::LocalInertial, precision);
    o.maxTimeStep = 10.0;
    Simulation sim(d, forcing, o);
    sim.setDepths(pondAtLevel(d, 52.0));
    const std::size_t bottom = static_cast<std::size_t>(
        std::min_element(d.elevation.begin(), d.elevation.end()) - d.elevation.begin());
    double roughest = 0.0, level = d.elevation[bottom] + sim.depthAt(bottom), largestFall = 0.0;
    for (int k = 1; k <= 12; ++k) {
      sim.advanceTo(300.0 * k);
      roughest = std::max(roughest, checkerboard(d, sim.depths()));
      const double now = d.elevation[bottom] + sim.depthAt(bottom);
      largestFall = std::max(largestFall, level - now);
      level = now;
    }
    const double massError = std::abs(sim.massBalance().relativeError());
    const std::string label = precision == Precision::Double ? "double" : "float";
    MESSAGE(label << ": surface roughness " << roughest << " m, pond level " << level
                  << " m, largest fall between outputs " << largestFall << " m, relative mass error "
                  << massError);
    CHECK(roughest < 1e-2);
    CHECK(largestFall < 1e-3);
    CHECK(level > 52.5);
    CHECK(massError < (precision == Precision::Double ? 1e-12 : 1e-5));
  }
}

TEST_CASE("results are bit-identical for 1 and 2 threads") {
  for (Scheme scheme : {Scheme::LocalInertial, Scheme::FiniteVolume}) {
    Domain d = bumpyDomain(64, 40);
    Forcing forcing;
    forcing.rainfall.uniform = TimeSeries{{0.0, 100.0}, {80.0, 20.0}};
    EdgeBoundary outlet;
    outlet.edge = Edge::East;
    outlet.from = -1e9;
    outlet.to = 1e9;
    outlet.type = BoundaryType::Free;
    forcing.edges.push_back(outlet);
    std::vector<std::vector<double>> results;
    for (int threads : {1, 2}) {
      Simulation sim(d, forcing, optionsFor(scheme, Precision::Single, threads));
      sim.setDepths(moundOfWater(d, 0.8));
      sim.advanceTo(40.0);
      results.push_back(sim.depths());
    }
    CHECK(results[0] == results[1]);
  }
}

TEST_CASE("local inertial: kernel variants are thread-independent; a uniform n raster equals uniform n") {
  // 67 columns: the vector loops leave a remainder, which must give the same bits as the lanes.
  Domain uniform = bumpyDomain(67, 23);
  uniform.uniformManning = 0.03125;  // n and n^2 exact in float, so both kernels see the same n^2
  Domain raster = uniform;
  raster.manning.assign(raster.cellCount(), static_cast<float>(uniform.uniformManning));
  Domain varied = uniform;
  varied.manning.resize(varied.cellCount());
  for (std::size_t i = 0; i < varied.cellCount(); ++i) varied.manning[i] = i % 5 == 0 ? 0.015f : 0.04f;
  Forcing forcing;
  forcing.rainfall.zoneSeries = {TimeSeries::constant(30.0), TimeSeries::constant(90.0)};
  forcing.rainfall.zone.resize(uniform.cellCount());
  for (std::size_t i = 0; i < uniform.cellCount(); ++i) forcing.rainfall.zone[i] = (i % 67) < 30 ? 0 : 1;
  auto run = [&](const Domain& d, double theta, Precision precision, int threads) {
    SimulationOptions o = optionsFor(Scheme::LocalInertial, precision, threads);
    o.theta = theta;
    Simulation sim(d, forcing, o);
    sim.setDepths(moundOfWater(d, 0.8));
    sim.advanceTo(10.0);
    if (precision == Precision::Double) CHECK(std::abs(sim.massBalance().relativeError()) < 1e-12);
    return sim.depths();
  };
  for (Precision precision : {Precision::Single, Precision::Double})
    for (double theta : {1.0, 0.7})
      for (const Domain* d : {&uniform, &varied}) {
        CAPTURE(theta);
        CHECK(run(*d, theta, precision, 1) == run(*d, theta, precision, 2));
      }
  CHECK(run(uniform, 1.0, Precision::Single, 1) == run(raster, 1.0, Precision::Single, 1));
  // The AVX2 build of the row loops (where the CPU has it) gives the same bits as the x86-64 baseline.
  for (Precision precision : {Precision::Single, Precision::Double})
    for (double theta : {1.0, 0.7}) {
      const std::vector<double> automatic = run(varied, theta, precision, 2);
      ::setenv("CITYTWIN_FLOOD_KERNELS", "baseline", 1);
      const std::vector<double> baseline = run(varied, theta, precision, 2);
      ::unsetenv("CITYTWIN_FLOOD_KERNELS");
      CHECK(automatic == baseline);
    }
  CHECK(run(uniform, 1.0, Precision::Single, 1) != run(varied, 1.0, Precision::Single, 1));
}

TEST_CASE("boundaries: fixed inflow adds exactly q * width * t; a free edge lets water out; a fixed level fills") {
  for (Scheme scheme : {Scheme::LocalInertial, Scheme::FiniteVolume}) {
    const Domain d = flatDomain(40, 6, 2.0, 0.03);
    Forcing forcing;
    EdgeBoundary inflow;
    inflow.edge = Edge::West;
    inflow.from = 0.0;
    inflow.to = 12.0;
    inflow.type = BoundaryType::FixedFlow;
    inflow.value = 0.1;  // m2/s over 12 m
    forcing.edges.push_back(inflow);
    Simulation sim(d, forcing, optionsFor(scheme, Precision::Double));
    sim.setDepths(std::vector<double>(d.cellCount(), 0.0));
    sim.advanceTo(100.0);
    const MassBalance& m = sim.massBalance();
    CHECK(m.boundaryInflow == doctest::Approx(0.1 * 12.0 * 100.0).epsilon(1e-9));
    CHECK(m.volume == doctest::Approx(m.boundaryInflow).epsilon(1e-9));

    Forcing outflow;
    EdgeBoundary free;
    free.edge = Edge::East;
    free.from = -1e9;
    free.to = 1e9;
    free.type = BoundaryType::Free;
    free.value = 0.01;
    outflow.edges.push_back(free);
    Simulation draining(d, outflow, optionsFor(scheme, Precision::Double));
    draining.setDepths(std::vector<double>(d.cellCount(), 0.5));
    draining.advanceTo(120.0);
    CHECK(draining.massBalance().boundaryOutflow > 0.0);
    CHECK(draining.massBalance().volume < draining.massBalance().initialVolume);
    CHECK(std::abs(draining.massBalance().relativeError()) < 1e-9);

    Forcing level;
    EdgeBoundary fixed;
    fixed.edge = Edge::North;
    fixed.from = -1e9;
    fixed.to = 1e9;
    fixed.type = BoundaryType::FixedLevel;
    fixed.value = 10.3;
    level.edges.push_back(fixed);
    Simulation filling(d, level, optionsFor(scheme, Precision::Double));
    filling.setDepths(std::vector<double>(d.cellCount(), 0.0));
    filling.advanceTo(300.0);
    // The basin fills to the boundary level (local inertial sloshes about it, so compare the mean).
    const double meanDepth = filling.massBalance().volume / (d.cellCount() * d.cellSize * d.cellSize);
    CHECK(meanDepth == doctest::Approx(0.3).epsilon(0.1));
    CHECK(std::abs(filling.massBalance().relativeError()) < 1e-9);
  }
}

TEST_CASE("rain, constant and Green-Ampt infiltration, drainage and point sources are accounted for") {
  for (Scheme scheme : {Scheme::LocalInertial, Scheme::FiniteVolume}) {
    const Domain d = flatDomain(10, 8, 5.0, 0.03);
    Forcing forcing;
    forcing.rainfall.uniform = TimeSeries::constant(36.0);  // 1e-5 m/s
    forcing.infiltration.constantMmPerHour = 7.2;           // 2e-6 m/s
    forcing.drainageMmPerHour.assign(d.cellCount(), 0.0f);
    forcing.drainageMmPerHour[0] = 3600.0f;                 // one gully draining 1 mm/s
    Simulation sim(d, forcing, optionsFor(scheme, Precision::Double));
    sim.setDepths(std::vector<double>(d.cellCount(), 0.0));
    sim.advanceTo(600.0);
    const MassBalance& m = sim.massBalance();
    const double area = d.cellCount() * d.cellSize * d.cellSize;
    CHECK(m.rainfall == doctest::Approx(1e-5 * 600.0 * area).epsilon(1e-9));
    CHECK(m.infiltration > 0.0);
    CHECK(m.infiltration <= 2e-6 * 600.0 * area * (1 + 1e-9));
    CHECK(m.drainage > 0.0);
    CHECK(std::abs(m.relativeError()) < 1e-9);

    Forcing soil;
    soil.rainfall.uniform = TimeSeries::constant(50.0);
    soil.infiltration.greenAmpt = true;
    soil.infiltration.conductivityMmPerHour = 10.0;
    PointBoundary spring;
    spring.x = 20.0;
    spring.y = 20.0;
    spring.type = BoundaryType::FixedFlow;
    spring.value = 0.01;
    soil.points.push_back(spring);
    Simulation wet(d, soil, optionsFor(scheme, Precision::Double));
    wet.setDepths(std::vector<double>(d.cellCount(), 0.0));
    wet.advanceTo(1200.0);
    const MassBalance& w = wet.massBalance();
    CHECK(w.pointInflow == doctest::Approx(0.01 * 1200.0).epsilon(1e-9));
    CHECK(w.infiltration > 0.0);
    CHECK(std::abs(w.relativeError()) < 1e-9);
  }
}

TEST_CASE("maxima, hazard and first wetting follow the water; snapshots restore exactly") {
  for (Scheme scheme : {Scheme::LocalInertial, Scheme::FiniteVolume}) {
    const Domain d = bumpyDomain(40, 20);
    Simulation sim(d, Forcing{}, optionsFor(scheme, Precision::Single));
    sim.setDepths(moundOfWater(d, 1.0));
    sim.advanceTo(10.0);
    const auto bytes = sim.snapshot();
    sim.advanceTo(30.0);
    const auto reference = sim.depths();
    const auto& maxDepth = sim.maxDepth();
    const auto& first = sim.firstWettingTime();
    CHECK(*std::max_element(maxDepth.begin(), maxDepth.end()) >= 1.0f);
    CHECK(*std::max_element(sim.maxHazard().begin(), sim.maxHazard().end()) >= 0.5f);
    CHECK(first[10 * d.columns + 12] == 0.0f);  // in the initial mound
    CHECK(*std::max_element(first.begin(), first.end()) > 0.0f);  // something was reached later

    Simulation again(d, Forcing{}, optionsFor(scheme, Precision::Single));
    again.restore(bytes);
    CHECK(again.time() == doctest::Approx(10.0));
    again.advanceTo(30.0);
    CHECK(again.depths() == reference);
    CHECK_THROWS_AS(again.restore(std::vector<std::uint8_t>(10, 0)), citytwin::Error);
  }
}

TEST_CASE("local inertial: maxima tracked inside the depth update equal a separate pass") {
  // A point source of zero flow changes no depth but makes the engine track the maxima after the
  // sources, in a pass of its own; the results must be the same bits.
  const Domain d = bumpyDomain(67, 23);
  Forcing plain;
  plain.rainfall.uniform = TimeSeries::constant(40.0);
  Forcing withSource = plain;
  PointBoundary zero;
  zero.x = d.cellCentreX(3);
  zero.y = d.cellCentreY(3);
  zero.type = BoundaryType::FixedFlow;
  zero.value = 0.0;
  withSource.points.push_back(zero);
  for (Precision precision : {Precision::Single, Precision::Double}) {
    Simulation fused(d, plain, optionsFor(Scheme::LocalInertial, precision, 2));
    Simulation separate(d, withSource, optionsFor(Scheme::LocalInertial, precision, 1));
    for (Simulation* sim : {&fused, &separate}) {
      sim->setDepths(moundOfWater(d, 0.8));
      sim->advanceTo(30.0);
    }
    CHECK(fused.depths() == separate.depths());
    CHECK(fused.maxDepth() == separate.maxDepth());
    CHECK(fused.maxSpeed() == separate.maxSpeed());
    CHECK(fused.maxHazard() == separate.maxHazard());
    CHECK(fused.firstWettingTime() == separate.firstWettingTime());
    CHECK(*std::max_element(fused.maxSpeed().begin(), fused.maxSpeed().end()) > 0.1f);
  }
}

TEST_CASE("bad set-ups are reported as errors") {
  Domain d = flatDomain(10, 5);
  d.elevation[3] = std::nan("");
  CHECK_THROWS_AS(Simulation(d, Forcing{}, SimulationOptions{}), citytwin::Error);
  Domain ok = flatDomain(10, 5);
  Forcing forcing;
  PointBoundary outside;
  outside.x = -50.0;
  forcing.points.push_back(outside);
  CHECK_THROWS_AS(Simulation(ok, forcing, SimulationOptions{}), citytwin::Error);
  Simulation sim(ok, Forcing{}, SimulationOptions{});
  CHECK_THROWS_AS(sim.setDepths(std::vector<double>(3, 0.0)), citytwin::Error);
  // Theta below 0.5 flips a checkerboard's discharge every step: no time step keeps it bounded.
  SimulationOptions lowTheta;
  lowTheta.theta = 0.3;
  CHECK_THROWS_WITH_AS(Simulation(ok, Forcing{}, lowTheta), "flood: theta must lie in [0.5, 1]",
                       citytwin::Error);
}
