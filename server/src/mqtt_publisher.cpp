#include "citytwin/server/mqtt_publisher.hpp"

#include <charconv>
#include <condition_variable>
#include <mutex>
#include <set>

#include "citytwin/server/ngsi_error.hpp"

#ifdef CITYTWIN_HAS_MOSQUITTO
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif

namespace citytwin::server {

MqttEndpoint MqttEndpoint::parse(const std::string& uri) {
  const auto bad = [&](const std::string& why) {
    throw NgsiError(NgsiErrorType::BadRequestData, "MQTT endpoint '" + uri + "': " + why);
  };
  constexpr std::string_view scheme = "mqtt://";
  if (!uri.starts_with(scheme)) bad("must start with mqtt://");
  MqttEndpoint endpoint;
  const auto slash = uri.find('/', scheme.size());
  if (slash == std::string::npos || slash + 1 >= uri.size())
    bad("needs a topic as its path (mqtt://host:port/topic)");
  endpoint.topic = uri.substr(slash + 1);
  if (endpoint.topic.find_first_of("+#") != std::string::npos)
    bad("a topic to publish to cannot hold + or #");
  std::string authority = uri.substr(scheme.size(), slash - scheme.size());
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    const std::string credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = credentials.find(':');
    endpoint.user = credentials.substr(0, colon);
    if (colon != std::string::npos) endpoint.password = credentials.substr(colon + 1);
  }
  std::string host = authority;
  if (const auto colon = authority.rfind(':');
      colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    host = authority.substr(0, colon);
    const std::string port = authority.substr(colon + 1);
    int value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value <= 0 || value > 65535)
      bad("port '" + port + "' is not a TCP port");
    endpoint.port = value;
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) bad("needs a host");
  endpoint.host = host;
  return endpoint;
}

#ifdef CITYTWIN_HAS_MOSQUITTO

namespace {
void initialiseLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}
}  // namespace

// One broker connection with libmosquitto's network thread; the callbacks record what the broker answered.
struct MqttPublisher::Connection {
  mosquitto* handle = nullptr;
  std::mutex mutex;
  std::condition_variable changed;
  int connectResult = -1;  // -1: not answered yet; 0: accepted
  bool lost = false;
  std::set<int> published;  // message ids handed over, not yet collected by publish()

  ~Connection() {
    if (!handle) return;
    mosquitto_disconnect(handle);
    mosquitto_loop_stop(handle, true);
    mosquitto_destroy(handle);
  }

  static Connection& of(void* user) { return *static_cast<Connection*>(user); }

  bool open(const MqttEndpoint& endpoint, bool mqtt5, std::chrono::milliseconds timeout) {
    handle = mosquitto_new(nullptr, true, this);
    if (!handle) return false;
    if (mqtt5) mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    if (!endpoint.user.empty()) {
      mosquitto_username_pw_set(handle, endpoint.user.c_str(),
                                endpoint.password.empty() ? nullptr : endpoint.password.c_str());
    }
    mosquitto_connect_callback_set(handle, [](mosquitto*, void* user, int result) {
      auto& connection = of(user);
      std::lock_guard lock(connection.mutex);
      connection.connectResult = result;
      connection.changed.notify_all();
    });
    mosquitto_disconnect_callback_set(handle, [](mosquitto*, void* user, int) {
      auto& connection = of(user);
      std::lock_guard lock(connection.mutex);
      connection.lost = true;
      connection.changed.notify_all();
    });
    mosquitto_publish_callback_set(handle, [](mosquitto*, void* user, int id) {
      auto& connection = of(user);
      std::lock_guard lock(connection.mutex);
      connection.published.insert(id);
      connection.changed.notify_all();
    });
    if (mosquitto_loop_start(handle) != MOSQ_ERR_SUCCESS) return false;
    // Non-blocking connect: a host that never answers is bounded by the timeout, not by the kernel's.
    if (mosquitto_connect_async(handle, endpoint.host.c_str(), endpoint.port, 60) != MOSQ_ERR_SUCCESS)
      return false;
    std::unique_lock lock(mutex);
    changed.wait_for(lock, timeout, [&] { return connectResult >= 0 || lost; });
    return connectResult == 0 && !lost;
  }

  bool publish(const std::string& topic, const std::string& payload, int qos,
               std::chrono::milliseconds timeout) {
    int id = 0;
    if (mosquitto_publish(handle, &id, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos,
                          false) != MOSQ_ERR_SUCCESS) {
      return false;
    }
    std::unique_lock lock(mutex);
    if (!changed.wait_for(lock, timeout, [&] { return published.count(id) != 0 || lost; })) return false;
    return published.erase(id) != 0;
  }
};

bool MqttPublisher::available() {
  return true;
}

MqttPublisher::MqttPublisher(std::chrono::milliseconds timeout) : timeout_(timeout) {
  initialiseLibrary();
}

MqttPublisher::~MqttPublisher() = default;

bool MqttPublisher::publish(const MqttEndpoint& endpoint, const std::string& payload, int qos, bool mqtt5) {
  const std::string key =
      endpoint.user + "@" + endpoint.host + ":" + std::to_string(endpoint.port) + (mqtt5 ? "/5" : "/3");
  auto found = connections_.find(key);
  if (found == connections_.end()) {
    auto connection = std::make_unique<Connection>();
    if (!connection->open(endpoint, mqtt5, timeout_)) return false;
    found = connections_.emplace(key, std::move(connection)).first;
  }
  if (found->second->publish(endpoint.topic, payload, qos, timeout_)) return true;
  connections_.erase(found);  // made again on the next publish
  return false;
}

#else

struct MqttPublisher::Connection {};
bool MqttPublisher::available() {
  return false;
}
MqttPublisher::MqttPublisher(std::chrono::milliseconds timeout) : timeout_(timeout) {}
MqttPublisher::~MqttPublisher() = default;
bool MqttPublisher::publish(const MqttEndpoint&, const std::string&, int, bool) {
  return false;
}

#endif

}  // namespace citytwin::server
