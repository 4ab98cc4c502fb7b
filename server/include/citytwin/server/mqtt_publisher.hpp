#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace citytwin::server {

// An MQTT notification endpoint as NGSI-LD writes it (GS CIM 009 clause 7.2.x, MQTT binding):
// mqtt://[user[:password]@]host[:port]/topic — the path, without its leading slash, is the topic.
struct MqttEndpoint {
  std::string host;
  int port = 1883;
  std::string topic;
  std::string user;
  std::string password;
  // Throws NgsiError BadRequestData naming what is wrong (no host, no topic, a bad port).
  static MqttEndpoint parse(const std::string& uri);
};

// Publishes MQTT messages over connections it keeps open, one per broker, user and protocol version
// (libmosquitto). Not thread-safe: one publisher per delivery worker. A publish waits, bounded by the
// timeout, until the message is handed to the broker (QoS 0: written to the socket; QoS 1 and 2: the
// broker acknowledged it); a failed connection is dropped and made again on the next publish.
class MqttPublisher {
 public:
  // Whether this build has an MQTT client (libmosquitto was found).
  static bool available();

  explicit MqttPublisher(std::chrono::milliseconds timeout);
  ~MqttPublisher();
  MqttPublisher(const MqttPublisher&) = delete;
  MqttPublisher& operator=(const MqttPublisher&) = delete;

  // qos 0, 1 or 2; mqtt5: MQTT 5.0 instead of 3.1.1. Returns whether the broker got the message.
  bool publish(const MqttEndpoint& endpoint, const std::string& payload, int qos, bool mqtt5);

 private:
  struct Connection;
  std::chrono::milliseconds timeout_;
  std::map<std::string, std::unique_ptr<Connection>> connections_;
};

}  // namespace citytwin::server
