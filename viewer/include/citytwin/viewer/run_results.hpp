#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
};

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
  // The rows of run.sqlite's kpi_final table; empty when the database or the table is absent.
  const std::vector<KpiRow>& kpis() const { return kpis_; }

 private:
  std::filesystem::path folder_;
  std::vector<VariantResults> variants_;
  std::vector<KpiRow> kpis_;
  std::pair<double, double> timeSpan_{0.0, 0.0};
};

}  // namespace citytwin::viewer
