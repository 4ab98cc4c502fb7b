#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/context/live_state.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/core/terminal.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/io/geotiff.hpp"
#include "citytwin/models/builtin_models.hpp"
#include "citytwin/scenario/scenario_parser.hpp"
#include "citytwin/scenario/scenario_run.hpp"
#include "citytwin/server/kpi_publisher.hpp"
#include "citytwin/server/live_inputs.hpp"
#include "citytwin/server/live_state_client.hpp"
#include "citytwin/server/run_json.hpp"
#include "citytwin/sim/interrupt.hpp"
#include "citytwin/sim/time_text.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

#ifdef CITYTWIN_HAS_MPI
#include "citytwin/scenario/mpi_branch_dealer.hpp"
#endif

#if __has_include(<citytwin/generate/sample_city.hpp>)
#include "citytwin/generate/sample_city.hpp"
#define CITYTWIN_HAS_GENERATOR 1
#endif

namespace citytwin::cli {
namespace {

struct RunArguments {
  std::filesystem::path scenario;
  std::filesystem::path out;
  std::filesystem::path cityOverride;
  std::string fromLive;  // base URL of an NGSI-LD service
  std::string publish;   // base URL of an NGSI-LD broker the KPIs are upserted to
  std::string token;
  int threads = 0;
  bool json = false;
};

void note(const RunArguments& arguments, const std::string& line) {
  if (!arguments.json) std::cerr << line << std::endl;
}

std::string formatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// The city the scenario names: loaded, or generated and saved first when the scenario says how.
city::CityModel obtainCity(const scenario::Scenario& spec, const RunArguments& arguments,
                           std::filesystem::path& cityPath) {
  cityPath = arguments.cityOverride.empty() ? spec.city : arguments.cityOverride;
  if (std::filesystem::exists(cityPath)) return io::loadCity(cityPath);
  if (!arguments.cityOverride.empty())
    throw Error(cityPath.string() + ": city file (--city-override) does not exist");
  if (!spec.generate) {
    throw InputError(spec.locationOf("city"),
                     "city file " + cityPath.string() +
                         " does not exist; create it with `citytwin city generate` or "
                         "`citytwin city import`, or add generate = { size_km = 2, seed = 1 }");
  }
#ifdef CITYTWIN_HAS_GENERATOR
  note(arguments, "generating the sample city (" + formatNumber(spec.generate->sizeKm) + " km, seed " +
                      std::to_string(spec.generate->seed) + ") into " + cityPath.string());
  generate::SampleCityOptions options;
  options.sizeKm = spec.generate->sizeKm;
  options.seed = spec.generate->seed;
  options.demCellM = spec.generate->demCellM;
  city::CityModel city = generate::generateSampleCity(options);
  std::filesystem::create_directories(cityPath.parent_path());
  io::saveCity(city, cityPath);
  // Read back what was saved, so a generated and a loaded city run identically.
  return io::loadCity(cityPath);
#else
  throw InputError(spec.locationOf("city"),
                   "city file " + cityPath.string() + " does not exist and this build has no city generator");
#endif
}

// A value for a table: four significant digits, no exponent for everyday magnitudes.
std::string formatTableNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

// "value (+change, +x %)" against the base; the percentage is left out where the base is 0.
std::string formatAgainstBase(double value, double base) {
  const double change = value - base;
  std::string cell = formatTableNumber(value) + " (" + (change > 0 ? "+" : "") + formatTableNumber(change);
  if (base != 0.0) {
    char percent[32];
    std::snprintf(percent, sizeof percent, ", %+.1f %%", 100.0 * change / std::abs(base));
    cell += percent;
  }
  return cell + ")";
}

// Rows: every model.kpi any variant reported, with its unit and which way is better (the models'
// definitions); columns: the base, then each variant with its change against the base.
void printComparison(const scenario::Scenario& spec, const scenario::RunOutcome& outcome,
                     const sim::ModelRegistry& registry) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& variant : outcome.variants) {
    for (const auto& [model, kpis] : variant.kpis) {
      for (const auto& [kpi, value] : kpis) {
        if (std::find(rows.begin(), rows.end(), std::make_pair(model, kpi)) == rows.end())
          rows.emplace_back(model, kpi);
      }
    }
  }
  std::sort(rows.begin(), rows.end());
  const auto definitions = registry.kpiDefinitions();
  auto definitionOf = [&](const std::string& model, const std::string& kpi) -> const sim::KpiDefinition* {
    const auto found = definitions.find(model);
    return found == definitions.end() ? nullptr : sim::findKpiDefinition(found->second, kpi);
  };
  auto valueOf = [&](std::size_t variant, const std::string& model,
                     const std::string& kpi) -> std::optional<double> {
    const auto& kpis = outcome.variants[variant].kpis;
    const auto modelFound = kpis.find(model);
    if (modelFound == kpis.end()) return std::nullopt;
    const auto kpiFound = modelFound->second.find(kpi);
    if (kpiFound == modelFound->second.end()) return std::nullopt;
    return kpiFound->second;
  };
  std::vector<std::vector<std::string>> table;  // label, unit, better, then one cell per variant
  table.push_back({"kpi", "unit", "better"});
  for (const auto& variant : outcome.variants) table.front().push_back(variant.name);
  for (const auto& [model, kpi] : rows) {
    const sim::KpiDefinition* definition = definitionOf(model, kpi);
    std::vector<std::string> line{model + "." + kpi, definition ? definition->unit : "?",
                                  !definition                                                  ? "?"
                                  : definition->direction == sim::KpiDirection::LowerIsBetter  ? "lower"
                                  : definition->direction == sim::KpiDirection::HigherIsBetter ? "higher"
                                                                                               : "-"};
    const std::optional<double> base = valueOf(0, model, kpi);
    for (std::size_t v = 0; v < outcome.variants.size(); ++v) {
      const std::optional<double> value = valueOf(v, model, kpi);
      if (!value)
        line.push_back("-");
      else if (v == 0 || !base)
        line.push_back(formatTableNumber(*value));
      else
        line.push_back(formatAgainstBase(*value, *base));
    }
    table.push_back(std::move(line));
  }
  std::vector<std::size_t> widths(table.front().size(), 0);
  for (const auto& line : table)
    for (std::size_t c = 0; c < line.size(); ++c) widths[c] = std::max(widths[c], line[c].size());

