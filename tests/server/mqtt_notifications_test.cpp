// Subscriptions with mqtt:// endpoints, end to end: the service publishes to a private mosquitto broker on
// 127.0.0.1 (started and stopped by the test) and a libmosquitto subscriber receives what it published.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "citytwin/server/context_service.hpp"
#include "citytwin/server/local_mqtt_broker.hpp"
#include "citytwin/server/mqtt_publisher.hpp"
#include "citytwin/server/mqtt_subscriber.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/skip_registry.hpp"

using namespace citytwin::server;
using nlohmann::json;

namespace {

// What the subscriber received, waited for with a bound.
struct Inbox {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::pair<std::string, json>> messages;  // topic, payload

  MqttSubscriber::Handler handler() {
    return [this](const std::string& topic, const std::string& payload) {
      std::lock_guard lock(mutex);
      messages.emplace_back(topic, json::parse(payload, nullptr, false));
      arrived.notify_all();
    };
  }
  std::size_t waitFor(std::size_t n, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    std::unique_lock lock(mutex);
    arrived.wait_for(lock, limit, [&] { return messages.size() >= n; });
    return messages.size();
  }
  std::pair<std::string, json> at(std::size_t i) {
    std::lock_guard lock(mutex);
    return messages.at(i);
  }
};

struct Service {
  explicit Service(const std::string& name) {
    ServiceOptions options;
    options.port = 0;
    options.threads = 4;
    options.contextFetch.offline = true;
    options.databasePath = citytwin::testing::scratchDirectory() / (name + ".sqlite");
    service = std::make_unique<ContextService>(options);
    client = std::make_unique<httplib::Client>("127.0.0.1", service->start());
    client->set_read_timeout(10);
  }
  ~Service() { service->stop(); }
  int post(const std::string& path, const json& body) {
    const auto result = client->Post(path.c_str(), body.dump(), "application/json");
    return result ? result->status : -1;
  }
  int upsert(const json& entity) {
    return post("/ngsi-ld/v1/entityOperations/upsert", json::array({entity}));
  }
  std::unique_ptr<ContextService> service;
  std::unique_ptr<httplib::Client> client;
};

json sensor(const std::string& id, double temperature) {
  return {{"id", id}, {"type", "Sensor"}, {"temperature", {{"type", "Property"}, {"value", temperature}}}};
}

json mqttSubscription(const std::string& id, const std::string& uri, const std::string& qos) {
  return {{"id", id},
          {"type", "Subscription"},
          {"entities", json::array({{{"type", "Sensor"}}})},
          {"q", "temperature>20"},
          {"notification",
           {{"format", "keyValues"},
            {"endpoint",
             {{"uri", uri},
              {"accept", "application/json"},
              {"receiverInfo", json::array({{{"key", "X-Site"}, {"value", "monaco"}}})},
              {"notifierInfo", json::array({{{"key", "MQTT-QoS"}, {"value", qos}}})}}}}}};
}

bool mqttTestable() {
  if (!MqttPublisher::available()) {
    citytwin::testing::recordSkip("built without libmosquitto (libmosquitto-dev)");
    return false;
  }
  if (!LocalMqttBroker::binary()) {
    citytwin::testing::recordSkip("mosquitto is not installed (/usr/sbin/mosquitto or $CITYTWIN_MOSQUITTO)");
    return false;
  }
  return true;
}

}  // namespace

TEST_CASE("MQTT endpoints: validated; malformed ones are 400") {
  CHECK(MqttEndpoint::parse("mqtt://broker.example:1884/city/notify").port == 1884);
  CHECK(MqttEndpoint::parse("mqtt://broker.example:1884/city/notify").topic == "city/notify");
  const auto withUser = MqttEndpoint::parse("mqtt://twin:secret@10.0.0.1/n");
  CHECK(withUser.user == "twin");
  CHECK(withUser.password == "secret");
  CHECK(withUser.port == 1883);
  CHECK_THROWS(MqttEndpoint::parse("mqtt://host:1883"));     // no topic
  CHECK_THROWS(MqttEndpoint::parse("mqtt://host:99999/t"));  // bad port
  CHECK_THROWS(MqttEndpoint::parse("mqtt://host/city/#"));   // a filter, not a topic
  if (!MqttPublisher::available()) return;
  Service service("mqtt-validation");
  CHECK(service.post("/ngsi-ld/v1/subscriptions",
                     mqttSubscription("urn:ngsi-ld:Subscription:q3", "mqtt://127.0.0.1:1883/t", "3")) == 400);
  CHECK(service.post("/ngsi-ld/v1/subscriptions",
                     mqttSubscription("urn:ngsi-ld:Subscription:nt", "mqtt://127.0.0.1:1883", "0")) == 400);
}

