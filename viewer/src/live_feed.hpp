#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/viewer/live_feed.hpp"

namespace citytwin::viewer {

// The observed values of one poll: per layer and column, one value per object, NaN where nothing was
// observed (so unobserved objects keep their usual colour rather than showing a zero).
struct LiveValues {
  std::map<std::pair<city::Layer, std::string>, std::vector<float>> columns;
  const std::vector<float>* find(city::Layer layer, const std::string& column) const {
    const auto found = columns.find({layer, column});
    return found == columns.end() ? nullptr : &found->second;
  }
};

// Polls an NGSI-LD service on a background thread through the engine's live-state client, so a slow or
// unreachable service never holds up a frame; failures are reported and retried at the next interval.
class LiveFeed {
 public:
  // The city must outlive the feed.
  LiveFeed(const city::CityModel& city, LiveOptions options);
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // The values of the last successful poll; nullptr before the first one. A new poll gives a new pointer.
  std::shared_ptr<const LiveValues> values() const;
  LiveStatus status() const;
  // Waits until the first poll has finished (successfully or not); false on timeout.
  bool waitForFirstPoll(std::chrono::milliseconds timeout) const;

 private:
  void run();
  void pollOnce();

  const city::CityModel& city_;
  LiveOptions options_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopping_ = false;
  LiveStatus status_;
  std::shared_ptr<const LiveValues> values_;
  std::thread thread_;
};

}  // namespace citytwin::viewer