  std::printf("scenario %s: %s from %s, %zu variant%s, %.2f s\n", spec.name.c_str(),
              sim::formatDuration(spec.duration).c_str(), spec.startIso8601().c_str(),
              outcome.variants.size() - 1, outcome.variants.size() == 2 ? "" : "s", outcome.seconds);
  for (const auto& line : table) {
    for (std::size_t c = 0; c < line.size(); ++c) {
      if (c < 3)
        std::printf(c == 0 ? "%-*s" : "  %-*s", static_cast<int>(widths[c]), line[c].c_str());
      else
        std::printf("  %*s", static_cast<int>(widths[c]), line[c].c_str());
    }
    std::printf("\n");
  }
  if (rows.empty()) std::printf("(no KPIs: the scenario runs no models)\n");
  std::printf("run database: %s (run %lld)\n", outcome.database.string().c_str(),
              static_cast<long long>(outcome.runId));
}

// An ensemble's outcome: per KPI and variant the distribution over the members, then the probability of
// each threshold the scenario names.
void printDistributions(const scenario::Scenario& spec, const scenario::RunOutcome& outcome,
                        const sim::ModelRegistry& registry) {
  const auto definitions = registry.kpiDefinitions();
  std::vector<std::vector<std::string>> table{{"kpi", "unit", "variant", "mean", "std", "p5", "p50", "p95"}};
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& distribution : outcome.distributions) {
    for (const auto& kpi : distribution.kpis) {
      if (std::find(rows.begin(), rows.end(), std::make_pair(kpi.model, kpi.kpi)) == rows.end())
        rows.emplace_back(kpi.model, kpi.kpi);
    }
  }
  std::sort(rows.begin(), rows.end());
  for (const auto& [model, kpi] : rows) {
    const auto found = definitions.find(model);
    const sim::KpiDefinition* definition =
        found == definitions.end() ? nullptr : sim::findKpiDefinition(found->second, kpi);
    bool first = true;
    for (const auto& distribution : outcome.distributions) {
      for (const auto& each : distribution.kpis) {
        if (each.model != model || each.kpi != kpi) continue;
        table.push_back({first ? model + "." + kpi : "", first ? (definition ? definition->unit : "?") : "",
                         distribution.variant, formatTableNumber(each.mean), formatTableNumber(each.std),
                         formatTableNumber(each.p5), formatTableNumber(each.p50),
                         formatTableNumber(each.p95)});
        first = false;
      }
    }
  }
  std::vector<std::size_t> widths(table.front().size(), 0);
  for (const auto& line : table)
    for (std::size_t c = 0; c < line.size(); ++c) widths[c] = std::max(widths[c], line[c].size());
  std::printf("scenario %s: %s from %s, ensemble of %d members x %zu branch%s (%zu simulations), %.2f s\n",
              spec.name.c_str(), sim::formatDuration(spec.duration).c_str(), spec.startIso8601().c_str(),
              spec.memberCount(), spec.branchCount(), spec.branchCount() == 1 ? "" : "es",
              outcome.variants.size(), outcome.seconds);
  for (const auto& line : table) {
    for (std::size_t c = 0; c < line.size(); ++c) {
      if (c < 3)
        std::printf(c == 0 ? "%-*s" : "  %-*s", static_cast<int>(widths[c]), line[c].c_str());
      else
        std::printf("  %*s", static_cast<int>(widths[c]), line[c].c_str());
    }
    std::printf("\n");
  }
  if (!spec.ensemble->thresholds.empty()) std::printf("probability over the members:\n");
  for (std::size_t t = 0; t < spec.ensemble->thresholds.size(); ++t) {
    std::printf("  P(%s):", spec.ensemble->thresholds[t].text.c_str());
    for (const auto& distribution : outcome.distributions) {
      const auto& threshold = distribution.thresholds[t];
      std::printf("  %s %.3g (%zu/%zu)", distribution.variant.c_str(), threshold.probability,
                  threshold.crossing, threshold.members);
    }
    std::printf("\n");
  }
  std::printf("run database: %s (run %lld)\n", outcome.database.string().c_str(),
              static_cast<long long>(outcome.runId));
}

