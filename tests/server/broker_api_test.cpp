// The broker routes on loopback: /jsonldContexts, NGSILD-Tenant isolation, subscriptions with HTTP
// notifications (matching, non-matching, watchedAttributes, q, throttling, retries) and their durability.
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "citytwin/context/context_documents.hpp"
#include "citytwin/context/context_error.hpp"
#include "citytwin/context/json_ld_context.hpp"
#include "citytwin/server/context_service.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin::server;
using nlohmann::json;

namespace {

struct Broker {
  explicit Broker(const std::string& name) {
    ServiceOptions options;
    options.port = 0;
    options.threads = 4;
    options.contextFetch.offline = true;
    options.databasePath = citytwin::testing::scratchDirectory() / (name + ".sqlite");
    service = std::make_unique<ContextService>(options);
    client = std::make_unique<httplib::Client>("127.0.0.1", service->start());
    client->set_read_timeout(10);
  }
  ~Broker() { service->stop(); }
  httplib::Result post(const std::string& path, const json& body, const std::string& tenant = "",
                       const std::string& type = "application/json") {
    httplib::Headers headers;
    if (!tenant.empty()) headers.emplace("NGSILD-Tenant", tenant);
    return client->Post(path.c_str(), headers, body.dump(), type.c_str());
  }
  httplib::Result get(const std::string& path, const std::string& tenant = "") {
    httplib::Headers headers;
    if (!tenant.empty()) headers.emplace("NGSILD-Tenant", tenant);
    return client->Get(path.c_str(), headers);
  }
  std::unique_ptr<ContextService> service;
  std::unique_ptr<httplib::Client> client;
};

json sensor(const std::string& id, double temperature, const std::string& status = "ok") {
  return {{"id", id},
          {"type", "Sensor"},
          {"temperature", {{"type", "Property"}, {"value", temperature}}},
          {"status", {{"type", "Property"}, {"value", status}}}};
}

// A notification endpoint on loopback that records what it receives; can be told to fail.
struct Receiver {
  Receiver() {
    server.Post("/notify", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      if (failuresLeft > 0) {
        --failuresLeft;
        res.status = 500;
        return;
      }
      received.push_back(json::parse(req.body));
      res.status = 204;
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~Receiver() {
    server.stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/notify"; }
  // Waits (bounded) until at least n notifications arrived; returns how many did.
  std::size_t waitFor(std::size_t n, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      {
        std::lock_guard lock(mutex);
        if (received.size() >= n || std::chrono::steady_clock::now() > end) return received.size();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::vector<json> all() {
    std::lock_guard lock(mutex);
    return received;
  }
  httplib::Server server;
  std::thread thread;
  std::mutex mutex;
  std::vector<json> received;
  int failuresLeft = 0;
  int port = 0;
};

json subscription(const std::string& id, const std::string& endpoint) {
  return {{"id", id},
          {"type", "Subscription"},
          {"entities", json::array({{{"type", "Sensor"}}})},
          {"watchedAttributes", json::array({"temperature"})},
          {"q", "temperature>20"},
          {"notification",
           {{"format", "keyValues"},
            {"attributes", json::array({"temperature"})},
            {"endpoint", {{"uri", endpoint}, {"accept", "application/json"}}}}}};
}

}  // namespace

TEST_CASE("jsonldContexts: a hosted context is served, listed, used by requests and deleted") {
  Broker broker("contexts");
  const json document{{"@context", {{"speed", "https://example.test/vocab#speed"}}}};
  const auto created = broker.post("/ngsi-ld/v1/jsonldContexts", document);
  REQUIRE(created);
  REQUIRE(created->status == 201);
  const std::string url = created->get_header_value("Location");
  const std::string path = url.substr(url.find("/ngsi-ld/"));
  const auto served = broker.get(path);
  REQUIRE(served);
  CHECK(served->status == 200);
  CHECK(json::parse(served->body) == document);
  const auto listed = broker.get("/ngsi-ld/v1/jsonldContexts?details=true&kind=Hosted");
  REQUIRE(listed);
  const json list = json::parse(listed->body);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["URL"] == url);
  CHECK(list[0]["kind"] == "Hosted");
  // An entity written with the hosted context's URL expands speed with it.
  const json car{{"id", "urn:ngsi-ld:Car:1"},
                 {"type", "Car"},
                 {"speed", {{"type", "Property"}, {"value", 3}}},
                 {"@context", url}};
  REQUIRE(broker.post("/ngsi-ld/v1/entities/", car, "", "application/ld+json")->status == 201);
  const auto stored = broker.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Car:1");
  REQUIRE(stored);
  CHECK(json::parse(stored->body).contains("https://example.test/vocab#speed"));
  CHECK(broker.client->Delete(path.c_str())->status == 204);
  CHECK(broker.get(path)->status == 404);
  CHECK(broker.post("/ngsi-ld/v1/jsonldContexts", json{{"no", "context"}})->status == 400);
  CHECK(broker.get("/ngsi-ld/v1/jsonldContexts?kind=Bogus")->status == 400);
  // Offline, an unknown remote URL is still 503 LdContextNotAvailable.
  const json remote{
      {"id", "urn:ngsi-ld:Car:2"}, {"type", "Car"}, {"@context", "https://unreachable.test/ctx.jsonld"}};
  CHECK(broker.post("/ngsi-ld/v1/entities", remote, "", "application/ld+json")->status == 503);
  // Only the core context's published names are the core context.
  const json lookalike{
      {"id", "urn:ngsi-ld:Car:3"},
      {"type", "Car"},
      {"@context", "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-non-existing.jsonld"}};
  CHECK(broker.post("/ngsi-ld/v1/entities", lookalike, "", "application/ld+json")->status == 503);
  json versioned = lookalike;
  versioned["@context"] = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";
  CHECK(broker.post("/ngsi-ld/v1/entities", versioned, "", "application/ld+json")->status == 201);
}

TEST_CASE("NGSILD-Tenant isolates entities, subscriptions and contexts; an unknown tenant reads 404") {
  Broker broker("tenants");
  REQUIRE(broker.post("/ngsi-ld/v1/entities", sensor("urn:ngsi-ld:Sensor:a", 10), "cityA")->status == 201);
  REQUIRE(broker.post("/ngsi-ld/v1/entities", sensor("urn:ngsi-ld:Sensor:b", 10))->status == 201);
  CHECK(broker.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:a", "cityA")->status == 200);
  CHECK(broker.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:a")->status == 404);
  CHECK(broker.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:b", "cityA")->status == 404);
  CHECK(broker.get("/ngsi-ld/v1/entities?type=Sensor", "nobody")->status == 404);
  CHECK(broker.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Sensor:a", "cityA")->status == 200);
  CHECK(broker.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Sensor:a")->status == 404);
  CHECK(broker.get("/ngsi-ld/v1/entities?type=Sensor", "bad/name")->status == 400);
  REQUIRE(broker
              .post("/ngsi-ld/v1/subscriptions",
                    subscription("urn:ngsi-ld:Subscription:t", "http://127.0.0.1:9/n"), "cityA")
              ->status == 201);
  CHECK(json::parse(broker.get("/ngsi-ld/v1/subscriptions", "cityA")->body).size() == 1);
  CHECK(json::parse(broker.get("/ngsi-ld/v1/subscriptions")->body).empty());
  REQUIRE(broker.post("/ngsi-ld/v1/jsonldContexts", json{{"@context", {{"x", "urn:x"}}}}, "cityA")->status ==
          201);
  CHECK(json::parse(broker.get("/ngsi-ld/v1/jsonldContexts", "cityA")->body).size() == 1);
  CHECK(json::parse(broker.get("/ngsi-ld/v1/jsonldContexts")->body).empty());
}

TEST_CASE("subscriptions: CRUD, notifications for matching changes only, throttling, retries, durability") {
  Receiver receiver;
  const std::string id = "urn:ngsi-ld:Subscription:warm";
  {
    Broker broker("subscriptions");
    CHECK(broker.post("/ngsi-ld/v1/subscriptions/", json{{"type", "Subscription"}})->status == 400);
    json negative = subscription("urn:ngsi-ld:Subscription:bad", receiver.url());
    negative["throttling"] = -1;
    CHECK(broker.post("/ngsi-ld/v1/subscriptions/", negative)->status == 400);
    REQUIRE(broker.post("/ngsi-ld/v1/subscriptions/", subscription(id, receiver.url()))->status == 201);
    CHECK(broker.post("/ngsi-ld/v1/subscriptions/", subscription(id, receiver.url()))->status == 409);

    // Matching: temperature > 20 on a Sensor.
    REQUIRE(
        broker.post("/ngsi-ld/v1/entityOperations/upsert", json::array({sensor("urn:ngsi-ld:Sensor:1", 25)}))
                ->status /
            100 ==
        2);
    REQUIRE(receiver.waitFor(1) == 1);
    const json first = receiver.all()[0];
    CHECK(first["type"] == "Notification");
    CHECK(first["subscriptionId"] == id);
    CHECK(first["data"][0]["temperature"] == 25);
    CHECK_FALSE(first["data"][0].contains("status"));  // notification.attributes
    // Not matching: q fails; an unwatched attribute changes; another type.
    broker.post("/ngsi-ld/v1/entityOperations/upsert", json::array({sensor("urn:ngsi-ld:Sensor:2", 5)}));
    broker.post("/ngsi-ld/v1/entityOperations/upsert",
                json::array({sensor("urn:ngsi-ld:Sensor:1", 25, "changed")}));
    json other = sensor("urn:ngsi-ld:Meter:1", 30);
    other["type"] = "Meter";
    broker.post("/ngsi-ld/v1/entityOperations/upsert", json::array({other}));
    // Matching again, and delivered after two refused attempts (retries with backoff).
    receiver.failuresLeft = 2;
    broker.post("/ngsi-ld/v1/entityOperations/upsert", json::array({sensor("urn:ngsi-ld:Sensor:1", 26)}));
    REQUIRE(receiver.waitFor(2) == 2);
    CHECK(receiver.all()[1]["data"][0]["temperature"] == 26);
    CHECK(receiver.waitFor(3, std::chrono::milliseconds(300)) == 2);

    const json status = json::parse(broker.get("/ngsi-ld/v1/subscriptions/" + id)->body);
    CHECK(status["status"] == "active");
    CHECK(status["notification"]["timesSent"] == 4);  // two successes, two failures
    CHECK(status["notification"].contains("lastSuccess"));
    CHECK(status["notification"].contains("lastFailure"));

    // Patch: paused subscriptions send nothing.
    auto paused = broker.client->Patch(("/ngsi-ld/v1/subscriptions/" + id).c_str(),
                                       json{{"isActive", false}}.dump(), "application/json");
    REQUIRE(paused);
    CHECK(paused->status == 204);
    broker.post("/ngsi-ld/v1/entityOperations/upsert", json::array({sensor("urn:ngsi-ld:Sensor:1", 40)}));
    CHECK(receiver.waitFor(3, std::chrono::milliseconds(300)) == 2);
    CHECK(json::parse(broker.get("/ngsi-ld/v1/subscriptions/" + id)->body)["status"] == "paused");
  }
  // Durable: a new service on the same database still has it (paused), and deletes it.
  Broker again("subscriptions");
  const auto kept = again.get("/ngsi-ld/v1/subscriptions/" + id);
  REQUIRE(kept);
  CHECK(kept->status == 200);
  CHECK(json::parse(kept->body)["isActive"] == false);
  CHECK(again.client->Delete(("/ngsi-ld/v1/subscriptions/" + id).c_str())->status == 204);
  CHECK(again.get("/ngsi-ld/v1/subscriptions/" + id)->status == 404);
}

TEST_CASE("subscriptions: throttling drops changes inside the window") {
  Receiver receiver;
  Broker broker("throttling");
  json s = subscription("urn:ngsi-ld:Subscription:slow", receiver.url());
  s["throttling"] = 30;
  REQUIRE(broker.post("/ngsi-ld/v1/subscriptions", s)->status == 201);
  for (int i = 0; i < 5; ++i) {
    broker.post("/ngsi-ld/v1/entityOperations/upsert", json::array({sensor("urn:ngsi-ld:Sensor:t", 21 + i)}));
  }
  CHECK(receiver.waitFor(1) == 1);
  CHECK(receiver.waitFor(2, std::chrono::milliseconds(300)) == 1);
}

TEST_CASE("POST /entityOperations/query selects like GET /entities") {
  Broker broker("postquery");
  REQUIRE(broker
              .post("/ngsi-ld/v1/entityOperations/upsert",
                    json::array({sensor("urn:ngsi-ld:Sensor:q1", 25), sensor("urn:ngsi-ld:Sensor:q2", 5)}))
              ->status == 201);
  const json query{
      {"type", "Query"}, {"entities", json::array({{{"type", "Sensor"}}})}, {"q", "temperature>20"}};
  const auto found = broker.post("/ngsi-ld/v1/entityOperations/query?count=true", query);
  REQUIRE(found);
  CHECK(found->status == 200);
  CHECK(found->get_header_value("NGSILD-Results-Count") == "1");
  const json body = json::parse(found->body);
  REQUIRE(body.size() == 1);
  CHECK(body[0]["id"] == "urn:ngsi-ld:Sensor:q1");
  CHECK(
      broker.post("/ngsi-ld/v1/entityOperations/query", json{{"type", "Query"}, {"entities", json::array()}})
          ->status == 400);
  CHECK(broker.post("/ngsi-ld/v1/entityOperations/query", json{{"type", "Other"}})->status == 400);
}

TEST_CASE(
    "compound @context documents: nested URLs resolve, cycles and fan-outs end in LdContextNotAvailable") {
  using namespace citytwin::context;
  const std::string inner = "https://contexts.test/inner.jsonld";
  int fetches = 0;
  ContextDocuments documents([&](const std::string& url) -> json {
    ++fetches;
    if (url == inner) return json{{"@context", {{"speed", "https://vocab.test/speed"}}}};
    if (url.ends_with("/outer.jsonld")) return json{{"@context", json::array({inner})}};
    if (url.ends_with("/self.jsonld")) return json{{"@context", json::array({url})}};
    json many = json::array();
    for (int i = 0; i < 100; ++i)
      many.push_back("https://contexts.test/fan" + std::to_string(i) + "/fan.jsonld");
    return json{{"@context", many}};
  });
  const auto outer = resolveContext(json("https://contexts.test/outer.jsonld"), &documents);
  CHECK(outer->expand("speed") == "https://vocab.test/speed");
  CHECK(fetches == 2);
  const auto kind = [&](const std::string& url) {
    try {
      resolveContext(json(url), &documents);
    } catch (const ContextError& e) {
      return e.kind();
    }
    return ErrorKind::Internal;
  };
  CHECK(kind("https://contexts.test/self.jsonld") == ErrorKind::ContextNotAvailable);
  const int before = fetches;
  CHECK(kind("https://contexts.test/fan.jsonld") == ErrorKind::ContextNotAvailable);
  CHECK(fetches - before <= 33);
}

TEST_CASE("subscriptions: an endpoint that does not answer never holds back ingest") {
  // The endpoint holds every request until the test opens the gate.
  std::mutex gateMutex;
  std::condition_variable gateChanged;
  bool open = false;
  std::atomic<int> answered{0};
  httplib::Server endpoint;
  endpoint.Post("/notify", [&](const httplib::Request&, httplib::Response& res) {
    std::unique_lock lock(gateMutex);
    gateChanged.wait_for(lock, std::chrono::seconds(20), [&] { return open; });
    ++answered;
    res.status = 204;
  });
  const int port = endpoint.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { endpoint.listen_after_bind(); });
  {
    Broker broker("stuck-endpoint");
    json s = subscription("urn:ngsi-ld:Subscription:stuck",
                          "http://127.0.0.1:" + std::to_string(port) + "/notify");
    s.erase("watchedAttributes");
    REQUIRE(broker.post("/ngsi-ld/v1/subscriptions", s)->status == 201);
    // Every upsert is acknowledged while the endpoint has not answered a single notification.
    for (int i = 0; i < 20; ++i) {
      const auto result = broker.post("/ngsi-ld/v1/entityOperations/upsert",
                                      json::array({sensor("urn:ngsi-ld:Sensor:s", 30 + i)}));
      REQUIRE(result);
      CHECK(result->status / 100 == 2);
    }
    CHECK(answered == 0);
    {
      std::lock_guard lock(gateMutex);
      open = true;
    }
    gateChanged.notify_all();
    for (int tries = 0; tries < 100 && answered == 0; ++tries)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(answered > 0);  // and then delivered
  }
  endpoint.stop();
  serving.join();
}
