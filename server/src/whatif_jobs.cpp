#include "citytwin/context/whatif_jobs.hpp"

#include <algorithm>

#include "citytwin/context/date_time.hpp"
#include "citytwin/context/ngsi_error.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::context {

namespace {

std::string nowText() {
  return formatDateTime(nowMilliseconds());
}

}  // namespace

WhatIfJobs::WhatIfJobs(WhatIfRunner runner, std::size_t maxWaiting, std::size_t maxKept)
    : runner_(std::move(runner)),
      maxWaiting_(maxWaiting),
      maxKept_(std::max<std::size_t>(maxKept, maxWaiting + 1)) {
  if (!runner_.check || !runner_.run) throw Error("what-if jobs: the runner needs both check and run");
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

nlohmann::json WhatIfJobs::submit(std::string scenarioToml) {
  // Checked on the request's thread, so a bad scenario is refused with 400 instead of becoming a failed job.
  try {
    runner_.check(scenarioToml);
  } catch (const Error& e) {
    throw NgsiError(NgsiErrorType::BadRequestData, std::string("scenario: ") + e.what());
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
      result = runner_.run(scenario, id, stop_);
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

}  // namespace citytwin::context
