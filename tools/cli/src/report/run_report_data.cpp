#include "report/run_report_data.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "citytwin/core/error.hpp"
#include "citytwin/models/builtin_models.hpp"
#include "citytwin/sim/model_registry.hpp"

namespace citytwin::cli::report {

const sim::KpiDefinition* RunReportData::definition(const KpiKey& key) const {
  const auto found = definitions.find(key.first);
  return found == definitions.end() ? nullptr : sim::findKpiDefinition(found->second, key.second);
}

std::vector<KpiKey> RunReportData::kpiKeys() const {
  std::set<KpiKey> keys;
  for (const ReportVariant& variant : variants)
    for (const auto& [key, value] : variant.finals) keys.insert(key);
  return {keys.begin(), keys.end()};
}

RunReportData loadRunReport(const std::filesystem::path& folder) {
  const std::filesystem::path database = folder / "run.sqlite";
  if (!std::filesystem::is_directory(folder)) throw Error(folder.string() + ": no such folder");
  if (!std::filesystem::is_regular_file(database))
    throw Error(folder.string() +
                ": not a run folder (no run.sqlite; create one with `citytwin run SCENARIO --out " +
                folder.string() + "`)");
  RunReportData data;
  data.folder = folder;
  store::RunDatabaseReader reader(database);
  const std::int64_t runId = reader.latestRunId();
  if (runId == 0) throw Error(database.string() + ": no run recorded");
  data.run = reader.run(runId);
  for (const store::RunInput& input : reader.inputs(runId))
    if (input.role == "city") data.city = input.path;

  // The scenario as it was run: its description and start, and the flood depth its flooded area counts.
  try {
    const toml::table scenario = toml::parse(data.run.scenarioText);
    data.description = scenario["description"].value_or(std::string());
    if (const auto* start = scenario.get("start")) {
      std::ostringstream text;
      if (const auto* written = start->as_string())
        text << written->get();
      else if (const auto* dateTime = start->as_date_time())
        text << dateTime->get();
      data.start = text.str();
    }
    data.floodedDepthM = scenario["flood"]["flooded_depth_m"].value_or(data.floodedDepthM);
  } catch (const toml::parse_error& error) {
    throw Error(database.string() + ": run " + std::to_string(runId) +
                " holds a scenario that does not parse: " + std::string(error.description()));
  }

  sim::ModelRegistry registry;
  models::registerBuiltinModels(registry);
  data.definitions = registry.kpiDefinitions();

  for (const store::StoredVariant& stored : reader.variants(runId)) {
    const store::VariantRecord& record = stored.record;
    ReportVariant& variant = data.variants.emplace_back();
    variant.id = stored.id;
    variant.record = record;
    variant.folder = folder / record.name;
    for (const store::KpiSample& sample : reader.finalKpis(stored.id))
      variant.finals[{sample.model, sample.kpi}] = sample.value;
    for (const store::KpiSample& sample : reader.kpiSeries(stored.id))
      variant.series[{sample.model, sample.kpi}].push_back({sample.timeS, sample.value});
  }
  if (data.variants.empty())
    throw Error(database.string() + ": run " + std::to_string(runId) + " has no variants");
  return data;
}

}  // namespace citytwin::cli::report