void runScenarioInWorld(const RunArguments& arguments, scenario::BranchDealer* dealer);

// Under mpirun or srun the run's simulations are dealt out to the ranks and rank 0 writes the run;
// otherwise MPI is never touched. A rank that fails before every rank is done with the dealing ends the
// whole run (MPI_Abort), so none is left waiting; the message says which rank.
void runScenarioCommand(const RunArguments& arguments) {
#ifdef CITYTWIN_HAS_MPI
  if (scenario::MpiSession::launched()) {
    scenario::MpiSession session;
    scenario::MpiBranchDealer dealer(session);
    try {
      runScenarioInWorld(arguments, &dealer);
    } catch (const std::exception& e) {
      if (session.size() == 1 || dealer.dealt()) throw;
      std::cerr << "citytwin: error: rank " << session.rank() << " of " << session.size() << ": " << e.what()
                << std::endl;
      session.abort(1);
    }
    return;
  }
#endif
  runScenarioInWorld(arguments, nullptr);
}

void runScenarioInWorld(const RunArguments& arguments, scenario::BranchDealer* dealer) {
  if (arguments.threads < 0) throw Error("--threads must be 0 (all cores) or a positive number");
  std::unique_ptr<tbb::global_control> limit;
  if (arguments.threads > 0) {
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                  static_cast<std::size_t>(arguments.threads));
  }
  sim::ModelRegistry registry;
  models::registerBuiltinModels(registry);
  const scenario::Scenario spec = scenario::loadScenario(arguments.scenario, registry);
  std::filesystem::path cityPath;
#ifdef CITYTWIN_HAS_MPI
  const bool recording = dealer == nullptr || dealer->recordsRun();
  // Rank 0 generates the city when it is missing; the others load it once it is there.
  const auto* world = dynamic_cast<scenario::MpiBranchDealer*>(dealer);
  if (world != nullptr && !recording) world->session().barrier();
#endif
  const city::CityModel city = obtainCity(spec, arguments, cityPath);
#ifdef CITYTWIN_HAS_MPI
  if (world != nullptr && recording) world->session().barrier();
