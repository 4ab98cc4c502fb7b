#include "citytwin/server/run_json.hpp"

namespace citytwin::server {

nlohmann::json runOutcomeJson(const scenario::Scenario& spec, const scenario::RunOutcome& outcome) {
  nlohmann::json variants = nlohmann::json::array();
  for (const auto& variant : outcome.variants) {
    nlohmann::json kpis = nlohmann::json::object();
    for (const auto& [model, values] : variant.kpis) {
      for (const auto& [kpi, value] : values) kpis[model + "." + kpi] = value;
    }
    nlohmann::json entry = {{"name", variant.name}, {"kpis", kpis}};
    if (variant.member >= 0) entry["member"] = variant.member;
    variants.push_back(std::move(entry));
  }
  nlohmann::json document = {{"scenario", spec.name}, {"variants", variants}, {"seconds", outcome.seconds}};
  if (spec.ensemble) {
    nlohmann::json distributions = nlohmann::json::array();
    for (const auto& distribution : outcome.distributions) {
      nlohmann::json kpis = nlohmann::json::object();
      for (const auto& kpi : distribution.kpis) {
        kpis[kpi.model + "." + kpi.kpi] = {{"members", kpi.members}, {"mean", kpi.mean}, {"std", kpi.std},
                                           {"p5", kpi.p5},           {"p50", kpi.p50},   {"p95", kpi.p95}};
      }
      nlohmann::json thresholds = nlohmann::json::array();
      for (const auto& threshold : distribution.thresholds) {
        thresholds.push_back({{"threshold", threshold.expression},
                              {"members", threshold.members},
                              {"crossing", threshold.crossing},
                              {"probability", threshold.probability}});
      }
      distributions.push_back(
          {{"variant", distribution.variant}, {"kpis", kpis}, {"thresholds", thresholds}});
    }
    document["ensemble"] = {{"members", spec.memberCount()}, {"distributions", distributions}};
  }
  return document;
}

nlohmann::json liveSnapshotJson(const context::LiveSnapshot& snapshot) {
  nlohmann::json document = {{"entities", snapshot.entities}, {"mapped", snapshot.mapped}};
  if (snapshot.rainfallMmPerH) document["rainfall_mm_per_h"] = *snapshot.rainfallMmPerH;
  if (snapshot.riverLevelM) document["river_level_m"] = *snapshot.riverLevelM;
  return document;
}

}  // namespace citytwin::server
