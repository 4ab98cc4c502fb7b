#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace citytwin::server {

// An MQTT client that subscribes to one topic filter and hands every message to a callback on its network
// thread (libmosquitto). The receiving side of MQTT notifications, for tests and `citytwin bench`.
class MqttSubscriber {
 public:
  using Handler = std::function<void(const std::string& topic, const std::string& payload)>;
  // Connects to host:port and subscribes with QoS 1; returns once the broker confirmed the subscription.
  // Throws Error when that does not happen within the timeout (or without libmosquitto).
  MqttSubscriber(const std::string& host, int port, const std::string& topicFilter, Handler handler,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  ~MqttSubscriber();
  MqttSubscriber(const MqttSubscriber&) = delete;
  MqttSubscriber& operator=(const MqttSubscriber&) = delete;

 private:
  struct State;
  State* state_;
};

}  // namespace citytwin::server
