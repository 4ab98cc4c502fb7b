#include "report/report_series.hpp"

#include <charconv>
#include <fstream>
#include <map>
#include <unordered_map>

#include "citytwin/core/error.hpp"
#include "citytwin/io/geotiff.hpp"

namespace citytwin::cli::report {
namespace {

// The project's result CSVs: a header line, then comma-separated fields without quoting.
class CsvReader {
 public:
  explicit CsvReader(const std::filesystem::path& path) : path_(path), in_(path) {
    if (!in_) throw Error(path.string() + ": cannot read");
    std::string header;
    std::getline(in_, header);
    header_ = split(header);
  }
  // Index of a column; throws Error naming the file when it is absent.
  std::size_t column(std::string_view name) const {
    for (std::size_t i = 0; i < header_.size(); ++i)
      if (header_[i] == name) return i;
    throw Error(path_.string() + ": no column '" + std::string(name) + "'");
  }
  bool next() {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_;
      if (line.empty()) continue;
      fields_ = split(line);
      return true;
    }
    return false;
  }
  std::string_view text(std::size_t column) const {
    if (column >= fields_.size()) return {};
    return fields_[column];
  }
  double number(std::size_t column) const {
    const std::string_view field = text(column);
    double value = 0.0;
    const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (error != std::errc() || end != field.data() + field.size())
      throw Error(path_.string() + ":" + std::to_string(line_ + 1) + ": field " + std::to_string(column + 1) +
                  " '" + std::string(field) + "' is not a number");
    return value;
  }

 private:
  static std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = line.find(',', start);
      fields.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (!fields.empty() && !fields.back().empty() && fields.back().back() == '\r') fields.back().pop_back();
    return fields;
  }
  std::filesystem::path path_;
  std::ifstream in_;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;
  std::size_t line_ = 0;
};

std::optional<VariantSeries> kpiSeries(const ReportVariant& variant, const KpiKey& key, VariantSeries shape) {
  const auto found = variant.series.find(key);
  if (found == variant.series.end()) return std::nullopt;
  shape.points = found->second;
  return shape;
}

std::optional<VariantSeries> hourlyEnergy(const ReportVariant& variant, const char* column,
                                          VariantSeries shape) {
  const std::filesystem::path file = variant.folder / "energy_hourly.csv";
  if (!std::filesystem::is_regular_file(file)) return std::nullopt;
  CsvReader csv(file);
  const std::size_t hour = csv.column("hour"), value = csv.column(column);
  while (csv.next()) {
    double t = (csv.number(hour) + 0.5) * 3600.0;
    if (variant.record.endSeconds > 0.0) t = std::min(t, variant.record.endSeconds);
    shape.points.push_back({t, csv.number(value)});
  }
  shape.source = file.filename().string() + " (" + column + ", hourly)";
  return shape;
}

}  // namespace

std::optional<VariantSeries> floodVolume(const ReportVariant& variant) {
  VariantSeries series{"Flood: water on the domain", "volume (m3)", "", {}};
  const std::filesystem::path file = variant.folder / "flood_mass_balance.csv";
  if (std::filesystem::is_regular_file(file)) {
    CsvReader csv(file);
    const std::size_t time = csv.column("time_s"), volume = csv.column("volume_m3");
    while (csv.next()) series.points.push_back({csv.number(time), csv.number(volume)});
    series.source = "flood_mass_balance.csv (volume_m3)";
    return series;
  }
  series.source = "KPI flood.stored_volume_m3";
  return kpiSeries(variant, {"flood", "stored_volume_m3"}, series);
}

