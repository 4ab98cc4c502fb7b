#include "citytwin/flood/flood_parameters.hpp"

#include <algorithm>
#include <optional>

#include "citytwin/core/error.hpp"
#include "citytwin/core/value_reader.hpp"
#include "citytwin/sim/time_text.hpp"

namespace citytwin::flood {
namespace {

InputLocation at(const Value& node, const std::string& file, const std::string& key) {
  return {file, node.line(), key};
}

double numberIn(const Value& node, const std::string& file, const std::string& key) {
  if (node.isNumber()) return node.asNumber();
  throw InputError(at(node, file, key), "expected a number, found " + describeType(node));
}

void readPoints(const ValueReader& reader, FloodInflow& inflow) {
  auto list = [&](const std::string& key, std::vector<double>& out) {
    const Value* node = reader.node(key);
    if (node == nullptr) reader.fail(key, "missing; give a coordinate or a list of coordinates");
    if (node->isArray()) {
      for (const Value& v : node->items())
        out.push_back(numberIn(v, reader.file(), reader.qualified(key)));
    } else {
      out.push_back(numberIn(*node, reader.file(), reader.qualified(key)));
    }
  };
  list("x", inflow.xs);
  list("y", inflow.ys);
  if (inflow.xs.size() != inflow.ys.size() || inflow.xs.empty())
    reader.fail("y", "x and y need the same number of coordinates");
}

}  // namespace

TimeSeries readSeries(const Value& node, const std::string& file, const std::string& key) {
  if (!node.isArray()) throw InputError(at(node, file, key), "expected [[time_s, value], ...]");
  TimeSeries series;
  for (const Value& pair : node.items()) {
    if (!pair.isArray() || pair.size() != 2) throw InputError(at(pair, file, key), "expected a pair [time_s, value]");
    const double t = numberIn(pair.items()[0], file, key), v = numberIn(pair.items()[1], file, key);
    if (!series.times.empty() && t < series.times.back())
      throw InputError(at(pair, file, key), "times must not decrease");
    series.times.push_back(t);
    series.values.push_back(v);
  }
  if (series.empty()) throw InputError(at(node, file, key), "expected at least one [time_s, value] pair");
  return series;
}

FloodParameters readFloodParameters(const Value& table, const std::string& file) {
  ValueReader reader(table, file, "flood.");
  FloodParameters p;
  auto positive = [&](const std::string& key, double fallback, bool allowZero = false) {
    const double v = reader.optionalNumber(key).value_or(fallback);
    if (!(allowZero ? v >= 0 : v > 0))
      reader.fail(key, allowZero ? "must not be negative" : "must be positive");
    return v;
  };
  p.grid.cellSizeM = positive("cell_size_m", 0.0, true);
  p.grid.groundManning = positive("manning", 0.035, true);
  p.grid.roadManning = positive("manning_road", 0.015, true);
  p.grid.roadWidthM = positive("road_width_m", 8.0, true);
  p.grid.blockBuildings = reader.optionalBool("block_buildings").value_or(true);
  p.grid.buildingCoverToBlock = reader.optionalNumber("building_cover_to_block").value_or(0.5);
  if (!(p.grid.buildingCoverToBlock >= 0 && p.grid.buildingCoverToBlock < 1))
    reader.fail("building_cover_to_block", "must lie in [0, 1)");
  p.grid.keepStreetsOpen = reader.optionalBool("keep_streets_open").value_or(true);
  p.grid.kerbHeightM = positive("kerb_height_m", 0.0, true);
  p.grid.burnWaterways = reader.optionalBool("burn_waterways").value_or(true);
  p.grid.buildingDamDepthM = reader.optionalNumber("building_dam_depth_m").value_or(0.3);
  if (reader.has("sea_level_m") && reader.has("sea_level_series"))
    reader.fail("sea_level_series", "give either sea_level_m or sea_level_series, not both");
  p.seaLevel = TimeSeries::constant(reader.optionalNumber("sea_level_m").value_or(0.0));
  if (const Value* series = reader.node("sea_level_series"))
    p.seaLevel = readSeries(*series, file, reader.qualified("sea_level_series"));
  p.grid.seaLevelM = *std::min_element(p.seaLevel.values.begin(), p.seaLevel.values.end());
  const std::string scheme = reader.optionalString("scheme").value_or("local_inertial");
  if (scheme == "local_inertial")
    p.solver.scheme = Scheme::LocalInertial;
  else if (scheme == "finite_volume")
    p.solver.scheme = Scheme::FiniteVolume;
  else
    reader.fail("scheme", "expected \"local_inertial\" or \"finite_volume\"");
  const std::string precision = reader.optionalString("precision").value_or("float");
  if (precision == "float")
    p.solver.precision = Precision::Single;
  else if (precision == "double")
    p.solver.precision = Precision::Double;
  else
    reader.fail("precision", "expected \"float\" or \"double\"");
  p.solver.theta = reader.optionalNumber("theta").value_or(1.0);
  if (p.solver.theta < 0 || p.solver.theta > 1) reader.fail("theta", "must lie in [0, 1]");
  p.solver.cfl = positive("cfl", 0.0, true);
  p.solver.maxTimeStep = positive("max_time_step_s", 10.0);
  p.solver.threads = static_cast<int>(reader.optionalInteger("threads").value_or(0));
  if (p.solver.threads < 0) reader.fail("threads", "must not be negative");
  if (reader.has("rain_mm_per_h") && reader.has("rain_series"))
    reader.fail("rain_series", "give either rain_mm_per_h or rain_series, not both");
  if (const auto rate = reader.optionalNumber("rain_mm_per_h")) {
    if (*rate < 0) reader.fail("rain_mm_per_h", "must not be negative");
    p.rain = TimeSeries::constant(*rate);
  }
  if (const Value* series = reader.node("rain_series"))
    p.rain = readSeries(*series, file, reader.qualified("rain_series"));
  // Gauges drive the rain by default only when the scenario gives none: a state column created by
  // another model reads 0 before any observation arrives, which must not cancel a design storm.
  p.useRainGauges = reader.optionalBool("use_rain_gauges").value_or(p.rain.empty());
  p.useRiverLevels = reader.optionalBool("use_river_levels").value_or(true);
  p.riverLevelReachM = positive("river_level_reach_m", p.riverLevelReachM, false);
  p.infiltration.constantMmPerHour = positive("infiltration_mm_per_h", 0.0, true);
  if (const Value* ga = reader.optionalTable("green_ampt")) {
    ValueReader g(*ga, file, "flood.green_ampt.");
    p.infiltration.greenAmpt = true;
    p.infiltration.conductivityMmPerHour = g.requireNumber("conductivity_mm_per_h");
    p.infiltration.suctionHeadM = g.optionalNumber("suction_head_m").value_or(0.11);
    p.infiltration.moistureDeficit = g.optionalNumber("moisture_deficit").value_or(0.3);
    if (p.infiltration.conductivityMmPerHour < 0 || p.infiltration.suctionHeadM < 0 ||
        p.infiltration.moistureDeficit < 0)
      g.fail("conductivity_mm_per_h", "Green-Ampt parameters must not be negative");
    g.rejectUnknownKeys("conductivity_mm_per_h, suction_head_m, moisture_deficit");
  }
  p.drainageMmPerHour = positive("drainage_mm_per_h", 0.0, true);
  p.roofDrainageMmPerHour = positive("roof_drainage_mm_per_h", p.drainageMmPerHour, true);
  const std::string boundary = reader.optionalString("boundary").value_or("free");
  if (boundary == "free")
    p.freeOutflow = true;
  else if (boundary == "closed")
    p.freeOutflow = false;
  else
    reader.fail("boundary", "expected \"free\" or \"closed\"");
  p.grid.freeEdges = p.freeOutflow;
  if (const Value* inflows = reader.optionalArray("inflow")) {
    std::size_t k = 0;
    for (const Value& node : inflows->items()) {
      const std::string prefix = "flood.inflow[" + std::to_string(++k) + "].";
      if (!node.isTable())
        throw InputError(at(node, file, prefix), "expected a table {name, x, y, discharge_m3s | series}");
      ValueReader r(node, file, prefix);
      FloodInflow inflow;
      inflow.name = r.optionalString("name").value_or("inflow" + std::to_string(k));
      readPoints(r, inflow);
      if (const auto q = r.optionalNumber("discharge_m3s"))
        inflow.discharge = TimeSeries::constant(*q);
      else if (const Value* s = r.node("series"))
        inflow.discharge = readSeries(*s, file, r.qualified("series"));
      else
        r.fail("discharge_m3s", "missing; give discharge_m3s or series = [[time_s, m3_per_s], ...]");
      r.rejectUnknownKeys("name, x, y, discharge_m3s, series");
      p.inflows.push_back(std::move(inflow));
    }
  }
  if (const Value* gauges = reader.optionalArray("gauge")) {
    std::size_t k = 0;
    for (const Value& node : gauges->items()) {
      const std::string prefix = "flood.gauge[" + std::to_string(++k) + "].";
      if (!node.isTable()) throw InputError(at(node, file, prefix), "expected a table {name, x, y}");
      ValueReader r(node, file, prefix);
      FloodGauge gauge;
      gauge.name = r.optionalString("name").value_or("gauge" + std::to_string(k));
      gauge.x = r.requireNumber("x");
      gauge.y = r.requireNumber("y");
      r.rejectUnknownKeys("name, x, y");
      p.gauges.push_back(std::move(gauge));
    }
  }
  p.floodedDepthM = positive("flooded_depth_m", 0.1);
  p.impassableDepthM = positive("impassable_depth_m", 0.3);
  p.gaugeIntervalS = positive("gauge_interval_s", 300.0);
  if (const Value* node = reader.node("snapshot_interval")) {
    std::optional<sim::SimTime> interval;
    if (node->isString()) interval = sim::parseDuration(node->asString());
    if (node->isInteger() && node->asInteger() == 0) interval = 0;
    if (!interval || *interval < 0)
      reader.fail("snapshot_interval", "expected a duration such as \"10m\", or 0 for no snapshots");
    // Snapshot rasters are named by whole seconds (depth-600.tif).
    if (*interval % sim::kSecond != 0) reader.fail("snapshot_interval", "must be a whole number of seconds");
    p.snapshotIntervalS = static_cast<double>(*interval / sim::kSecond);
  }
  reader.rejectUnknownKeys();
  return p;
}

}  // namespace citytwin::flood
