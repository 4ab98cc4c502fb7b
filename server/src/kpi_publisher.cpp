#include "citytwin/server/kpi_publisher.hpp"

#include "citytwin/core/date_time.hpp"
#include "citytwin/server/upsert_client.hpp"
#include "percent_encoding.hpp"

namespace citytwin::server {

namespace {

constexpr const char* kSmartDataModelsContext = "https://smartdatamodels.org/context.jsonld";

nlohmann::json property(nlohmann::json value) {
  return {{"type", "Property"}, {"value", std::move(value)}};
}

}  // namespace

nlohmann::json kpiIndicatorEntities(const scenario::Scenario& spec, const scenario::RunOutcome& outcome,
                                    const std::map<std::string, std::vector<sim::KpiDefinition>>& definitions,
                                    const std::string& calculatedAt) {
  const std::string from = formatDateTime(spec.startEpochMs);
  const std::string to = formatDateTime(spec.startEpochMs + spec.duration);
  nlohmann::json entities = nlohmann::json::array();
  const auto add = [&](const std::string& variant, const std::string& model, const std::string& kpi,
                       double value, const std::string& how) {
    const auto found = definitions.find(model);
    const sim::KpiDefinition* definition =
        found == definitions.end() ? nullptr : sim::findKpiDefinition(found->second, kpi);
    std::string description = definition ? definition->meaning : model + " " + kpi;
    if (definition && !definition->unit.empty() && definition->unit != "1")
      description += " [" + definition->unit + "]";
    if (definition && !definition->window.empty()) description += ", " + definition->window;
    nlohmann::json kpiValue = property(value);
    kpiValue["observedAt"] = calculatedAt;
    entities.push_back({{"id", "urn:ngsi-ld:KeyPerformanceIndicator:citytwin:" + percentEncode(spec.name) +
                                   ":" + percentEncode(variant) + ":" + percentEncode(model + "." + kpi)},
                        {"type", "KeyPerformanceIndicator"},
                        {"name", property(model + "." + kpi + " (" + variant + ")")},
                        {"description", property(description)},
                        {"category", property(nlohmann::json::array({"quantitative"}))},
                        {"kpiValue", std::move(kpiValue)},
                        {"calculationPeriod", property({{"from", from}, {"to", to}})},
                        {"calculationMethod", property(how)},
                        {"process", property("scenario " + spec.name + ", variant " + variant)},
                        {"source", property("citytwin run " + std::to_string(outcome.runId) + " (" +
                                            outcome.database.string() + ")")},
                        {"@context", nlohmann::json::array({kSmartDataModelsContext})}});
  };
  if (spec.ensemble) {
    for (const auto& distribution : outcome.distributions) {
      for (const auto& kpi : distribution.kpis) {
        add(distribution.variant, kpi.model, kpi.kpi, kpi.mean,
            "automatic: mean over " + std::to_string(kpi.members) +
                " ensemble members of a citytwin simulation");
      }
    }
  } else {
    for (const auto& variant : outcome.variants) {
      for (const auto& [model, values] : variant.kpis) {
        for (const auto& [kpi, value] : values)
          add(variant.name, model, kpi, value, "automatic: citytwin simulation");
      }
    }
  }
  return entities;
}

KpiPublication publishKpis(const std::string& url, const std::string& token, const nlohmann::json& entities) {
  UpsertClient client(url, token);
  KpiPublication publication;
  for (std::size_t first = 0; first < entities.size(); first += 100) {
    nlohmann::json batch = nlohmann::json::array();
    for (std::size_t i = first; i < std::min(entities.size(), first + 100); ++i) batch.push_back(entities[i]);
    publication.refused += client.send(batch, true, "--publish " + url);
    publication.entities += batch.size();
  }
  publication.firstError = client.firstError();
  return publication;
}

}  // namespace citytwin::server
