#pragma once

#include <optional>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "report/run_report_data.hpp"
#include "report/svg_charts.hpp"

namespace citytwin::cli::report {

// One plotted quantity of one variant over the run, read from the variant's result files.
struct VariantSeries {
  std::string title;   // "Water on the domain"
  std::string yLabel;  // with the unit: "volume (m3)"
  std::string source;  // where it comes from, for the caption
  std::vector<LinePoint> points;
};

// Each returns nullopt when the variant has no such output (the model did not run in it).
// Water stored on the domain: flood_mass_balance.csv, else the flood.stored_volume_m3 KPI series.
std::optional<VariantSeries> floodVolume(const ReportVariant& variant);
// Area under water deeper than `depthM` at each depth snapshot (flood/depth-<s>.tif), else the
// flood.flooded_area_m2 KPI series (worst so far).
std::optional<VariantSeries> floodedArea(const ReportVariant& variant, double depthM);
// Space-mean speed of the vehicles in the network (vehicle-km / vehicle-hours over each interval of
// traffic/links.csv; link lengths from the city) and the vehicles on the network at each interval's end.
std::optional<VariantSeries> networkSpeed(const ReportVariant& variant, const city::CityModel& city);
std::optional<VariantSeries> vehiclesInNetwork(const ReportVariant& variant);
// Hourly electricity demand and unserved demand (energy_hourly.csv), at the middle of each hour.
std::optional<VariantSeries> electricityDemand(const ReportVariant& variant);
std::optional<VariantSeries> unservedDemand(const ReportVariant& variant);

}  // namespace citytwin::cli::report
