#include "citytwin/server/mqtt_subscriber.hpp"

#include <condition_variable>
#include <mutex>

#include "citytwin/core/error.hpp"

#ifdef CITYTWIN_HAS_MOSQUITTO
#include <mosquitto.h>
#endif

namespace citytwin::server {

#ifdef CITYTWIN_HAS_MOSQUITTO

struct MqttSubscriber::State {
  mosquitto* handle = nullptr;
  Handler handler;
  std::string filter;
  std::mutex mutex;
  std::condition_variable changed;
  int connectResult = -1;
  bool subscribed = false;
};

MqttSubscriber::MqttSubscriber(const std::string& host, int port, const std::string& topicFilter,
                               Handler handler, std::chrono::milliseconds timeout)
    : state_(new State) {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
  state_->handler = std::move(handler);
  state_->filter = topicFilter;
  state_->handle = mosquitto_new(nullptr, true, state_);
  const auto fail = [&](const std::string& why) {
    if (state_->handle) {
      mosquitto_loop_stop(state_->handle, true);
      mosquitto_destroy(state_->handle);
    }
    delete state_;
    throw Error("MQTT subscriber on " + host + ":" + std::to_string(port) + ": " + why);
  };
  if (!state_->handle) fail("cannot create a client");
  mosquitto_connect_callback_set(state_->handle, [](mosquitto* handle, void* user, int result) {
    auto& state = *static_cast<State*>(user);
    if (result == 0) mosquitto_subscribe(handle, nullptr, state.filter.c_str(), 1);
    std::lock_guard lock(state.mutex);
    state.connectResult = result;
    state.changed.notify_all();
  });
  mosquitto_subscribe_callback_set(state_->handle, [](mosquitto*, void* user, int, int, const int*) {
    auto& state = *static_cast<State*>(user);
    std::lock_guard lock(state.mutex);
    state.subscribed = true;
    state.changed.notify_all();
  });
  mosquitto_message_callback_set(
      state_->handle, [](mosquitto*, void* user, const mosquitto_message* message) {
        auto& state = *static_cast<State*>(user);
        state.handler(message->topic, std::string(static_cast<const char*>(message->payload),
                                                  static_cast<std::size_t>(message->payloadlen)));
      });
  if (mosquitto_loop_start(state_->handle) != MOSQ_ERR_SUCCESS) fail("cannot start the network thread");
  if (mosquitto_connect_async(state_->handle, host.c_str(), port, 60) != MOSQ_ERR_SUCCESS)
    fail("cannot connect");
  std::unique_lock lock(state_->mutex);
  const bool ready = state_->changed.wait_for(
      lock, timeout, [&] { return state_->subscribed || state_->connectResult > 0; });
  lock.unlock();
  if (!ready || !state_->subscribed) fail("no subscription confirmed within the timeout");
}

MqttSubscriber::~MqttSubscriber() {
  mosquitto_disconnect(state_->handle);
  mosquitto_loop_stop(state_->handle, true);
  mosquitto_destroy(state_->handle);
  delete state_;
}

#else

struct MqttSubscriber::State {};
MqttSubscriber::MqttSubscriber(const std::string& host, int port, const std::string&, Handler,
                               std::chrono::milliseconds)
    : state_(nullptr) {
  throw Error("MQTT subscriber on " + host + ":" + std::to_string(port) +
              ": this citytwin was built without libmosquitto (libmosquitto-dev)");
}
MqttSubscriber::~MqttSubscriber() = default;

#endif

}  // namespace citytwin::server