TEST_CASE("MQTT notifications arrive for matching upserts only, as {metadata, body}") {
  if (!mqttTestable()) return;
  LocalMqttBroker broker(*LocalMqttBroker::binary());
  Inbox inbox;
  MqttSubscriber subscriber("127.0.0.1", broker.port(), "citytwin/#", inbox.handler());
  Service service("mqtt-notifications");
  const std::string uri = "mqtt://127.0.0.1:" + std::to_string(broker.port()) + "/citytwin/sensors";
  REQUIRE(service.post("/ngsi-ld/v1/subscriptions",
                       mqttSubscription("urn:ngsi-ld:Subscription:m1", uri, "1")) == 201);

  REQUIRE(service.upsert(sensor("urn:ngsi-ld:Sensor:1", 25)) / 100 == 2);
  REQUIRE(inbox.waitFor(1) == 1);
  const auto [topic, message] = inbox.at(0);
  CHECK(topic == "citytwin/sensors");
  REQUIRE(message.is_object());
  CHECK(message["metadata"]["Content-Type"] == "application/json");
  CHECK(message["metadata"]["X-Site"] == "monaco");  // receiverInfo
  CHECK(message["metadata"].contains("Link"));
  CHECK(message["body"]["type"] == "Notification");
  CHECK(message["body"]["subscriptionId"] == "urn:ngsi-ld:Subscription:m1");
  CHECK(message["body"]["data"][0]["id"] == "urn:ngsi-ld:Sensor:1");
  CHECK(message["body"]["data"][0]["temperature"] == 25);

  // Not matching: q fails, another type. Then a matching one: it must be the second message (one worker
  // delivers in order, so nothing was published for the two before it).
  service.upsert(sensor("urn:ngsi-ld:Sensor:2", 5));
  json meter = sensor("urn:ngsi-ld:Meter:1", 30);
  meter["type"] = "Meter";
  service.upsert(meter);
  REQUIRE(service.upsert(sensor("urn:ngsi-ld:Sensor:3", 31)) / 100 == 2);
  REQUIRE(inbox.waitFor(2) >= 2);
  CHECK(inbox.at(1).second["body"]["data"][0]["id"] == "urn:ngsi-ld:Sensor:3");
  CHECK(inbox.waitFor(3, std::chrono::milliseconds(300)) == 2);

  const auto status = service.client->Get("/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:m1");
  REQUIRE(status);
  const json document = json::parse(status->body);
  CHECK(document["notification"]["timesSent"] == 2);
  CHECK(document["notification"]["status"] == "ok");
}

TEST_CASE("A dead MQTT broker records failures and never stalls ingest") {
  if (!mqttTestable()) return;
  int deadPort = 0;
  {
    LocalMqttBroker gone(*LocalMqttBroker::binary());
    deadPort = gone.port();
  }  // stopped: nothing listens there now
  Service service("mqtt-dead");
  const std::string uri = "mqtt://127.0.0.1:" + std::to_string(deadPort) + "/citytwin/lost";
  REQUIRE(service.post("/ngsi-ld/v1/subscriptions",
                       mqttSubscription("urn:ngsi-ld:Subscription:d1", uri, "1")) == 201);
  // Every upsert is acknowledged although none of its notifications can be delivered.
  for (int i = 0; i < 20; ++i) REQUIRE(service.upsert(sensor("urn:ngsi-ld:Sensor:d", 21 + i)) / 100 == 2);
  json document;
  for (int tries = 0; tries < 100; ++tries) {  // bounded: 5 s
    document =
        json::parse(service.client->Get("/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:d1")->body);
    if (document["notification"].contains("lastFailure")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(document["notification"].contains("lastFailure"));
  CHECK(document["notification"]["status"] == "failed");
  CHECK_FALSE(document["notification"].contains("lastSuccess"));
}
