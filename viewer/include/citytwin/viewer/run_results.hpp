#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"

namespace citytwin::viewer {

// One water-depth raster of a flood run: depth (m) at `timeS` seconds after the start of the run.
struct DepthSnapshot {
  double timeS = 0.0;
  std::filesystem::path file;
};

// What the viewer found in one variant's folder of a run (layout in viewer/README.md):
//   <variant>/flood/depth-<seconds>.tif   water depth snapshots
//   <variant>/flood/max-depth.tif         maximum depth over the run
//   <variant>/traffic/vehicles.csv        t,id,x,y,heading
//   <variant>/traffic/links.csv           t,link,flow_veh_per_h,mean_speed_kph,density_veh_per_km,vehicles
//   <variant>/state/<layer>.csv           t,id,<attribute>,... (layer: building, road_link, sensor, ...)
struct VariantResults {
  std::string name;
  std::filesystem::path folder;
  std::vector<DepthSnapshot> depthSnapshots;  // ordered by time
  std::optional<std::filesystem::path> maxDepthFile;
  std::optional<std::filesystem::path> vehiclesFile;
  std::optional<std::filesystem::path> linksFile;  // road link values over time, beside state/road_link.csv
  std::map<city::Layer, std::filesystem::path> stateFiles;
  // The variant's final KPIs from its kpis.json ("model.kpi" -> value), sorted by name; empty without one.
  std::map<std::string, double> kpis;
  // Whether anything of it can be drawn on the map (water, vehicles or per-object values over time); a run
  // of the energy model alone has only KPIs and city-wide series.
  bool hasMapResults() const {
    return !depthSnapshots.empty() || maxDepthFile || vehiclesFile || linksFile || !stateFiles.empty();
  }
};

// What the viewer shows about a KPI, from the models' KPI definitions (sim::KpiDefinition); the command line
// passes them in, so the viewer does not depend on the models.
struct KpiInfo {
  std::string unit;
  std::string meaning;
  int direction = 0;  // -1 lower is better, +1 higher is better, 0 neither
};
using KpiInfos = std::map<std::string, KpiInfo>;  // by "model.kpi"

// A final KPI row of run.sqlite's kpi_final table, whatever its columns are: column name -> text.
using KpiRow = std::vector<std::pair<std::string, std::string>>;

// The results of one `citytwin run`: a folder with one subfolder per variant. The viewer only reads it.
class RunResults {
 public:
  // Throws Error when the folder does not exist or holds no variant folder.
  static RunResults open(const std::filesystem::path& runFolder);

  const std::filesystem::path& folder() const { return folder_; }
  const std::vector<VariantResults>& variants() const { return variants_; }
  // nullptr when there is no variant of that name.
  const VariantResults* find(std::string_view name) const;
  // Throws Error listing the variants when there is none of that name.
  const VariantResults& variant(std::string_view name) const;
  // First and last time of any time-stamped result, in seconds; {0, 0} when none is time-stamped.
  std::pair<double, double> timeSpan() const;
  // The variant the others are compared with: the one named "base", else the first.
  const VariantResults& base() const;
  // The rows of run.sqlite's kpi_final table (every run recorded in that file); empty when the database or
  // the table is absent. The KPI panel reads the variants' own kpis.json instead: only the run in this
  // folder.
  const std::vector<KpiRow>& kpis() const { return kpis_; }

 private:
  std::filesystem::path folder_;
  std::vector<VariantResults> variants_;
  std::vector<KpiRow> kpis_;
  std::pair<double, double> timeSpan_{0.0, 0.0};
};

// Throws Error naming the file when the run's results are not of `city` (state ids it does not have, water
// outside its terrain): a run shown over another city would colour nothing, or the wrong objects.
void requireRunOfCity(const RunResults& run, const city::CityModel& city);

}  // namespace citytwin::viewer
