// `citytwin serve --upstream URL`, two services through the citytwin binary: the downstream copies what the
// upstream holds of the mapped types, subscribes there, applies the notifications, renews the subscription
// before it expires, and deletes it when it stops. Loopback only.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "citytwin/core/date_time.hpp"
#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/service_process.hpp"
#include "citytwin/testing/shared_data.hpp"

using nlohmann::json;

namespace {

const httplib::Headers kSmartDataModels{
    {"Link",
     "<https://smartdatamodels.org/context.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"; "
     "type=\"application/ld+json\""}};

json river(const std::string& id, double level) {
  return {{"id", id},
          {"type", "WaterObserved"},
          {"waterLevel", {{"type", "Property"}, {"value", level}}},
          {"@context", "https://smartdatamodels.org/context.jsonld"}};
}

int upsert(httplib::Client& client, const json& entities) {
  const auto result =
      client.Post("/ngsi-ld/v1/entityOperations/upsert", entities.dump(), "application/ld+json");
  return result ? result->status : -1;
}

// The entity's waterLevel at the service, polled until it equals `level` (bounded: 5 s); nullopt when absent.
std::optional<double> waitForLevel(httplib::Client& client, const std::string& id, double level) {
  std::optional<double> seen;
  for (int tries = 0; tries < 100; ++tries) {
    const auto result =
        client.Get(("/ngsi-ld/v1/entities/" + id + "?options=keyValues").c_str(), kSmartDataModels);
    if (result && result->status == 200) {
      const json entity = json::parse(result->body);
      if (entity.contains("waterLevel")) seen = entity["waterLevel"].get<double>();
      if (seen == level) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return seen;
}

json upstreamSubscriptions(httplib::Client& client) {
  const auto result = client.Get("/ngsi-ld/v1/subscriptions");
  REQUIRE(result);
  REQUIRE(result->status == 200);
  return json::parse(result->body);
}

}  // namespace

TEST_CASE("serve --upstream follows another citytwin serve and renews its subscription") {
  const std::string binary = citytwin::testing::citytwinBinary();
  const auto scratch = citytwin::testing::scratchDirectory();
  const auto platform =
      citytwin::testing::ServiceProcess::start(binary, {"--db", (scratch / "platform.sqlite").string()});
  REQUIRE(platform);
  httplib::Client upstream("127.0.0.1", platform->port());
  upstream.set_read_timeout(10);
  // Held before the twin starts: copied at its start, not notified.
  REQUIRE(upsert(upstream, json::array({river("urn:ngsi-ld:WaterObserved:before", 1.25)})) / 100 == 2);
  // Not a mapped type: neither copied nor notified.
  json other = river("urn:ngsi-ld:Vehicle:v1", 0);
  other["type"] = "Vehicle";
  REQUIRE(upsert(upstream, json::array({other})) / 100 == 2);

  const std::string url = "http://127.0.0.1:" + std::to_string(platform->port());
  {
    const auto twin = citytwin::testing::ServiceProcess::start(
        binary, {"--db", (scratch / "twin.sqlite").string(), "--upstream", url, "--upstream-lease", "2"});
    REQUIRE(twin);
    httplib::Client downstream("127.0.0.1", twin->port());
    downstream.set_read_timeout(10);
    CHECK(waitForLevel(downstream, "urn:ngsi-ld:WaterObserved:before", 1.25) == 1.25);

    json subscriptions = upstreamSubscriptions(upstream);
    REQUIRE(subscriptions.size() == 1);
    const auto firstExpiry = citytwin::parseDateTime(subscriptions[0]["expiresAt"].get<std::string>());
    REQUIRE(firstExpiry);
    CHECK(subscriptions[0]["notification"]["endpoint"]["uri"] ==
          "http://127.0.0.1:" + std::to_string(twin->port()) + "/ngsi-ld/v1/notify");

    REQUIRE(upsert(upstream, json::array({river("urn:ngsi-ld:WaterObserved:r1", 2.5)})) / 100 == 2);
    CHECK(waitForLevel(downstream, "urn:ngsi-ld:WaterObserved:r1", 2.5) == 2.5);

    // Past the first lease: renewed (a later expiresAt), still active, still notifying.
    std::this_thread::sleep_for(std::chrono::milliseconds(2600));
    subscriptions = upstreamSubscriptions(upstream);
    REQUIRE(subscriptions.size() == 1);
    CHECK(subscriptions[0]["status"] == "active");
    CHECK(*citytwin::parseDateTime(subscriptions[0]["expiresAt"].get<std::string>()) > *firstExpiry);
    REQUIRE(upsert(upstream, json::array({river("urn:ngsi-ld:WaterObserved:r1", 3.75)})) / 100 == 2);
    CHECK(waitForLevel(downstream, "urn:ngsi-ld:WaterObserved:r1", 3.75) == 3.75);
    const auto vehicle = downstream.Get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:v1");
    REQUIRE(vehicle);
    CHECK(vehicle->status == 404);
    CHECK(twin->stop() == 0);  // SIGTERM: a clean stop
  }
  // Stopped cleanly: its subscription is gone from the upstream.
  CHECK(upstreamSubscriptions(upstream).empty());

  // An upstream that is not there: exit 1 with a message naming it.
  platform->stop();
  const auto refused = citytwin::testing::runCommand(
      {binary, "serve", "--db", (scratch / "twin2.sqlite").string(), "--port", "0", "--upstream", url});
  CHECK(refused.exitCode == 1);
  CHECK(refused.standardError.find("--upstream " + url) != std::string::npos);
}
