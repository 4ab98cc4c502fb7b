#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/flood/city_grid.hpp"
#include "citytwin/flood/flood_parameters.hpp"
#include "citytwin/flood/simulation.hpp"
#include "citytwin/flood/spill_analysis.hpp"
#include "citytwin/geo/raster_grid.hpp"
#include "citytwin/sim/model.hpp"

namespace citytwin::flood {

// The flood simulation as a city model: rain-on-grid and inflows over the city's terrain, with buildings
// blocked and roads smoother; publishes each building's, road link's and substation's maximum flood
// depth so far into the city state ("max_flood_depth_m").
//
// Interventions (scenario [[variant.intervention]] tables):
//   add_rainfall  {mm_per_h, start_s = 0, end_s = run end} or {series = [[t, mm_per_h], ...]}: extra rain
//   change_inflow {name, factor} or {name, discharge_m3s | series}: scales or replaces an inflow
//   raise_line    {x = [...], y = [...], height_m, width_m = cell size}: a wall or levee of that height
//                 above the ground along the polyline
//   drainage_area {x = [...], y = [...], capacity_mm_per_h}: drainage capacity inside the polygon
class FloodModel final : public sim::Model {
 public:
  FloodModel();
  ~FloodModel() override;

  sim::ModelDescription describe() const override;
  void initialise(const sim::ModelContext& context, city::CityState& state) override;
  void step(sim::SimTime t, sim::SimTime dt, const city::CityState& published,
            city::CityState& staged) override;
  sim::Kpis kpis() const override;
  void writeOutputs(const std::filesystem::path& directory) const override;
  // depth_m and speed_mps (final state), max_depth_m, max_speed_mps, first_wetting_s, hazard, and
  // depth-<s> / speed-<s> at every snapshot_interval from t = 0 (s: whole seconds since the start).
  std::vector<sim::RasterOutput> rasterOutputs() const override;
  std::vector<std::uint8_t> snapshot() const override;
  void restore(std::span<const std::uint8_t> bytes) override;

  // Result rasters in the city CRS (epsg()), for the runner to write as GeoTIFF.
  int epsg() const { return epsg_; }
  geo::RasterGrid depthRaster() const;
  geo::RasterGrid speedRaster() const;
  geo::RasterGrid maxDepthRaster() const;
  geo::RasterGrid maxSpeedRaster() const;
  geo::RasterGrid firstWettingRaster() const;  // s since the start; no-data where never wet
  geo::RasterGrid hazardRaster() const;        // max of depth * (velocity + 0.5)
  const Simulation& simulation() const { return *simulation_; }
  const CityGrid& grid() const { return grid_; }
  const FloodParameters& parameters() const { return parameters_; }
  // Depression filling of the model's grid (walls, open streets, sea at its lowest level, free edges):
  // how deep still water can stand anywhere before it spills.
  SpillAnalysis spillAnalysis() const;

 private:
  geo::RasterGrid rasterOf(const std::vector<float>& values, float noDataBelow) const;
  void applyInterventions(const sim::ModelContext& context);
  void publishDepths(city::CityState& staged) const;
  void recordGauges();
  void recordSnapshot();

  // Depth and cell-centred speed at one snapshot time.
  struct TimeSnapshot {
    std::int64_t seconds = 0;
    std::vector<float> depth;
    std::vector<float> speed;
  };

  FloodParameters parameters_;
  CityGrid grid_;
  std::unique_ptr<Simulation> simulation_;
  int epsg_ = 0;
  std::vector<std::size_t> rainGauges_;  // sensor indices of RainGauge sensors inside the grid
  std::vector<TimeSeries> extraRain_;    // from add_rainfall interventions
  std::vector<float> drainage_;          // mm/h per cell, empty for none
  std::vector<std::size_t> gaugeCells_;
  std::vector<std::string> gaugeNames_;
  double nextGaugeTime_ = 0.0;
  double initialWaterM3_ = 0.0;         // put in at the start from observed river levels
  std::size_t roofPointStart_ = 0;      // the first of the roof outlets among the forcing's points
  double roofRunoffM3_ = 0.0;           // roof rain run off onto the ground
  double roofDrainedM3_ = 0.0;          // roof rain taken by the buildings' drainage
  std::vector<std::string> gaugeRows_;  // CSV lines
  std::vector<std::string> massRows_;
  std::vector<TimeSnapshot> snapshots_;
  double nextSnapshotTime_ = 0.0;
};

}  // namespace citytwin::flood
