// Runs through the engine's scenario runner (scenario::runScenario), one branch at a time for a
// distributed run (each on its own worker, recorded afterwards as one run), and the run folder's reader.
#include <pybind11/stl.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "bindings.hpp"
#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/io/geotiff.hpp"
#include "citytwin/scenario/scenario_run.hpp"
#include "citytwin/sim/branch.hpp"
#include "citytwin/store/run_database.hpp"
#include "citytwin/store/run_database_reader.hpp"
#include "native_scenario.hpp"
#include "raster_array.hpp"
#include "shared_state.hpp"

namespace py = pybind11;

namespace citytwin::python {
namespace {

sim::RasterWriter geoTiffWriter() {
  return [](const std::filesystem::path& file, const sim::RasterOutput& raster) {
    io::writeGeoTiff(raster.grid, raster.epsg, file);
  };
}

std::unique_ptr<tbb::global_control> limitThreads(int threads) {
  if (threads < 0) throw Error("threads must be None (all cores) or a positive number");
  if (threads == 0) return nullptr;
  return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                               static_cast<std::size_t>(threads));
}

std::vector<store::RunInput> cityInputs(const scenario::Scenario& spec) {
  return {{"city", spec.city.string(), fingerprintFile(spec.city)}};
}

// As `citytwin run` does: the scenario's branches side by side, outputs and run.sqlite in `out`.
std::int64_t runLocally(const NativeScenario& native, const std::string& out, int threads) {
  py::gil_scoped_release release;
  const auto limit = limitThreads(threads);
  const scenario::Scenario& spec = native.spec;
  const std::shared_ptr<const city::CityModel> city = obtainScenarioCity(spec);
  scenario::RunOptions options;
  options.outDirectory = out;
  options.threads = threads > 0 ? threads : tbb::info::default_concurrency();
  options.inputs = cityInputs(spec);
  options.showProgress = false;
  options.writeRaster = geoTiffWriter();
  const scenario::RunOutcome outcome = scenario::runScenario(spec, *city, modelRegistry(), options);
  if (outcome.status != store::RunStatus::Completed) throw Error("the run did not complete");
  return outcome.runId;
}

void writeKpisJson(const std::string& name, double reachedSeconds,
                   const std::map<std::string, sim::Kpis>& kpis, const std::filesystem::path& directory) {
  nlohmann::json document;
  document["variant"] = name;
  document["completed"] = true;
  document["reached_s"] = reachedSeconds;
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [model, each] : kpis) {
    for (const auto& [kpi, value] : each) values[model + "." + kpi] = value;
  }
  document["kpis"] = values;
  AtomicOutput output(directory / "kpis.json");
  {
    std::ofstream file(output.temporaryPath());
    file << document.dump(2) << '\n';
    if (!file) throw Error(output.finalPath().string() + ": cannot write");
  }
  output.commit();
}

// One branch (0 = base) run to its end, its files written into `directory`; returns what the run database
// records of it.
py::dict runBranch(const NativeScenario& native, std::size_t index, const std::string& directory,
                   int threads) {
  const scenario::Scenario& spec = native.spec;
  std::map<std::string, sim::Kpis> kpis;
  std::vector<std::tuple<std::string, std::string, double, double>> series;
  std::vector<std::tuple<double, std::string, std::string, std::string, std::string>> events;
  double reached = 0.0;
  {
    py::gil_scoped_release release;
    const auto limit = limitThreads(threads);
    const std::shared_ptr<const city::CityModel> city = obtainScenarioCity(spec);
    scenario::validate(spec, modelRegistry());
    scenario::checkAgainstCity(spec, *city);
    std::filesystem::create_directories(directory);
    sim::Branch branch(scenario::makeBranchSpec(spec, index, *city, directory), modelRegistry());
    branch.run();
    branch.writeOutputs(directory, geoTiffWriter());
    kpis = branch.currentKpis();
    reached = sim::toSeconds(branch.now());
    writeKpisJson(spec.branchName(index), reached, kpis, directory);
    for (const sim::KpiSample& sample : branch.kpiSeries()) {
      series.emplace_back(branch.modelName(sample.model), branch.kpiName(sample.kpi),
                          sim::toSeconds(sample.t), sample.value);
    }
    for (const sim::Event& event : branch.events()) {
      events.emplace_back(sim::toSeconds(event.time), event.source, event.kind, event.entity, event.message);
    }
  }
  py::dict result;
  result["index"] = index;
  result["name"] = spec.branchName(index);
  result["reached_s"] = reached;
  result["kpis"] = kpis;
  result["series"] = series;
  result["events"] = events;
  return result;
}

