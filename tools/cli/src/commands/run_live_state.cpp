#include "run_live_state.hpp"

#include <tbb/info.h>

#include <algorithm>
#include <fstream>

#include "builtin_models.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/io/geotiff.hpp"
#include "citytwin/scenario/scenario_parser.hpp"

namespace citytwin::cli {

nlohmann::json runOutcomeJson(const scenario::Scenario& spec, const scenario::RunOutcome& outcome) {
  nlohmann::json variants = nlohmann::json::array();
  for (const auto& variant : outcome.variants) {
    nlohmann::json kpis = nlohmann::json::object();
    for (const auto& [model, values] : variant.kpis) {
      for (const auto& [kpi, value] : values) kpis[model + "." + kpi] = value;
    }
    variants.push_back({{"name", variant.name}, {"kpis", kpis}});
  }
  return {{"scenario", spec.name}, {"variants", variants}, {"seconds", outcome.seconds}};
}

#ifdef CITYTWIN_HAS_LIVE_STATE
namespace {

// The served city replaces the scenario's; a scenario without a `city` key gets one. It goes on the first
// line when that line is blank or a comment, so line numbers in messages stay those of the posted text.
std::string withServedCity(const std::string& text, const std::filesystem::path& cityPath) {
  std::size_t lineStart = 0;
  while (lineStart < text.size()) {
    const std::size_t lineEnd = std::min(text.find('\n', lineStart), text.size());
    const std::string line = text.substr(lineStart, lineEnd - lineStart);
    const std::size_t first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line[first] == '[') break;  // the top-level keys end here
    if (first != std::string::npos && line.compare(first, 4, "city") == 0) {
      const std::size_t next = line.find_first_not_of(" \t", first + 4);
      if (next != std::string::npos && line[next] == '=') return text;
    }
    lineStart = lineEnd + 1;
  }
  const std::string key = "city = " + nlohmann::json(cityPath.string()).dump();
  const std::size_t firstEnd = std::min(text.find('\n'), text.size());
  const std::string firstLine = text.substr(0, firstEnd);
  const std::size_t first = firstLine.find_first_not_of(" \t\r");
  if (first == std::string::npos) return key + text.substr(firstEnd);
  if (firstLine[first] == '#') return key + "  " + text;
  return key + "\n" + text;
}

}  // namespace

std::function<void(city::CityState&)> liveStatePreparation(
    std::shared_ptr<const context::LiveOverlay> overlay) {
  return [overlay = std::move(overlay)](city::CityState& state) { overlay->applyTo(state); };
}

nlohmann::json liveSnapshotJson(const context::LiveSnapshot& snapshot) {
  nlohmann::json document = {{"entities", snapshot.entities}, {"mapped", snapshot.mapped}};
  if (snapshot.rainfallMmPerH) document["rainfall_mm_per_h"] = *snapshot.rainfallMmPerH;
  if (snapshot.riverLevelM) document["river_level_m"] = *snapshot.riverLevelM;
  return document;
}

context::WhatIfRunner makeWhatIfRunner(std::shared_ptr<const city::CityModel> city,
                                       std::filesystem::path cityPath,
                                       std::function<std::vector<context::Entity>()> liveEntities,
                                       std::filesystem::path outRoot) {
  auto registry = std::make_shared<sim::ModelRegistry>();
  registerBuiltinModels(*registry);
  const std::filesystem::path absoluteCity = std::filesystem::absolute(cityPath);
  context::WhatIfRunner runner;
  runner.check = [registry, city, absoluteCity, outRoot](const std::string& text) {
    const auto spec =
        scenario::parseScenario(withServedCity(text, absoluteCity), outRoot / "whatif.toml", *registry);
    scenario::checkAgainstCity(spec, *city);
  };
  runner.run = [registry, city, absoluteCity, liveEntities, outRoot](
                   const std::string& text, const std::string& job, const std::atomic<bool>& stop) {
    const std::filesystem::path directory = outRoot / job;
    std::filesystem::create_directories(directory);
    const std::filesystem::path file = directory / "scenario.toml";
    std::ofstream(file) << text;
    const auto spec = scenario::parseScenario(withServedCity(text, absoluteCity), file, *registry);
    auto overlay = std::make_shared<const context::LiveOverlay>(*city, liveEntities());
    city::CityState probe(*city);
    const context::LiveSnapshot snapshot = overlay->applyTo(probe);
    scenario::RunOptions options;
    options.outDirectory = directory;
    options.stop = &stop;
    options.threads = tbb::info::default_concurrency();
    options.inputs.push_back({"city", absoluteCity.string(), fingerprintFile(absoluteCity)});
    options.showProgress = false;
    options.prepareState = liveStatePreparation(overlay);
    options.writeRaster = [](const std::filesystem::path& path, const sim::RasterOutput& raster) {
      io::writeGeoTiff(raster.grid, raster.epsg, path);
    };
    const scenario::RunOutcome outcome = scenario::runScenario(spec, *city, *registry, options);
    nlohmann::json result = runOutcomeJson(spec, outcome);
    result["live"] = liveSnapshotJson(snapshot);
    result["completed"] = outcome.status == store::RunStatus::Completed;
    result["database"] = outcome.database.string();
    result["run_id"] = outcome.runId;
    return result;
  };
  return runner;
}
#endif

}  // namespace citytwin::cli
