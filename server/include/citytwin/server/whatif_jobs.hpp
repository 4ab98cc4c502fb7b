#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

namespace citytwin::context {

// How the service runs what-ifs. The service cannot link the domain models, so the command line that
// starts it supplies these.
struct WhatIfRunner {
  // Validates a scenario (TOML text) before it is accepted; throws citytwin::Error naming what is wrong.
  std::function<void(const std::string& scenarioToml)> check;
  // Runs the scenario from the live state as it is when the job starts and returns its result document
  // (KPIs per variant). Called on the job thread; `stop` is set when the service shuts down.
  std::function<nlohmann::json(const std::string& scenarioToml, const std::string& jobId,
                               const std::atomic<bool>& stop)>
      run;
};

// What-if jobs: accepted at once, run one at a time on a background thread (a run already uses every
// core through TBB, so running two side by side would only slow both), kept in memory for polling.
class WhatIfJobs {
 public:
  explicit WhatIfJobs(WhatIfRunner runner, std::size_t maxWaiting = 4, std::size_t maxKept = 100);
  ~WhatIfJobs();
  WhatIfJobs(const WhatIfJobs&) = delete;
  WhatIfJobs& operator=(const WhatIfJobs&) = delete;

  // Checks and queues a scenario; returns the job's status document. Throws NgsiError: BadRequestData
  // when the check fails, ServiceUnavailable when maxWaiting jobs already wait.
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
  void work();
  void forgetOldest();

  WhatIfRunner runner_;
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

}  // namespace citytwin::context
