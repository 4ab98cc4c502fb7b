#include "live_feed.hpp"

#include <ctime>
#include <exception>
#include <limits>

#include "citytwin/context/live_state.hpp"
#include "citytwin/server/live_state_client.hpp"

namespace citytwin::viewer {
namespace {

std::string utcClock() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[16];
  std::strftime(text, sizeof(text), "%H:%M:%S", &parts);
  return text;
}

}  // namespace

LiveFeed::LiveFeed(const city::CityModel& city, LiveOptions options)
    : city_(city), options_(std::move(options)) {
  status_.enabled = true;
  thread_ = std::thread([this] { run(); });
}

LiveFeed::~LiveFeed() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

std::shared_ptr<const LiveValues> LiveFeed::values() const {
  std::lock_guard lock(mutex_);
  return values_;
}

LiveStatus LiveFeed::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

bool LiveFeed::waitForFirstPoll(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return status_.polls > 0; });
}

void LiveFeed::run() {
  const auto interval = std::chrono::duration<double>(options_.pollIntervalS);
  while (true) {
    pollOnce();
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, interval, [this] { return stopping_; })) return;
  }
}

void LiveFeed::pollOnce() {
  server::LiveClientOptions client;
  client.token = options_.token;
  client.timeoutSeconds = options_.timeoutS;
  try {
    // Fetched afresh each poll: an entity deleted from the service no longer shows.
    const context::LiveState live(city_, server::fetchLiveEntities(options_.url, client));
    const context::LiveSnapshot& snapshot = live.snapshot();
    const city::CityState layers(city_);  // the object count of each layer
    auto values = std::make_shared<LiveValues>();
    // Objects nobody observed have no live value (NaN); what the mapping wrote does, the latest write winning.
    for (const context::CityStateWrite& write : live.writes()) {
      auto [slot, inserted] = values->columns.try_emplace({write.layer, write.column});
      if (inserted) slot->second.assign(layers.objectCount(write.layer), std::numeric_limits<float>::quiet_NaN());
      slot->second[write.index] = static_cast<float>(write.value);
    }
    std::lock_guard lock(mutex_);
    values_ = std::move(values);
    status_.updated = true;
    status_.lastUpdateUtc = utcClock();
    status_.error.clear();
    status_.entities = snapshot.entities;
    status_.mapped = snapshot.mapped;
    ++status_.polls;
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    status_.error = e.what();
    ++status_.polls;
  }
  changed_.notify_all();
}

}  // namespace citytwin::viewer
