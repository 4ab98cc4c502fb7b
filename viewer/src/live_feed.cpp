#include "live_feed.hpp"

#include <ctime>
#include <exception>
#include <limits>
#include <unordered_map>

#include "citytwin/context/live_state_client.hpp"
#include "id_index.hpp"

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
  context::LiveClientOptions client;
  client.token = options_.token;
  client.timeoutSeconds = options_.timeoutS;
  try {
    // A fresh state each poll: an entity deleted from the service no longer shows.
    city::CityState state(city_);
    const context::LiveSnapshot snapshot = context::applyLiveState(options_.url, city_, state, client);
    const std::unordered_map<city::Layer, std::unordered_map<std::string, std::size_t>> ids = {
        {city::Layer::Building, indexById(city_.buildings)},
        {city::Layer::RoadLink, indexById(city_.roads.links)},
        {city::Layer::Sensor, indexById(city_.sensors)},
        {city::Layer::Substation, indexById(city_.grid.substations)}};
    auto values = std::make_shared<LiveValues>();
    // The state holds zeros for objects nobody observed; only what a mapped entity wrote is a live value.
    for (const context::MappingOutcome& outcome : snapshot.outcomes) {
      for (const std::string& qualified : outcome.columns) {
        const auto dot = qualified.find('.');
        if (dot == std::string::npos) continue;
        const city::Layer layer = city::layerFromString(qualified.substr(0, dot));
        const std::string column = qualified.substr(dot + 1);
        const auto index = ids.find(layer);
        if (index == ids.end() || !state.has(layer, column)) continue;
        const std::vector<double>& written = state.column(layer, column);
        auto [slot, inserted] = values->columns.try_emplace({layer, column});
        if (inserted) slot->second.assign(written.size(), std::numeric_limits<float>::quiet_NaN());
        for (const std::string& object : outcome.objects) {
          const auto found = index->second.find(object);
          if (found != index->second.end())
            slot->second[found->second] = static_cast<float>(written[found->second]);
        }
      }
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
