#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "citytwin/city/city_model.hpp"
#include "citytwin/context/entity_repository.hpp"
#include "citytwin/sim/model_registry.hpp"

namespace citytwin::server {

// What the service runs what-ifs on.
struct WhatIfSettings {
  std::shared_ptr<const city::CityModel> city;  // the served city: every scenario runs on it
  std::filesystem::path cityPath;               // its file, recorded as the run's city input
  std::filesystem::path outRoot;                // each job's run goes to outRoot/<job id>
  // The models scenarios may name; null: every built-in model (models::registerBuiltinModels).
  std::shared_ptr<const sim::ModelRegistry> models;
};

// What-if jobs: a scenario (TOML text) posted to the service, parsed with the scenario library on the served
// city (its `city` key may be left out) and run by the scenario runner from the live state the store holds
// when the job starts. Accepted at once, run one at a time on a background thread (a run already uses
// every core through TBB, so running two side by side would only slow both), kept in memory for polling.
class WhatIfJobs {
 public:
  // `store` must outlive the jobs.
  WhatIfJobs(WhatIfSettings settings, const context::EntityRepository& store, std::size_t maxWaiting = 4,
             std::size_t maxKept = 100);
  ~WhatIfJobs();
  WhatIfJobs(const WhatIfJobs&) = delete;
  WhatIfJobs& operator=(const WhatIfJobs&) = delete;

  // Checks and queues a scenario; returns the job's status document. Throws NgsiError: BadRequestData
  // when the scenario is invalid, ServiceUnavailable when maxWaiting jobs already wait.
  nlohmann::json submit(std::string scenarioToml);
  // {"id", "status": queued|running|completed|failed|interrupted, "submittedAt", "startedAt",
  //  "finishedAt", "result" (completed) or "error" (failed)}; nullopt for an unknown id.
  std::optional<nlohmann::json> status(const std::string& id) const;
  // Interrupts the running job, drops the waiting ones and joins the thread.
  void stop();

 private:
  struct Job {
    std::string scenario;
    nlohmann::json document;
  };
  void check(const std::string& scenarioToml) const;
  // The run's result document: KPIs per variant, the live state it started from, its database.
  nlohmann::json run(const std::string& scenarioToml, const std::string& id) const;
  void work();
  void forgetOldest();

  WhatIfSettings settings_;
  const context::EntityRepository& store_;
  std::size_t maxWaiting_;
  std::size_t maxKept_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Job> jobs_;
  std::deque<std::string> waiting_;
  std::deque<std::string> order_;  // every kept job, oldest first
  std::size_t next_ = 1;
  bool stopping_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace citytwin::server