#endif
  if (dealer != nullptr && !arguments.fromLive.empty())
    throw Error("--from-live cannot be used under mpirun: every rank would read another live state");

  scenario::RunOptions options;
  options.outDirectory =
      arguments.out.empty() ? std::filesystem::path("out") / arguments.scenario.stem() : arguments.out;
  options.threads = arguments.threads > 0 ? arguments.threads : tbb::info::default_concurrency();
  options.stop = &sim::interruptFlag();
  options.inputs.push_back({"city", cityPath.string(), fingerprintFile(cityPath)});
  options.showProgress = !arguments.json;
  options.dealer = dealer;
  options.writeRaster = [](const std::filesystem::path& file, const sim::RasterOutput& raster) {
    io::writeGeoTiff(raster.grid, raster.epsg, file);
  };
  nlohmann::json live;
  nlohmann::json liveInputs;
  std::shared_ptr<const context::LiveState> liveState;
  if (!arguments.fromLive.empty()) {
    server::LiveClientOptions client;
    client.token = arguments.token;
    // Fetched and mapped once, so every branch starts from the same observations while the feeds go on.
    liveState = std::make_shared<const context::LiveState>(
        city, server::fetchLiveEntities(arguments.fromLive, client));
    const context::LiveSnapshot& snapshot = liveState->snapshot();
    live = server::liveSnapshotJson(snapshot);
    live["url"] = arguments.fromLive;
    note(arguments, "live state from " + arguments.fromLive + ": " + std::to_string(snapshot.entities) +
                        " entities, " + std::to_string(snapshot.mapped) + " mapped onto the city");
    options.prepareState = [liveState](city::CityState& state) { liveState->applyTo(state); };
    // Which of the live state and the scenario sets each input, and observations far from the start.
    const std::vector<server::LiveInputNote> notes = server::liveInputNotes(spec, *liveState);
    for (const server::LiveInputNote& line : notes) std::cerr << line.message << std::endl;
    liveInputs = server::liveInputsJson(notes);
    options.runEvents = server::liveInputEvents(notes);
    options.inputs.push_back({"live", arguments.fromLive, fingerprintText(live.dump())});
  }
  sim::installInterruptHandlers();
  const scenario::RunOutcome outcome = scenario::runScenario(spec, city, registry, options);
  if (!outcome.recorded) return;  // an MPI rank other than 0: rank 0 reports

  if (outcome.status == store::RunStatus::Interrupted) {
    throw Error(
        "interrupted: the run stopped at t = " + formatNumber(outcome.variants.front().reachedSeconds) +
        " s and " + outcome.database.string() + " records it as interrupted");
  }
  nlohmann::json published;
  if (!arguments.publish.empty()) {
    const auto entities = server::kpiIndicatorEntities(spec, outcome, registry.kpiDefinitions(),
                                                       formatDateTime(nowMilliseconds()));
    const auto publication = server::publishKpis(arguments.publish, arguments.token, entities);
    if (publication.refused > 0) {
      throw Error("--publish " + arguments.publish + ": the broker refused " +
                  std::to_string(publication.refused) + " of " + std::to_string(publication.entities) +
                  " KPI entities: " + publication.firstError);
    }
    published = {{"url", arguments.publish}, {"entities", publication.entities}};
    note(arguments, "published " + std::to_string(publication.entities) +
                        " KeyPerformanceIndicator entities to " + arguments.publish);
  }
  if (arguments.json) {
    nlohmann::json document = server::runOutcomeJson(spec, outcome);
    if (!published.is_null()) document["published"] = published;
    if (!live.is_null()) document["live"] = live;
    if (!liveInputs.is_null()) document["inputs"] = liveInputs;
#ifdef CITYTWIN_HAS_MPI
    if (world != nullptr)
      document["mpi"] = {{"ranks", world->session().size()}, {"gathered_bytes", world->gatheredBytes()}};
#endif
    printJson(document);
  } else if (spec.ensemble) {
    printDistributions(spec, outcome, registry);
  } else {
    printComparison(spec, outcome, registry);
  }
}

void registerRunCommand(CommandTree& tree) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* run = tree.root.add_subcommand(
      "run", "Run a scenario: the base and every [[variant]], side by side, and compare their KPIs");
  run->add_option("scenario", arguments->scenario, "Scenario file (TOML, see scenarios/README.md)")
      ->required();
  run->add_option("--out", arguments->out,
                  "Output folder: run.sqlite and one folder per variant (default out/<scenario>)");
  run->add_option("--threads", arguments->threads,
                  "Worker threads (default: all cores); results do not depend on it");
  run->add_option("--city-override", arguments->cityOverride, "Use this city file instead of the scenario's");
  run->add_option(
      "--from-live", arguments->fromLive,
      "Start every branch from the live state of this NGSI-LD service (e.g. http://127.0.0.1:1026): "
      "rain, river levels, flows, loads and closures it holds now");
  run->add_option("--publish", arguments->publish,
                  "Upsert every variant's KPIs as Smart Data Models KeyPerformanceIndicator entities to this "
                  "NGSI-LD broker (e.g. http://127.0.0.1:1026)");
  run->add_option("--token", arguments->token, "Bearer token for --from-live and --publish");
  addJsonFlag(*run, arguments->json);
  run->callback([arguments] { runScenarioCommand(*arguments); });
}

const CommandGroupRegistrar registrar(60, registerRunCommand);

}  // namespace
}  // namespace citytwin::cli
