#include "citytwin/server/whatif_jobs.hpp"

#include <tbb/info.h>

#include <algorithm>
#include <fstream>

#include "citytwin/context/live_state.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/io/geotiff.hpp"
#include "citytwin/models/builtin_models.hpp"
#include "citytwin/scenario/scenario_parser.hpp"
#include "citytwin/scenario/scenario_run.hpp"
#include "citytwin/server/live_inputs.hpp"
#include "citytwin/server/ngsi_error.hpp"
#include "citytwin/server/run_json.hpp"

namespace citytwin::server {

namespace {

std::string nowText() {
  return formatDateTime(nowMilliseconds());
}

}  // namespace

WhatIfJobs::WhatIfJobs(WhatIfSettings settings, const context::EntityRepository& store,
                       std::size_t maxWaiting, std::size_t maxKept)
    : settings_(std::move(settings)),
      store_(store),
      maxWaiting_(maxWaiting),
      maxKept_(std::max<std::size_t>(maxKept, maxWaiting + 1)) {
  if (!settings_.city) throw Error("what-if jobs: no city to run them on");
  settings_.cityPath = std::filesystem::absolute(settings_.cityPath);
  if (!settings_.models) {
    auto builtins = std::make_shared<sim::ModelRegistry>();
    models::registerBuiltinModels(*builtins);
    settings_.models = std::move(builtins);
  }
  thread_ = std::thread([this] { work(); });
}

WhatIfJobs::~WhatIfJobs() {
  stop();
}

void WhatIfJobs::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    stop_.store(true);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WhatIfJobs::check(const std::string& scenarioToml) const {
  const scenario::Scenario spec = scenario::parseScenario(scenarioToml, settings_.outRoot / "whatif.toml",
                                                          *settings_.models, {settings_.cityPath});
  scenario::checkAgainstCity(spec, *settings_.city);
}

nlohmann::json WhatIfJobs::run(const std::string& scenarioToml, const std::string& id) const {
  const std::filesystem::path directory = settings_.outRoot / id;
  std::filesystem::create_directories(directory);
  const std::filesystem::path file = directory / "scenario.toml";
  std::ofstream(file) << scenarioToml;
  const scenario::Scenario spec =
      scenario::parseScenario(scenarioToml, file, *settings_.models, {settings_.cityPath});
  // Taken once, so every branch starts from the same observations while the feeds go on.
  const context::LiveState live(*settings_.city, context::liveEntities(store_));
  scenario::RunOptions options;
  options.outDirectory = directory;
  options.stop = &stop_;
  options.threads = tbb::info::default_concurrency();
  options.inputs.push_back({"city", settings_.cityPath.string(), fingerprintFile(settings_.cityPath)});
  options.showProgress = false;
  options.prepareState = [&live](city::CityState& state) { live.applyTo(state); };
  const std::vector<LiveInputNote> notes = liveInputNotes(spec, live);
  options.runEvents = liveInputEvents(notes);
  options.writeRaster = [](const std::filesystem::path& path, const sim::RasterOutput& raster) {
    io::writeGeoTiff(raster.grid, raster.epsg, path);
  };
  const scenario::RunOutcome outcome =
      scenario::runScenario(spec, *settings_.city, *settings_.models, options);
  nlohmann::json result = runOutcomeJson(spec, outcome);
  result["live"] = liveSnapshotJson(live.snapshot());
  result["inputs"] = liveInputsJson(notes);
  result["completed"] = outcome.status == store::RunStatus::Completed;
  result["database"] = outcome.database.string();
  result["run_id"] = outcome.runId;
  return result;
}

nlohmann::json WhatIfJobs::submit(std::string scenarioToml) {
  // Checked on the request's thread, so a bad scenario is refused with 400 instead of becoming a failed job.
  try {
    check(scenarioToml);
  } catch (const Error& e) {
    // The message names the posted text as the client knows it (its body, line by line), not the
    // service's own path used to resolve relative files.
    std::string message = e.what();
    const std::string internal = (settings_.outRoot / "whatif.toml").string();
    for (auto at = message.find(internal); at != std::string::npos; at = message.find(internal)) {
      message.replace(at, internal.size(), "request body");
    }
    throw NgsiError(NgsiErrorType::BadRequestData, "scenario: " + message);
  }
  const std::lock_guard lock(mutex_);
  if (stopping_) throw NgsiError(NgsiErrorType::ServiceUnavailable, "the service is stopping");
  if (waiting_.size() >= maxWaiting_) {
    throw NgsiError(NgsiErrorType::ServiceUnavailable,
                    std::to_string(waiting_.size()) + " what-ifs are already waiting; try again later");
  }
  const std::string id = "whatif-" + std::to_string(next_++);
  Job job;
  job.scenario = std::move(scenarioToml);
  job.document = {{"id", id}, {"status", "queued"}, {"submittedAt", nowText()}};
  const nlohmann::json document = job.document;
  jobs_.emplace(id, std::move(job));
  order_.push_back(id);
  waiting_.push_back(id);
  forgetOldest();
  wake_.notify_all();
  return document;
}

std::optional<nlohmann::json> WhatIfJobs::status(const std::string& id) const {
  const std::lock_guard lock(mutex_);
  const auto found = jobs_.find(id);
  if (found == jobs_.end()) return std::nullopt;
  return found->second.document;
}

void WhatIfJobs::forgetOldest() {
  // Only finished jobs are forgotten; waiting and running ones are bounded by maxWaiting_ + 1.
  for (auto it = order_.begin(); order_.size() > maxKept_ && it != order_.end();) {
    const auto job = jobs_.find(*it);
    const std::string state = job->second.document["status"];
    if (state == "queued" || state == "running") {
      ++it;
      continue;
    }
    jobs_.erase(job);
    it = order_.erase(it);
  }
}

void WhatIfJobs::work() {
  for (;;) {
    std::string id;
    std::string scenario;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) {
        for (const auto& waitingId : waiting_) {
          jobs_[waitingId].document["status"] = "interrupted";
        }
        waiting_.clear();
        return;
      }
      id = waiting_.front();
      waiting_.pop_front();
      Job& job = jobs_.at(id);
      job.document["status"] = "running";
      job.document["startedAt"] = nowText();
      scenario = job.scenario;
    }
    nlohmann::json result;
    std::string error;
    try {
      result = run(scenario, id);
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "unknown error";
    }
    const std::lock_guard lock(mutex_);
    nlohmann::json& document = jobs_.at(id).document;
    document["finishedAt"] = nowText();
    if (!error.empty()) {
      document["status"] = stop_.load() ? "interrupted" : "failed";
      document["error"] = error;
    } else {
      document["status"] = result.value("completed", true) ? "completed" : "interrupted";
      document["result"] = std::move(result);
    }
    jobs_.at(id).scenario.clear();
  }
}

}  // namespace citytwin::server
