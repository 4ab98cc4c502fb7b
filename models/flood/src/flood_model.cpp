#include "citytwin/flood/flood_model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/byte_buffer.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/value_reader.hpp"
#include "citytwin/flood/observed_levels.hpp"
#include "flood_kpi_definitions.hpp"

namespace citytwin::flood {
namespace {

std::vector<double> coordinates(const ValueReader& reader, const std::string& key) {
  std::vector<double> values;
  const Value* list = reader.optionalArray(key);
  if (list == nullptr) reader.fail(key, "missing; expected a list of coordinates");
  for (const Value& v : list->items()) {
    if (!v.isNumber()) throw InputError(reader.locationOf(v, key), "expected a number, found " + describeType(v));
    values.push_back(v.asNumber());
  }
  return values;
}

geo::Polyline polylineOf(const ValueReader& reader, std::size_t minimum) {
  const std::vector<double> xs = coordinates(reader, "x"), ys = coordinates(reader, "y");
  if (xs.size() != ys.size()) reader.fail("y", "x and y need the same number of coordinates");
  if (xs.size() < minimum) reader.fail("x", "needs at least " + std::to_string(minimum) + " points");
  geo::Polyline line;
  for (std::size_t i = 0; i < xs.size(); ++i) line.push_back({xs[i], ys[i]});
  return line;
}

TimeSeries window(double rate, double start, double end) {
  return TimeSeries{{start, start, end, end}, {0.0, rate, rate, 0.0}};
}

double meanRate(const TimeSeries& series, double t0, double t1) {
  return series.empty() ? 0.0 : series.integral(t0, t1) / (t1 - t0);
}

}  // namespace

FloodModel::FloodModel() = default;
FloodModel::~FloodModel() = default;

sim::ModelDescription FloodModel::describe() const {
  sim::ModelDescription d;
  d.name = "flood";
  // Rain and river gauges' live readings, when a feed provides them.
  d.reads = {{city::columns::kSensorValue, sim::ReadNeed::Optional}};
  d.writes = {city::columns::kRoadLinkFloodDepth, city::columns::kBuildingFloodDepth,
              city::columns::kSubstationFloodDepth};
  d.preferredStep = 60 * sim::kSecond;
  d.canSnapshot = true;
  d.interventionKinds = {"add_rainfall", "change_inflow", "raise_line", "drainage_area"};
  d.kpis = floodKpiDefinitions();
  return d;
}

void FloodModel::initialise(const sim::ModelContext& context, city::CityState& state) {
  parameters_ = readFloodParameters(context.parameters, context.scenarioFile);
  grid_ = buildCityGrid(context.city, parameters_.grid);
  epsg_ = context.city.crsEpsg;
  extraRain_.clear();
  applyInterventions(context);

  Domain& d = grid_.domain;
  Forcing forcing;
  if (parameters_.freeOutflow)
    for (Edge edge : {Edge::North, Edge::South, Edge::East, Edge::West})
      forcing.edges.push_back({edge,
                               -std::numeric_limits<double>::max(),
                               std::numeric_limits<double>::max(),
                               BoundaryType::Free,
                               0.0,
                               {}});
  for (const FloodInflow& inflow : parameters_.inflows) {
    if (inflow.xs.size() == 1) {
      PointBoundary p;
      p.x = inflow.xs[0];
      p.y = inflow.ys[0];
      p.type = BoundaryType::Flow;
      p.series = inflow.discharge;
      forcing.points.push_back(std::move(p));
    } else {
      forcing.lines.push_back({inflow.xs, inflow.ys, inflow.discharge});
    }
  }
  // The sea: a fixed level (or tide series) at every sea cell that touches open land.
  for (std::size_t i : grid_.seaBoundaryCells) {
    PointBoundary p;
    p.x = d.cellCentreX(i % d.columns);
    p.y = d.cellCentreY(i / d.columns);
    p.type = BoundaryType::Level;
    p.series = parameters_.seaLevel;
    forcing.points.push_back(std::move(p));
  }
  // Roof run-off: one point source per outlet cell, its discharge set each step from the rain.
  roofPointStart_ = forcing.points.size();
  for (const RoofDrain& roof : grid_.roofs)
    for (std::size_t i : roof.outletCells) {
      PointBoundary p;
      p.x = d.cellCentreX(i % d.columns);
      p.y = d.cellCentreY(i / d.columns);
      p.type = BoundaryType::FixedFlow;
      forcing.points.push_back(std::move(p));
    }
  roofRunoffM3_ = roofDrainedM3_ = 0.0;
  forcing.infiltration = parameters_.infiltration;
  if (!drainage_.empty()) forcing.drainageMmPerHour = drainage_;
  // Rain gauges split the city into Thiessen zones; each zone takes its gauge's reading.
  rainGauges_.clear();
  if (parameters_.useRainGauges)
    for (std::size_t s = 0; s < context.city.sensors.size(); ++s)
      if (context.city.sensors[s].type == "RainGauge") rainGauges_.push_back(s);
  if (!rainGauges_.empty()) {
    forcing.rainfall.zone.resize(d.cellCount());
    for (std::size_t r = 0; r < d.rows; ++r)
      for (std::size_t c = 0; c < d.columns; ++c) {
        double best = std::numeric_limits<double>::infinity();
        unsigned short zone = 0;
        for (std::size_t k = 0; k < rainGauges_.size(); ++k) {
          const geo::Vec2 p = context.city.sensors[rainGauges_[k]].position;
          const double dist = std::hypot(p.x - d.cellCentreX(c), p.y - d.cellCentreY(r));
          if (dist < best) {
            best = dist;
            zone = static_cast<unsigned short>(k);
          }
        }
        forcing.rainfall.zone[r * d.columns + c] = zone;
      }
    forcing.rainfall.zoneSeries.assign(rainGauges_.size(), TimeSeries::constant(0.0));
  } else {
    forcing.rainfall.uniform = TimeSeries::constant(0.0);
  }
  SimulationOptions options = parameters_.solver;
  options.trackMaxima = true;
  simulation_ = std::make_unique<Simulation>(d, std::move(forcing), options);
  std::vector<double> initialDepths(d.cellCount(), 0.0);
  if (parameters_.useRiverLevels && state.has(city::columns::kSensorValue)) {
    const auto& values = state.column(city::columns::kSensorValue);
    std::vector<ObservedLevel> levels;
    for (std::size_t s = 0; s < context.city.sensors.size() && s < values.size(); ++s) {
      if (context.city.sensors[s].type == "RiverGauge" &&
          grid_.sensorCells[s] != std::numeric_limits<std::size_t>::max()) {
        levels.push_back({grid_.sensorCells[s], values[s]});
      }
    }
    initialWaterM3_ = fillToObservedLevels(d, levels, parameters_.riverLevelReachM, initialDepths);
  }
  simulation_->setDepths(initialDepths);

  gaugeCells_.clear();
  gaugeNames_.clear();
  for (const FloodGauge& g : parameters_.gauges) {
    std::size_t c = 0, r = 0;
    if (!d.cellAt(g.x, g.y, c, r))
      throw InputError({context.scenarioFile, 0, "flood.gauge"},
                       "gauge '" + g.name + "' lies outside the flood grid");
    gaugeCells_.push_back(r * d.columns + c);
    gaugeNames_.push_back(g.name);
  }
  for (std::size_t s = 0; s < context.city.sensors.size(); ++s)
    if (context.city.sensors[s].type == "RiverGauge" &&
        grid_.sensorCells[s] != std::numeric_limits<std::size_t>::max()) {
      gaugeCells_.push_back(grid_.sensorCells[s]);
      gaugeNames_.push_back(context.city.sensors[s].id);
    }
  gaugeRows_.clear();
  massRows_.clear();
  nextGaugeTime_ = 0.0;
  recordGauges();
  snapshots_.clear();
  nextSnapshotTime_ = parameters_.snapshotIntervalS > 0 ? 0.0 : std::numeric_limits<double>::infinity();
  recordSnapshot();
  state.column(city::columns::kRoadLinkFloodDepth, 0.0);
  state.column(city::columns::kBuildingFloodDepth, 0.0);
  state.column(city::columns::kSubstationFloodDepth, 0.0);
}

void FloodModel::applyInterventions(const sim::ModelContext& context) {
  Domain& d = grid_.domain;
  drainage_.clear();
  if (parameters_.drainageMmPerHour > 0)
    drainage_.assign(d.cellCount(), static_cast<float>(parameters_.drainageMmPerHour));
  const double runEnd = sim::toSeconds(context.end);
  for (const sim::Intervention& intervention : context.interventions) {
    ValueReader reader(intervention.parameters,
                           intervention.sourceFile.empty() ? context.scenarioFile : intervention.sourceFile,
                           "intervention.");
    reader.allow("kind");
    if (intervention.kind == "add_rainfall") {
      if (const Value* series = reader.node("series")) {
        extraRain_.push_back(readSeries(*series, reader.file(), reader.qualified("series")));
      } else {
        const double rate = reader.requireNumber("mm_per_h");
        const double start = reader.optionalNumber("start_s").value_or(0.0);
        const double end = reader.optionalNumber("end_s").value_or(std::max(runEnd, start));
        if (rate < 0) reader.fail("mm_per_h", "must not be negative");
        if (end < start) reader.fail("end_s", "must not come before start_s");
        extraRain_.push_back(window(rate, start, end));
      }
      reader.rejectUnknownKeys("mm_per_h, start_s, end_s, series");
    } else if (intervention.kind == "change_inflow") {
      const std::string name = reader.requireString("name");
      auto found = std::find_if(parameters_.inflows.begin(), parameters_.inflows.end(),
                                [&](const FloodInflow& f) { return f.name == name; });
      if (found == parameters_.inflows.end())
        reader.fail("name", "names no [[flood.inflow]] of the scenario");
      if (const auto factor = reader.optionalNumber("factor")) {
        for (double& v : found->discharge.values) v *= *factor;
      } else if (const auto q = reader.optionalNumber("discharge_m3s")) {
        found->discharge = TimeSeries::constant(*q);
      } else if (const Value* series = reader.node("series")) {
        found->discharge = readSeries(*series, reader.file(), reader.qualified("series"));
      } else {
        reader.fail("factor", "missing; give factor, discharge_m3s or series");
      }
      reader.rejectUnknownKeys("name, factor, discharge_m3s, series");
    } else if (intervention.kind == "raise_line") {
      const geo::Polyline line = polylineOf(reader, 2);
      const double height = reader.requireNumber("height_m");
      const double width = reader.optionalNumber("width_m").value_or(d.cellSize);
      if (height < 0) reader.fail("height_m", "must not be negative");
      if (!(width > 0)) reader.fail("width_m", "must be positive");
      reader.rejectUnknownKeys("x, y, height_m, width_m");
      // Wide enough that water cannot slip diagonally between two raised cells.
      const auto cells = cellsAlong(d, line, std::max(0.5 * width, 0.75 * d.cellSize));
      for (std::size_t i : cells) d.elevation[i] += height;
    } else if (intervention.kind == "drainage_area") {
      geo::Polygon polygon;
      polygon.outer = polylineOf(reader, 3);
      const double capacity = reader.requireNumber("capacity_mm_per_h");
      if (capacity < 0) reader.fail("capacity_mm_per_h", "must not be negative");
      reader.rejectUnknownKeys("x, y, capacity_mm_per_h");
      if (drainage_.empty()) drainage_.assign(d.cellCount(), 0.0f);
      for (std::size_t i : cellsInside(d, polygon)) drainage_[i] = static_cast<float>(capacity);
    } else {
      throw InputError(reader.locationOf("kind"),
                       "the flood model does not handle intervention kind '" + intervention.kind + "'");
    }
  }
}

void FloodModel::step(sim::SimTime t, sim::SimTime dt, const city::CityState& published,
                      city::CityState& staged) {
  const double t0 = sim::toSeconds(t), t1 = sim::toSeconds(t + dt);
  if (!(t1 > t0)) return;
  double extra = 0.0;
  for (const TimeSeries& s : extraRain_) extra += meanRate(s, t0, t1);
  const double scenarioRate = meanRate(parameters_.rain, t0, t1);
  Rainfall& rain = simulation_->forcing().rainfall;
  if (!rainGauges_.empty()) {
    const bool observed = published.has(city::columns::kSensorValue);
    for (std::size_t k = 0; k < rainGauges_.size(); ++k) {
      double rate = scenarioRate;
      if (observed) {
        const double value = published.column(city::columns::kSensorValue)[rainGauges_[k]];
        if (std::isfinite(value) && value >= 0) rate = value;
      }
      rain.zoneSeries[k] = TimeSeries::constant(rate + extra);
    }
  } else {
    rain.uniform = TimeSeries::constant(scenarioRate + extra);
  }
  // Rain on a roof (a wall of the grid) goes to its drainage up to the capacity; the rest runs off
  // onto the open cells on the roof's downhill side.
  std::size_t point = roofPointStart_;
  for (const RoofDrain& roof : grid_.roofs) {
    const double rate = rain.zone.empty() ? rain.uniform.valueAt(t0)
                                          : rain.zoneSeries[rain.zone[roof.firstRoofCell]].valueAt(t0);
    const double drained = std::min(rate, parameters_.roofDrainageMmPerHour);
    constexpr double kMmPerHour = 1.0 / 3.6e6;  // m/s
    const double runoff = (rate - drained) * kMmPerHour * roof.roofAreaM2;
    roofDrainedM3_ += drained * kMmPerHour * roof.roofAreaM2 * (t1 - t0);
    roofRunoffM3_ += runoff * (t1 - t0);
    for (std::size_t k = 0; k < roof.outletCells.size(); ++k)
      simulation_->forcing().points[point++].value = runoff / static_cast<double>(roof.outletCells.size());
  }
  while (simulation_->time() < t1 - 1e-9) {
    const double now = simulation_->time();
    simulation_->advanceTo(
        std::min({t1, std::max(nextGaugeTime_, now + 1e-6), std::max(nextSnapshotTime_, now + 1e-6)}));
    if (simulation_->time() >= nextGaugeTime_ - 1e-9) recordGauges();
    recordSnapshot();
  }
  const MassBalance& m = simulation_->massBalance();
  std::ostringstream row;
  row.precision(10);
  row << simulation_->time() << ',' << m.volume << ',' << m.boundaryInflow + m.pointInflow << ','
      << m.boundaryOutflow << ',' << m.rainfall << ',' << m.infiltration << ',' << m.drainage << ','
      << m.error() << ',' << m.relativeError();
  massRows_.push_back(row.str());
  publishDepths(staged);
}

void FloodModel::recordGauges() {
  std::ostringstream row;
  row.precision(8);
  row << simulation_->time();
  for (std::size_t cell : gaugeCells_) row << ',' << simulation_->depthAt(cell);
  gaugeRows_.push_back(row.str());
  nextGaugeTime_ = simulation_->time() + parameters_.gaugeIntervalS;
}

void FloodModel::recordSnapshot() {
  if (simulation_->time() < nextSnapshotTime_ - 1e-9) return;
  TimeSnapshot snapshot;
  snapshot.seconds = std::llround(nextSnapshotTime_);
  const std::vector<double> depth = simulation_->depths(), speed = simulation_->speeds();
  snapshot.depth.assign(depth.begin(), depth.end());
  snapshot.speed.assign(speed.begin(), speed.end());
  snapshots_.push_back(std::move(snapshot));
  nextSnapshotTime_ += parameters_.snapshotIntervalS;
}

void FloodModel::publishDepths(city::CityState& staged) const {
  const auto& maxDepth = simulation_->maxDepth();
  auto deepest = [&](const std::vector<std::size_t>& cells) {
    float top = 0.0f;
    for (std::size_t i : cells) top = std::max(top, maxDepth[i]);
    return static_cast<double>(top);
  };
  auto write = [&](const city::CouplingColumn& depth, const std::vector<std::vector<std::size_t>>& cells) {
    std::vector<double>& column = staged.column(depth, 0.0);
    for (std::size_t k = 0; k < cells.size() && k < column.size(); ++k) column[k] = deepest(cells[k]);
  };
  write(city::columns::kRoadLinkFloodDepth, grid_.roadLinkCells);
  write(city::columns::kBuildingFloodDepth, grid_.buildingCells);
  write(city::columns::kSubstationFloodDepth, grid_.substationCells);
}

sim::Kpis FloodModel::kpis() const {
  sim::Kpis k;
  if (!simulation_) return k;
  const auto& maxDepth = simulation_->maxDepth();
  const double area = grid_.domain.cellSize * grid_.domain.cellSize;
  // Sea and permanent water are never flooding: only open land counts.
  double flooded = 0.0, deepest = 0.0, landVolume = 0.0;
  for (std::size_t i = 0; i < maxDepth.size(); ++i) {
    if (!grid_.countsAsFlood(i)) continue;
    if (maxDepth[i] > parameters_.floodedDepthM) flooded += area;
    deepest = std::max(deepest, static_cast<double>(maxDepth[i]));
    landVolume += simulation_->depthAt(i) * area;
  }
  auto countOver = [&](const std::vector<std::vector<std::size_t>>& cells) {
    double n = 0.0;
    for (const auto& list : cells) {
      float top = 0.0f;
      for (std::size_t i : list) top = std::max(top, maxDepth[i]);
      if (top > parameters_.impassableDepthM) n += 1.0;
    }
    return n;
  };
  k["flooded_area_m2"] = flooded;
  k["buildings_over_0_3m"] = countOver(grid_.buildingCells);
  k["impassable_links"] = countOver(grid_.roadLinkCells);
  k["volume_balance_error"] = simulation_->massBalance().relativeError();
  k["max_depth_m"] = deepest;
  k["rain_volume_m3"] = simulation_->massBalance().rainfall;
  k["stored_volume_m3"] = simulation_->massBalance().volume;
  // The forcing's point and line sources are the scenario's inflows, the roofs' run-off and the sea's
  // fixed level; the inflows put in exactly their series' integral, so what the sea took is the rest.
  double scenarioInflow = 0.0;
  for (const FloodInflow& inflow : parameters_.inflows)
    scenarioInflow += inflow.discharge.integral(0.0, simulation_->time());
  k["inflow_volume_m3"] = simulation_->massBalance().boundaryInflow + scenarioInflow;
  k["initial_river_water_m3"] = initialWaterM3_;
  k["flood_volume_m3"] = landVolume;
  k["roof_runoff_m3"] = roofRunoffM3_;
  k["roof_drained_m3"] = roofDrainedM3_;
  k["sea_outflow_m3"] = grid_.seaBoundaryCells.empty()
                            ? 0.0
                            : scenarioInflow + roofRunoffM3_ - simulation_->massBalance().pointInflow;
  return k;
}

std::vector<sim::RasterOutput> FloodModel::rasterOutputs() const {
  if (!simulation_) return {};
  std::vector<sim::RasterOutput> rasters = {{"depth_m", depthRaster(), epsg_},
                                            {"speed_mps", speedRaster(), epsg_},
                                            {"max_depth_m", maxDepthRaster(), epsg_},
                                            {"max_speed_mps", maxSpeedRaster(), epsg_},
                                            {"first_wetting_s", firstWettingRaster(), epsg_},
                                            {"hazard", hazardRaster(), epsg_}};
  for (const TimeSnapshot& snapshot : snapshots_) {
    const std::string seconds = std::to_string(snapshot.seconds);
    rasters.push_back({"depth-" + seconds, rasterOf(snapshot.depth, -1.0f), epsg_});
    rasters.push_back({"speed-" + seconds, rasterOf(snapshot.speed, -1.0f), epsg_});
  }
  return rasters;
}

void FloodModel::writeOutputs(const std::filesystem::path& directory) const {
  auto writeCsv = [&](const std::string& name, const std::string& header,
                      const std::vector<std::string>& rows) {
    AtomicOutput output(directory / name);
    {
      std::ofstream out(output.temporaryPath());
      out << header << '\n';
      for (const std::string& row : rows) out << row << '\n';
      if (!out) throw Error((directory / name).string() + ": write failed");
    }
    output.commit();
  };
  std::string header = "time_s";
  for (const std::string& name : gaugeNames_) header += ",depth_m:" + name;
  writeCsv("flood_gauges.csv", header, gaugeRows_);
  writeCsv(
      "flood_mass_balance.csv",
      "time_s,volume_m3,inflow_m3,outflow_m3,rain_m3,infiltration_m3,drainage_m3,error_m3,relative_error",
      massRows_);
}

// The simulation's bytes behind their length, the gauge and mass-balance rows, then the raster snapshots.
std::vector<std::uint8_t> FloodModel::snapshot() const {
  ByteWriter out;
  out.putVector(simulation_->snapshot());
  out.put(nextGaugeTime_);
  for (const auto* rows : {&gaugeRows_, &massRows_}) {
    out.put<std::uint64_t>(rows->size());
    for (const std::string& row : *rows) out.putString(row);
  }
  out.put(roofRunoffM3_);
  out.put(roofDrainedM3_);
  out.put(nextSnapshotTime_);
  out.put<std::uint64_t>(snapshots_.size());
  for (const TimeSnapshot& snapshot : snapshots_) {
    out.put(snapshot.seconds);
    out.putVector(snapshot.depth);
    out.putVector(snapshot.speed);
  }
  return std::move(out.bytes);
}

void FloodModel::restore(std::span<const std::uint8_t> bytes) {
  if (!simulation_) throw Error("flood: restore before initialise");
  ByteReader in(bytes, "flood snapshot");
  simulation_->restore(in.getVector<std::uint8_t>());
  nextGaugeTime_ = in.get<double>();
  for (auto* rows : {&gaugeRows_, &massRows_}) {
    // Row by row, so a corrupt count runs out of bytes instead of allocating it up front.
    const auto count = in.get<std::uint64_t>();
    rows->clear();
    for (std::uint64_t i = 0; i < count; ++i) rows->push_back(in.getString());
  }
  roofRunoffM3_ = in.get<double>();
  roofDrainedM3_ = in.get<double>();
  nextSnapshotTime_ = in.get<double>();
  const auto count = in.get<std::uint64_t>();
  const std::size_t cells = grid_.domain.cellCount();
  snapshots_.clear();
  for (std::uint64_t i = 0; i < count; ++i) {
    TimeSnapshot& snapshot = snapshots_.emplace_back();
    snapshot.seconds = in.get<decltype(snapshot.seconds)>();
    in.getVector(snapshot.depth, cells);
    in.getVector(snapshot.speed, cells);
  }
}

SpillAnalysis FloodModel::spillAnalysis() const {
  const Domain& d = grid_.domain;
  std::vector<double> outlets(d.cellCount(), std::numeric_limits<double>::quiet_NaN());
  const double lowestSea =
      *std::min_element(parameters_.seaLevel.values.begin(), parameters_.seaLevel.values.end());
  for (std::size_t i : grid_.seaBoundaryCells) outlets[i] = lowestSea;
  return analyseSpill(d, outlets, parameters_.freeOutflow);
}

geo::RasterGrid FloodModel::rasterOf(const std::vector<float>& values, float noDataBelow) const {
  geo::RasterGrid raster = grid_.domain.makeRaster();
  for (std::size_t i = 0; i < values.size(); ++i)
    raster.values[i] = values[i] < noDataBelow ? raster.noData : values[i];
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!grid_.countsAsFlood(i)) raster.values[i] = raster.noData;
  return raster;
}

geo::RasterGrid FloodModel::depthRaster() const {
  const auto d = simulation_->depths();
  return rasterOf(std::vector<float>(d.begin(), d.end()), -1.0f);
}
geo::RasterGrid FloodModel::speedRaster() const {
  const auto s = simulation_->speeds();
  return rasterOf(std::vector<float>(s.begin(), s.end()), -1.0f);
}
geo::RasterGrid FloodModel::maxDepthRaster() const {
  return rasterOf(simulation_->maxDepth(), -1.0f);
}
geo::RasterGrid FloodModel::maxSpeedRaster() const {
  return rasterOf(simulation_->maxSpeed(), -1.0f);
}
geo::RasterGrid FloodModel::firstWettingRaster() const {
  return rasterOf(simulation_->firstWettingTime(), 0.0f);
}
geo::RasterGrid FloodModel::hazardRaster() const {
  return rasterOf(simulation_->maxHazard(), -1.0f);
}

}  // namespace citytwin::flood
