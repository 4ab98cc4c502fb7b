#pragma once

#include <string>
#include <vector>

#include "citytwin/core/value.hpp"
#include "citytwin/flood/city_grid.hpp"
#include "citytwin/flood/simulation.hpp"
#include "citytwin/flood/time_series.hpp"

namespace citytwin::flood {

struct FloodInflow {
  std::string name;
  std::vector<double> xs;  // one point: a point source; several: a line inflow
  std::vector<double> ys;
  TimeSeries discharge;  // m3/s
};

struct FloodGauge {
  std::string name;
  double x = 0.0;
  double y = 0.0;
};

// The scenario's [flood] table (every key is documented in models/flood/README.md).
struct FloodParameters {
  CityGridOptions grid;
  SimulationOptions solver;
  TimeSeries rain;            // mm/h, uniform
  bool useRainGauges = true;  // RainGauge sensor values (mm/h) replace `rain` in each gauge's zone
  // RiverGauge sensor values at the start (stage, m; e.g. from live observations) fill the river around
  // each gauge, within this reach, as the initial water.
  bool useRiverLevels = true;
  double riverLevelReachM = 2000.0;
  Infiltration infiltration;
  double drainageMmPerHour = 0.0;  // sewer capacity on every open cell
  double roofDrainageMmPerHour = 0.0;  // roof gutters and downpipes; the rest runs off onto the street
  TimeSeries seaLevel = TimeSeries::constant(0.0);  // m, the fixed level of the sea cells (tide series)
  bool freeOutflow = true;         // domain edges let water out (else walls)
  std::vector<FloodInflow> inflows;
  std::vector<FloodGauge> gauges;
  double floodedDepthM = 0.1;     // counted in flooded_area_m2
  double impassableDepthM = 0.3;  // road links counted in impassable_links, buildings in buildings_over_0_3m
  double gaugeIntervalS = 300.0;
  // Depth and speed rasters kept every this many whole seconds from t = 0 (0 keeps none): the
  // viewer animates the water from them.
  double snapshotIntervalS = 600.0;
};

// Throws InputError naming the scenario file, line and key for any bad or unknown key.
FloodParameters readFloodParameters(const Value& table, const std::string& file);

// A "[[t, v], ...]" array as a series; `what` names the key for errors.
TimeSeries readSeries(const Value& node, const std::string& file, const std::string& key);

}  // namespace citytwin::flood
