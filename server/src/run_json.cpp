#include "citytwin/server/run_json.hpp"

namespace citytwin::server {

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

nlohmann::json liveSnapshotJson(const context::LiveSnapshot& snapshot) {
  nlohmann::json document = {{"entities", snapshot.entities}, {"mapped", snapshot.mapped}};
  if (snapshot.rainfallMmPerH) document["rainfall_mm_per_h"] = *snapshot.rainfallMmPerH;
  if (snapshot.riverLevelM) document["river_level_m"] = *snapshot.riverLevelM;
  return document;
}

}  // namespace citytwin::server