std::optional<VariantSeries> floodedArea(const ReportVariant& variant, double depthM) {
  char depthText[32];
  std::snprintf(depthText, sizeof depthText, "%g", depthM);
  VariantSeries series{"Flood: area under water", "area (m2)", "", {}};
  std::map<double, std::filesystem::path> snapshots;
  const std::filesystem::path folder = variant.folder / "flood";
  if (std::filesystem::is_directory(folder)) {
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("depth-", 0) != 0 || entry.path().extension() != ".tif") continue;
      const std::string seconds = name.substr(6, name.size() - 10);
      double t = 0.0;
      const auto [end, error] = std::from_chars(seconds.data(), seconds.data() + seconds.size(), t);
      if (error == std::errc() && end == seconds.data() + seconds.size()) snapshots[t] = entry.path();
    }
  }
  if (!snapshots.empty()) {
    for (const auto& [t, file] : snapshots) {
      const geo::RasterGrid depth = io::readRaster(file);
      double area = 0.0;
      for (float h : depth.values)
        if (h != depth.noData && h > depthM) area += depth.cellSize * depth.cellSize;
      series.points.push_back({t, area});
    }
    series.source = std::string("flood/depth-<s>.tif snapshots: cells deeper than ") + depthText + " m";
    return series;
  }
  series.title = "Flood: flooded area (worst so far)";
  series.source = std::string("KPI flood.flooded_area_m2: cells ever deeper than ") + depthText + " m";
  return kpiSeries(variant, {"flood", "flooded_area_m2"}, series);
}

std::optional<VariantSeries> networkSpeed(const ReportVariant& variant, const city::CityModel& city) {
  const std::filesystem::path file = variant.folder / "traffic" / "links.csv";
  if (!std::filesystem::is_regular_file(file)) return std::nullopt;
  std::unordered_map<std::string, double> lengthKm;
  for (const city::RoadLink& link : city.roads.links) lengthKm[link.id] = link.lengthM / 1000.0;
  CsvReader csv(file);
  const std::size_t time = csv.column("t"), id = csv.column("link"), speed = csv.column("mean_speed_kph"),
                    density = csv.column("density_veh_per_km");
  // Per interval end: vehicle-km and vehicle-hours (both over the same interval length, which cancels).
  std::map<double, std::pair<double, double>> totals;
  while (csv.next()) {
    const auto length = lengthKm.find(std::string(csv.text(id)));
    if (length == lengthKm.end())
      throw Error(file.string() + ": link '" + std::string(csv.text(id)) + "' is not in the city " +
                  "(is the run from another city file?)");
    const double vehicles = csv.number(density) * length->second;  // mean vehicles on the link
    auto& [vehicleKm, vehicleHours] = totals[csv.number(time)];
    vehicleKm += vehicles * csv.number(speed);
    vehicleHours += vehicles;
  }
  VariantSeries series{
      "Traffic: network speed",
      "space-mean speed (km/h)",
      "traffic/links.csv: vehicle-km / vehicle-hours per interval, link lengths from the city",
      {}};
  for (const auto& [t, sums] : totals)
    if (sums.second > 0.0) series.points.push_back({t, sums.first / sums.second});
  return series;
}

std::optional<VariantSeries> vehiclesInNetwork(const ReportVariant& variant) {
  const std::filesystem::path file = variant.folder / "traffic" / "links.csv";
  if (!std::filesystem::is_regular_file(file)) return std::nullopt;
  CsvReader csv(file);
  const std::size_t time = csv.column("t"), vehicles = csv.column("vehicles");
  std::map<double, double> totals;
  while (csv.next()) totals[csv.number(time)] += csv.number(vehicles);
  VariantSeries series{"Traffic: vehicles in the network",
                       "vehicles",
                       "traffic/links.csv: vehicles on the links at the end of each interval",
                       {}};
  for (const auto& [t, count] : totals) series.points.push_back({t, count});
  return series;
}

std::optional<VariantSeries> electricityDemand(const ReportVariant& variant) {
  return hourlyEnergy(variant, "demand_mw", {"Energy: electricity demand", "demand (MW)", "", {}});
}

std::optional<VariantSeries> unservedDemand(const ReportVariant& variant) {
  return hourlyEnergy(variant, "unserved_mw", {"Energy: unserved demand", "unserved (MW)", "", {}});
}

}  // namespace citytwin::cli::report
