// libFuzzer target for the mqtt:// notification endpoints of subscriptions (MqttEndpoint::parse): any byte
// string, behind "mqtt://" or as it is, must parse or end in an NgsiError — never a crash or undefined
// behaviour — and a parsed endpoint always has a host, a topic and a TCP port.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "citytwin/server/mqtt_publisher.hpp"
#include "citytwin/server/ngsi_error.hpp"

using citytwin::server::MqttEndpoint;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const std::string& uri : {text, "mqtt://" + text}) {
    try {
      const MqttEndpoint endpoint = MqttEndpoint::parse(uri);
      if (endpoint.host.empty() || endpoint.topic.empty() || endpoint.port <= 0 || endpoint.port > 65535)
        std::abort();
    } catch (const citytwin::server::NgsiError&) {
    }
  }
  return 0;
}