// Records branches run one by one (runBranch, e.g. on other machines) in `out`/run.sqlite as one run, as
// the scenario runner records a local run.
std::int64_t recordRun(const NativeScenario& native, const std::string& out, const py::list& branches,
                       int threads, double seconds) {
  const scenario::Scenario& spec = native.spec;
  struct Recorded {
    std::size_t index;
    double reached;
    std::map<std::string, sim::Kpis> kpis;
    std::vector<std::tuple<std::string, std::string, double, double>> series;
    std::vector<std::tuple<double, std::string, std::string, std::string, std::string>> events;
  };
  std::vector<Recorded> recorded;
  for (const py::handle item : branches) {
    const py::dict branch = item.cast<py::dict>();
    recorded.push_back(
        {branch["index"].cast<std::size_t>(), branch["reached_s"].cast<double>(),
         branch["kpis"].cast<std::map<std::string, sim::Kpis>>(),
         branch["series"].cast<std::vector<std::tuple<std::string, std::string, double, double>>>(),
         branch["events"]
             .cast<std::vector<std::tuple<double, std::string, std::string, std::string, std::string>>>()});
  }
  py::gil_scoped_release release;
  std::filesystem::create_directories(out);
  store::RunDatabase database(std::filesystem::path(out) / "run.sqlite");
  store::RunDescription description{spec.file.string(), spec.name, spec.text, {}, threads};
  description.inputs.push_back({"scenario", spec.file.string(), fingerprintText(spec.text)});
  const auto inputs = cityInputs(spec);
  description.inputs.insert(description.inputs.end(), inputs.begin(), inputs.end());
  const std::int64_t runId = database.beginRun(description);
  const auto results = database.beginResults(runId);
  for (const Recorded& branch : recorded) {
    const std::int64_t variantId = results->addVariant(
        {static_cast<int>(branch.index), spec.branchName(branch.index), spec.branchDescription(branch.index),
         store::RunStatus::Completed, branch.reached, sim::toSeconds(spec.duration)});
    for (const auto& [model, kpi, t, value] : branch.series)
      results->addKpiSample(variantId, model, kpi, t, value);
    for (const auto& [model, values] : branch.kpis) {
      for (const auto& [kpi, value] : values) results->addFinalKpi(variantId, model, kpi, value);
    }
    for (const auto& [t, source, kind, entity, message] : branch.events)
      results->addEvent(variantId, t, source, kind, entity, message);
  }
  results->commit(store::RunStatus::Completed, "", seconds);
  return runId;
}

// The latest run recorded in `out`/run.sqlite: {"run_id", "status", "scenario", "variants": [{"name",
// "description", "status", "kpis": {"<model>.<kpi>": value}}]}.
py::dict readRun(const std::string& out) {
  const std::filesystem::path file = std::filesystem::path(out) / "run.sqlite";
  if (!std::filesystem::exists(file)) throw Error(out + ": no run.sqlite here (not a run folder)");
  store::RunDatabaseReader reader(file);
  const std::int64_t runId = reader.latestRunId();
  if (runId == 0) throw Error(file.string() + ": holds no run");
  const store::RunRecord record = reader.run(runId);
  py::list variants;
  for (const store::StoredVariant& variant : reader.variants(runId)) {
    py::dict kpis;
    for (const store::KpiSample& sample : reader.finalKpis(variant.id))
      kpis[py::str(sample.model + "." + sample.kpi)] = sample.value;
    py::dict entry;
    entry["name"] = variant.record.name;
    // The ensemble member, None outside an ensemble (where every member shares its variant's name).
    entry["member"] = variant.record.member >= 0 ? py::object(py::int_(variant.record.member)) : py::object(py::none());
    entry["description"] = variant.record.description;
    entry["status"] = std::string(store::runStatusName(variant.record.status));
    entry["kpis"] = kpis;
    variants.append(entry);
  }
  py::dict result;
  result["run_id"] = runId;
  result["status"] = std::string(store::runStatusName(record.status));
  result["scenario"] = record.scenarioName;
  result["variants"] = variants;
  return result;
}

}  // namespace

void bindRun(py::module_& module) {
  module.def("run_scenario", &runLocally, py::arg("scenario"), py::arg("out"), py::arg("threads"),
             "Runs every branch of the scenario side by side into `out`; returns the run id.");
  module.def("run_branch", &runBranch, py::arg("scenario"), py::arg("index"), py::arg("directory"),
             py::arg("threads"), "Runs one branch (0 = base) into `directory`; returns its record.");
  module.def("record_run", &recordRun, py::arg("scenario"), py::arg("out"), py::arg("branches"),
             py::arg("threads"), py::arg("seconds"),
             "Records branches run one by one as one run in out/run.sqlite.");
  module.def("read_run", &readRun, py::arg("out"), "The latest run recorded in out/run.sqlite.");
  module.def(
      "read_raster",
      [](const std::string& path) {
        int epsg = 0;
        geo::RasterGrid grid;
        {
          py::gil_scoped_release release;
          grid = io::readRaster(path, &epsg);
        }
        return rasterTuple(grid, epsg);
      },
      py::arg("path"), "(array, geotransform, crs) of a GeoTIFF.");
}

}  // namespace citytwin::python
