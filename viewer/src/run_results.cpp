#include "citytwin/viewer/run_results.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "citytwin/core/error.hpp"
#include "citytwin/store/run_database_reader.hpp"
#include "result_tables.hpp"

namespace citytwin::viewer {
namespace {

// "depth-3600.tif" -> 3600; nullopt for other names.
std::optional<double> snapshotTime(const std::filesystem::path& file) {
  const std::string stem = file.stem().string();
  const std::string prefix = "depth-";
  const std::string extension = file.extension().string();
  if (extension != ".tif" && extension != ".tiff") return std::nullopt;
  if (stem.rfind(prefix, 0) != 0) return std::nullopt;
  double seconds = 0.0;
  const char* begin = stem.data() + prefix.size();
  const char* end = stem.data() + stem.size();
  const auto [stop, ec] = std::from_chars(begin, end, seconds);
  if (ec != std::errc() || stop != end || !std::isfinite(seconds)) return std::nullopt;
  return seconds;
}

// A variant's kpis.json as `citytwin run` writes it: {"kpis": {"model.kpi": value, ...}, ...}.
std::map<std::string, double> readVariantKpis(const std::filesystem::path& file) {
  std::ifstream in(file);
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + ": not a KPI file (" + e.what() + ")");
  }
  std::map<std::string, double> kpis;
  const auto found = document.find("kpis");
  if (found == document.end() || !found->is_object()) throw Error(file.string() + ": no \"kpis\" object");
  for (const auto& [name, value] : found->items()) {
    // A KPI a model could not compute is stored as null: shown as missing, not as zero.
    kpis[name] = value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
  }
  return kpis;
}

std::optional<VariantResults> scanVariant(const std::filesystem::path& folder) {
  VariantResults variant;
  variant.name = folder.filename().string();
  variant.folder = folder;
  bool any = false;
  std::error_code ec;
  const auto flood = folder / "flood";
  if (std::filesystem::is_directory(flood, ec)) {
    any = true;
    for (const auto& entry : std::filesystem::directory_iterator(flood)) {
      if (!entry.is_regular_file()) continue;
      // "max_depth_m.tif" is the name `citytwin run` gives the flood model's maximum-depth raster.
      const auto name = entry.path().filename();
      if (name == "max-depth.tif" || name == "max_depth_m.tif") variant.maxDepthFile = entry.path();
      if (const auto t = snapshotTime(entry.path())) variant.depthSnapshots.push_back({*t, entry.path()});
    }
    std::sort(variant.depthSnapshots.begin(), variant.depthSnapshots.end(),
              [](const DepthSnapshot& a, const DepthSnapshot& b) { return a.timeS < b.timeS; });
  }
  const auto vehicles = folder / "traffic" / "vehicles.csv";
  if (std::filesystem::is_directory(folder / "traffic", ec)) any = true;
  if (std::filesystem::is_regular_file(vehicles, ec)) variant.vehiclesFile = vehicles;
  const auto links = folder / "traffic" / "links.csv";
  if (std::filesystem::is_regular_file(links, ec)) variant.linksFile = links;
  const auto state = folder / "state";
  if (std::filesystem::is_directory(state, ec)) {
    any = true;
    for (const city::Layer layer : {city::Layer::Building, city::Layer::RoadLink, city::Layer::RoadNode,
                                    city::Layer::Substation, city::Layer::Feeder, city::Layer::Sensor}) {
      const auto file = state / (std::string(city::toString(layer)) + ".csv");
      if (std::filesystem::is_regular_file(file, ec)) variant.stateFiles[layer] = file;
    }
  }
  const auto kpiFile = folder / "kpis.json";
  if (std::filesystem::is_regular_file(kpiFile, ec)) {
    any = true;
    variant.kpis = readVariantKpis(kpiFile);
  }
  if (!any) return std::nullopt;
  return variant;
}

std::vector<KpiRow> readKpis(const std::filesystem::path& database) {
  std::vector<KpiRow> rows;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(database, ec)) return rows;
  store::TextTable table;
  try {
    table = store::RunDatabaseReader(database).finalKpis();
  } catch (const Error&) {
    return rows;  // an unreadable run database only loses the KPI panel
  }
  for (const auto& values : table.rows) {
    KpiRow row;
    for (std::size_t c = 0; c < table.columns.size(); ++c) row.emplace_back(table.columns[c], values[c]);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

RunResults RunResults::open(const std::filesystem::path& runFolder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(runFolder, ec))
    throw Error(runFolder.string() + ": run folder not found");
  RunResults run;
  run.folder_ = runFolder;
  std::vector<std::filesystem::path> folders;
  for (const auto& entry : std::filesystem::directory_iterator(runFolder)) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  for (const auto& folder : folders) {
    if (auto variant = scanVariant(folder)) run.variants_.push_back(std::move(*variant));
  }
  if (run.variants_.empty()) {
    throw Error(
        runFolder.string() +
        ": no variant folder with flood/, traffic/, state/ results or kpis.json (see viewer/README.md)");
  }
  run.kpis_ = readKpis(runFolder / "run.sqlite");

  double first = std::numeric_limits<double>::infinity();
  double last = -std::numeric_limits<double>::infinity();
  const auto include = [&](double a, double b) {
    first = std::min(first, a);
    last = std::max(last, b);
  };
  for (const auto& variant : run.variants_) {
    for (const auto& snapshot : variant.depthSnapshots) include(snapshot.timeS, snapshot.timeS);
    if (variant.vehiclesFile) {
      const auto [a, b] = csvTimeSpan(*variant.vehiclesFile);
      include(a, b);
    }
    if (variant.linksFile) {
      const auto [a, b] = csvTimeSpan(*variant.linksFile);
      include(a, b);
    }
    for (const auto& [layer, file] : variant.stateFiles) {
      const auto [a, b] = csvTimeSpan(file);
      include(a, b);
    }
    // The energy model's city-wide series count hours: a run of it alone still has a time span.
    const auto energySeries = variant.folder / "energy_hourly.csv";
    std::error_code ec;
    if (std::filesystem::is_regular_file(energySeries, ec)) {
      const auto [a, b] = csvTimeSpan(energySeries);
      include(a * 3600.0, b * 3600.0);
    }
  }
  if (first <= last) run.timeSpan_ = {std::min(first, 0.0), last};
  return run;
}

const VariantResults* RunResults::find(std::string_view name) const {
  for (const auto& variant : variants_) {
    if (variant.name == name) return &variant;
  }
  return nullptr;
}

const VariantResults& RunResults::variant(std::string_view name) const {
  if (const auto* found = find(name)) return *found;
  std::string known;
  for (const auto& variant : variants_) known += (known.empty() ? "" : ", ") + variant.name;
  throw Error(folder_.string() + ": no variant '" + std::string(name) + "' (the run has: " + known + ")");
}

const VariantResults& RunResults::base() const {
  if (const auto* named = find("base")) return *named;
  return variants_.front();
}

std::pair<double, double> RunResults::timeSpan() const {
  return timeSpan_;
}

}  // namespace citytwin::viewer
