#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace citytwin::server {

// A private mosquitto broker for tests and benchmarks: listens on 127.0.0.1 at a free port, with its
// configuration and log in a temporary folder of its own. Destroying it stops the broker (SIGTERM, then
// SIGKILL after a bounded wait), reaps it and removes the folder.
class LocalMqttBroker {
 public:
  // The mosquitto program: $CITYTWIN_MOSQUITTO, else /usr/sbin/mosquitto; nullopt when it is not there.
  static std::optional<std::filesystem::path> binary();
  // Throws Error, with the end of the broker's log, when it does not accept connections within 5 s.
  explicit LocalMqttBroker(const std::filesystem::path& binary);
  ~LocalMqttBroker();
  LocalMqttBroker(const LocalMqttBroker&) = delete;
  LocalMqttBroker& operator=(const LocalMqttBroker&) = delete;

  int port() const { return port_; }

 private:
  void stop();
  std::filesystem::path directory_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace citytwin::server
