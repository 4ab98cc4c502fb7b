// The NGSI-LD API on loopback: status codes and error types of good and bad requests (ETSI GS CIM 009).
#include <doctest/doctest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "citytwin/core/error.hpp"
#include "citytwin/server/context_service.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin::context;
using namespace citytwin::server;
using nlohmann::json;

namespace {

const std::string kTransportLink =
    "<https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld>; "
    "rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"";

struct Reply {
  int status = 0;
  json body;
  httplib::Headers headers;
  std::string errorType() const {
    return body.is_object() && body.contains("type") ? body["type"].get<std::string>() : std::string();
  }
};

std::string errorUri(const char* name) { return std::string("https://uri.etsi.org/ngsi-ld/errors/") + name; }

class Fixture {
 public:
  explicit Fixture(ServiceOptions options = {}, const std::string& name = "api") {
    options.bindAddress = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    static int instances = 0;
    if (options.databasePath.empty()) {
      options.databasePath = citytwin::testing::scratchDirectory() / (name + std::to_string(++instances) + ".sqlite");
    }
    service_ = std::make_unique<ContextService>(options);
    port_ = service_->start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(10);
    client_->set_tcp_nodelay(true);
  }
  ~Fixture() { service_->stop(); }
  int port() const { return port_; }

  Reply send(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& contentType = "application/json", httplib::Headers headers = {}) {
    httplib::Result result =
        method == "GET"      ? client_->Get(path.c_str(), headers)
        : method == "DELETE" ? client_->Delete(path.c_str(), headers)
        : method == "POST"   ? client_->Post(path.c_str(), headers, body, contentType.c_str())
        : method == "PUT"    ? client_->Put(path.c_str(), headers, body, contentType.c_str())
                             : client_->Patch(path.c_str(), headers, body, contentType.c_str());
    REQUIRE(result);
    Reply reply;
    reply.status = result->status;
    reply.headers = result->headers;
    if (!result->body.empty()) reply.body = json::parse(result->body, nullptr, false);
    return reply;
  }
  Reply post(const std::string& path, const json& body, httplib::Headers headers = {}) {
    return send("POST", path, body.dump(), "application/json", std::move(headers));
  }
  Reply get(const std::string& path, httplib::Headers headers = {}) { return send("GET", path, "", "", std::move(headers)); }

  ContextService& service() { return *service_; }

 private:
  std::unique_ptr<ContextService> service_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

json car(const std::string& id, double speed, const std::string& observedAt = "2024-01-01T00:00:00Z") {
  return {{"id", id},
          {"type", "Vehicle"},
          {"speed", {{"type", "Property"}, {"value", speed}, {"observedAt", observedAt}, {"unitCode", "KMH"}}},
          {"location", {{"type", "GeoProperty"}, {"value", {{"type", "Point"}, {"coordinates", {7.26, 43.70}}}}}}};
}

}  // namespace

TEST_CASE("entities: create, read in every form, conflict, delete") {
  Fixture f;
  auto r = f.post("/ngsi-ld/v1/entities", car("urn:ngsi-ld:Vehicle:1", 50));
  CHECK(r.status == 201);
  CHECK(r.headers.find("Location")->second == "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:1");
  r = f.post("/ngsi-ld/v1/entities", car("urn:ngsi-ld:Vehicle:1", 50));
  CHECK(r.status == 409);
  CHECK(r.errorType() == errorUri("AlreadyExists"));

  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:1");
  CHECK(r.status == 200);
  CHECK(r.body["speed"]["value"] == 50);
  CHECK(r.body["speed"]["type"] == "Property");
  CHECK(r.body["speed"]["unitCode"] == "KMH");
  CHECK(r.headers.count("Link") == 1);
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:1?options=keyValues");
  CHECK(r.body["speed"] == 50);
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:1?format=concise");
  CHECK(r.body["speed"]["value"] == 50);
  CHECK_FALSE(r.body["speed"].contains("type"));
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:1", {{"Accept", "application/ld+json"}});
  CHECK(r.body.contains("@context"));
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:1?options=sysAttrs");
  CHECK(r.body.contains("createdAt"));
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:1", {{"Accept", "text/html"}});
  CHECK(r.status == 406);

  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:404");
  CHECK(r.status == 404);
  CHECK(r.errorType() == errorUri("ResourceNotFound"));
  r = f.get("/ngsi-ld/v1/entities/not-a-uri");
  CHECK(r.status == 400);
  CHECK(r.errorType() == errorUri("BadRequestData"));

  r = f.send("DELETE", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:1");
  CHECK(r.status == 204);
  r = f.send("DELETE", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:1");
  CHECK(r.status == 404);
}

TEST_CASE("payload errors: JSON, media type, @context placement, unknown contexts") {
  Fixture f;
  auto r = f.send("POST", "/ngsi-ld/v1/entities", "{not json", "application/json");
  CHECK(r.status == 400);
  CHECK(r.errorType() == errorUri("InvalidRequest"));
  r = f.send("POST", "/ngsi-ld/v1/entities", car("urn:a:1", 1).dump(), "text/plain");
  CHECK(r.status == 415);
  r = f.send("POST", "/ngsi-ld/v1/entities", car("urn:a:1", 1).dump(), "application/ld+json");
  CHECK(r.status == 400);
  CHECK(r.errorType() == errorUri("BadRequestData"));
  json withContext = car("urn:a:1", 1);
  withContext["@context"] = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld";
  r = f.post("/ngsi-ld/v1/entities", withContext);
  CHECK(r.status == 400);
  r = f.send("POST", "/ngsi-ld/v1/entities", withContext.dump(), "application/ld+json");
  CHECK(r.status == 201);
  withContext["id"] = "urn:a:2";
  withContext["@context"] = "https://example.org/not-built-in.jsonld";
  r = f.send("POST", "/ngsi-ld/v1/entities", withContext.dump(), "application/ld+json");
  CHECK(r.status == 503);
  CHECK(r.errorType() == errorUri("LdContextNotAvailable"));
  r = f.post("/ngsi-ld/v1/entities", json{{"id", "urn:a:3"}, {"type", "T"}, {"p", {{"type", "Property"}}}});
  CHECK(r.status == 400);
  CHECK(r.errorType() == errorUri("BadRequestData"));
  r = f.post("/ngsi-ld/v1/entities", json::array());
  CHECK(r.status == 400);
  r = f.get("/ngsi-ld/v1/nothing-here");
  CHECK(r.status == 404);
  CHECK(r.errorType() == errorUri("ResourceNotFound"));
}

TEST_CASE("attributes: update, append, partial update, delete") {
  Fixture f;
  REQUIRE(f.post("/ngsi-ld/v1/entities", car("urn:ngsi-ld:Vehicle:2", 10)).status == 201);
  auto r = f.send("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:2/attrs",
                  json{{"speed", {{"type", "Property"}, {"value", 20}}}}.dump());
  CHECK(r.status == 204);
  r = f.send("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:2/attrs",
             json{{"speed", 30}, {"colour", "red"}}.dump());
  CHECK(r.status == 207);
  CHECK(r.body["updated"] == json::array({"speed"}));
  CHECK(r.body["notUpdated"][0]["attributeName"] == "colour");
  r = f.send("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:404/attrs", json{{"speed", 1}}.dump());
  CHECK(r.status == 404);
  r = f.post("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:2/attrs", json{{"colour", "blue"}});
  CHECK(r.status == 204);
  r = f.post("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:2/attrs?options=noOverwrite", json{{"colour", "green"}});
  CHECK(r.status == 207);
  r = f.send("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:2/attrs/speed", json{{"value", 44}}.dump());
  CHECK(r.status == 204);
  r = f.send("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:2/attrs/missing", json{{"value", 44}}.dump());
  CHECK(r.status == 404);
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:2?options=keyValues");
  CHECK(r.body["speed"] == 44);
  CHECK(r.body["colour"] == "blue");
  r = f.send("DELETE", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:2/attrs/colour");
  CHECK(r.status == 204);
  r = f.send("DELETE", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:2/attrs/colour");
  CHECK(r.status == 404);
}

TEST_CASE("queries: type, q, geo-queries, paging and their errors") {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(f.post("/ngsi-ld/v1/entities", car("urn:ngsi-ld:Vehicle:q" + std::to_string(i), 10.0 * i)).status == 201);
  }
  REQUIRE(f.post("/ngsi-ld/v1/entities", json{{"id", "urn:ngsi-ld:Other:1"}, {"type", "Other"}, {"speed", 99}}).status == 201);
  auto r = f.get("/ngsi-ld/v1/entities?type=Vehicle&limit=100");
  CHECK(r.status == 200);
  CHECK(r.body.size() == 5);
  r = f.get("/ngsi-ld/v1/entities?type=Vehicle&q=speed%3E=20&count=true");
  CHECK(r.body.size() == 3);
  CHECK(r.headers.find("NGSILD-Results-Count")->second == "3");
  r = f.get("/ngsi-ld/v1/entities?type=Vehicle&limit=2&offset=1&options=keyValues");
  REQUIRE(r.body.size() == 2);
  CHECK(r.body[0]["id"] == "urn:ngsi-ld:Vehicle:q1");
  r = f.get("/ngsi-ld/v1/entities?type=Vehicle&georel=near;maxDistance==100&geometry=Point&coordinates=[7.26,43.7005]");
  CHECK(r.body.size() == 5);
  r = f.get("/ngsi-ld/v1/entities?type=Vehicle&georel=near;maxDistance==10&geometry=Point&coordinates=[7.26,43.71]");
  CHECK(r.body.empty());
  r = f.get("/ngsi-ld/v1/entities?type=Vehicle&georel=within&geometry=Polygon&coordinates=[[[7,43],[8,43],[8,44],[7,44],[7,43]]]");
  CHECK(r.body.size() == 5);
  r = f.get("/ngsi-ld/v1/entities?idPattern=Other");
  CHECK(r.body.size() == 1);

  const auto bad = [&](const std::string& path, const char* type, int status = 400) {
    CAPTURE(path);
    const auto reply = f.get(path);
    CHECK(reply.status == status);
    CHECK(reply.errorType() == errorUri(type));
  };
  bad("/ngsi-ld/v1/entities", "BadRequestData");
  bad("/ngsi-ld/v1/entities?type=Vehicle&q=speed%3E", "BadRequestData");
  bad("/ngsi-ld/v1/entities?type=Vehicle&georel=near;maxDistance==0&geometry=Point&coordinates=[7,43]", "BadRequestData");
  bad("/ngsi-ld/v1/entities?type=Vehicle&georel=near;maxDistance==-1&geometry=Point&coordinates=[7,43]", "BadRequestData");
  bad("/ngsi-ld/v1/entities?type=Vehicle&georel=near;maxDistance==5&geometry=Point&coordinates=[7", "BadRequestData");
  bad("/ngsi-ld/v1/entities?type=Vehicle&georel=within&geometry=Point&coordinates=[7,43]", "BadRequestData");
  bad("/ngsi-ld/v1/entities?type=Vehicle&geometry=Point&coordinates=[7,43]", "BadRequestData");
  bad("/ngsi-ld/v1/entities?type=Vehicle&limit=abc", "BadRequestData");
  bad("/ngsi-ld/v1/entities?type=Vehicle&limit=5000", "TooManyResults", 403);
  bad("/ngsi-ld/v1/entities?type=Vehicle&idPattern=(", "BadRequestData");
  bad("/ngsi-ld/v1/entities?type=Vehicle&options=bogus", "InvalidRequest");
}

TEST_CASE("batch operations answer 201, 204 or 207 with per-entity errors") {
  ServiceOptions options;
  options.maxBatchEntities = 10;
  Fixture f(options);
  json batch = json::array({car("urn:ngsi-ld:Vehicle:b1", 1), car("urn:ngsi-ld:Vehicle:b2", 2)});
  auto r = f.post("/ngsi-ld/v1/entityOperations/create", batch);
  CHECK(r.status == 201);
  CHECK(r.body == json::array({"urn:ngsi-ld:Vehicle:b1", "urn:ngsi-ld:Vehicle:b2"}));
  batch.push_back(car("urn:ngsi-ld:Vehicle:b3", 3));
  r = f.post("/ngsi-ld/v1/entityOperations/create", batch);
  CHECK(r.status == 207);
  CHECK(r.body["success"] == json::array({"urn:ngsi-ld:Vehicle:b3"}));
  REQUIRE(r.body["errors"].size() == 2);
  CHECK(r.body["errors"][0]["error"]["type"] == errorUri("AlreadyExists"));
  r = f.post("/ngsi-ld/v1/entityOperations/upsert", batch);
  CHECK(r.status == 204);
  batch.push_back(car("urn:ngsi-ld:Vehicle:b4", 4));
  r = f.post("/ngsi-ld/v1/entityOperations/upsert", batch);
  CHECK(r.status == 201);
  CHECK(r.body == json::array({"urn:ngsi-ld:Vehicle:b4"}));
  r = f.post("/ngsi-ld/v1/entityOperations/upsert",
             json::array({car("urn:ngsi-ld:Vehicle:b5", 5), json{{"id", "urn:ngsi-ld:Vehicle:b6"}, {"type", "Vehicle"}, {"speed", nullptr}}}));
  CHECK(r.status == 207);
  CHECK(r.body["errors"][0]["entityId"] == "urn:ngsi-ld:Vehicle:b6");
  CHECK(r.body["errors"][0]["error"]["type"] == errorUri("BadRequestData"));
  r = f.post("/ngsi-ld/v1/entityOperations/update", json::array({json{{"id", "urn:ngsi-ld:Vehicle:b1"}, {"type", "Vehicle"}, {"speed", 7}}}));
  CHECK(r.status == 204);
  r = f.post("/ngsi-ld/v1/entityOperations/update", json::array({json{{"id", "urn:ngsi-ld:Vehicle:zz"}, {"type", "Vehicle"}, {"speed", 7}}}));
  CHECK(r.status == 207);
  CHECK(r.body["errors"][0]["error"]["type"] == errorUri("ResourceNotFound"));
  r = f.post("/ngsi-ld/v1/entityOperations/delete", json::array({"urn:ngsi-ld:Vehicle:b1", "urn:ngsi-ld:Vehicle:zz"}));
  CHECK(r.status == 207);
  r = f.post("/ngsi-ld/v1/entityOperations/delete", json::array({"urn:ngsi-ld:Vehicle:b2"}));
  CHECK(r.status == 204);
  r = f.post("/ngsi-ld/v1/entityOperations/upsert", json{{"id", "x"}});
  CHECK(r.status == 400);
  r = f.post("/ngsi-ld/v1/entityOperations/upsert", json::array());
  CHECK(r.status == 400);
  json tooMany = json::array();
  for (int i = 0; i < 11; ++i) tooMany.push_back(car("urn:ngsi-ld:Vehicle:m" + std::to_string(i), i));
  r = f.post("/ngsi-ld/v1/entityOperations/upsert", tooMany);
  CHECK(r.status == 400);
  CHECK(r.errorType() == errorUri("BadRequestData"));
}

TEST_CASE("temporal API: history by observedAt with timerel and lastN") {
  Fixture f;
  for (int minute = 0; minute < 10; ++minute) {
    const std::string at = "2024-03-01T10:0" + std::to_string(minute) + ":00Z";
    json update = json::array({car("urn:ngsi-ld:Vehicle:t", minute, at)});
    REQUIRE(f.post("/ngsi-ld/v1/entityOperations/upsert", update).status / 100 == 2);
  }
  auto r = f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t?attrs=speed");
  CHECK(r.status == 200);
  REQUIRE(r.body["speed"].size() == 10);
  CHECK(r.body["speed"][3]["value"] == 3);
  CHECK(r.body["speed"][3]["observedAt"] == "2024-03-01T10:03:00Z");
  r = f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t?attrs=speed&timerel=before&timeAt=2024-03-01T10:03:00Z");
  CHECK(r.body["speed"].size() == 3);
  r = f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t?attrs=speed&timerel=after&timeAt=2024-03-01T10:03:00Z");
  CHECK(r.body["speed"].size() == 6);
  r = f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t?attrs=speed&timerel=between&timeAt=2024-03-01T10:02:00Z&endTimeAt=2024-03-01T10:05:00Z");
  CHECK(r.body["speed"].size() == 3);
  r = f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t?attrs=speed&lastN=2&options=temporalValues");
  REQUIRE(r.body["speed"]["values"].size() == 2);
  CHECK(r.body["speed"]["values"][1][0] == 9);
  CHECK(r.body["speed"]["values"][1][1] == "2024-03-01T10:09:00Z");

  CHECK(f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:none").status == 404);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t?timerel=around&timeAt=2024-03-01T10:02:00Z").status == 400);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t?timerel=before&timeAt=noon").status == 400);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t?timerel=between&timeAt=2024-03-01T10:02:00Z").status == 400);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t?lastN=0").status == 400);
}

TEST_CASE("temporal API: create, query over many entities, page, aggregate, delete") {
  Fixture f;
  const auto temporalCar = [](const std::string& id, const std::string& type, int hour) {
    json speeds = json::array();
    for (int i = 0; i < 3; ++i) {
      speeds.push_back(
          {{"type", "Property"},
           {"value", 10 * (i + 1) + hour},
           {"observedAt", "2024-03-01T1" + std::to_string(hour) + ":0" + std::to_string(2 * i) + ":00Z"}});
    }
    return json{{"id", id}, {"type", type}, {"speed", speeds}};
  };
  auto r = f.post("/ngsi-ld/v1/temporal/entities", temporalCar("urn:ngsi-ld:Vehicle:a", "Vehicle", 0));
  CHECK(r.status == 201);
  CHECK(r.headers.find("Location")->second == "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:a");
  CHECK(f.post("/ngsi-ld/v1/temporal/entities", temporalCar("urn:ngsi-ld:Vehicle:b", "Vehicle", 1)).status ==
        201);
  CHECK(f.post("/ngsi-ld/v1/temporal/entities", temporalCar("urn:ngsi-ld:Bus:c", "Bus", 2)).status == 201);
  // Adding instances to an existing entity answers 204; the current state is the latest instance.
  json more = {
      {"id", "urn:ngsi-ld:Vehicle:a"},
      {"type", "Vehicle"},
      {"speed",
       json::array({{{"type", "Property"}, {"value", 99}, {"observedAt", "2024-03-01T10:30:00Z"}}})}};
  CHECK(f.post("/ngsi-ld/v1/temporal/entities", more).status == 204);
  CHECK(f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:a").body["speed"]["value"] == 99);
  CHECK(f.post("/ngsi-ld/v1/temporal/entities", json{{"id", "urn:ngsi-ld:Vehicle:x"}}).status == 400);

  r = f.get("/ngsi-ld/v1/temporal/entities?type=Vehicle&timerel=after&timeAt=2024-03-01T10:01:00Z");
  REQUIRE(r.status == 200);
  REQUIRE(r.body.size() == 2);
  CHECK(r.body[0]["id"] == "urn:ngsi-ld:Vehicle:a");
  CHECK(r.body[0]["speed"].size() == 3);  // 10:02, 10:04 and 10:30
  CHECK(r.body[1]["speed"].size() == 3);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities?idPattern=.*Bus.*&lastN=1").body[0]["speed"].size() == 1);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities?type=Vehicle&q=speed>100").body.size() == 0);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities").status == 400);  // no filter

  r = f.get("/ngsi-ld/v1/temporal/entities?type=Vehicle&limit=1&count=true");
  REQUIRE(r.body.size() == 1);
  CHECK(r.headers.find("NGSILD-Results-Count")->second == "2");
  bool next = false;
  for (auto [it, end] = r.headers.equal_range("Link"); it != end; ++it) {
    next = next || (it->second.find("rel=\"next\"") != std::string::npos &&
                    it->second.find("offset=1") != std::string::npos);
  }
  CHECK(next);

  // Aggregation by hour over vehicle b's instances 11:00, 11:02, 11:04 (speeds 11, 21, 31).
  r = f.get(
      "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:b?options=aggregatedValues"
      "&aggrMethods=totalCount,distinctCount,sum,avg,min,max,stddev,sumsq&aggrPeriodDuration=PT1H");
  REQUIRE(r.status == 200);
  const json& speed = r.body["speed"];
  CHECK(speed["totalCount"][0][0] == 3);
  CHECK(speed["distinctCount"][0][0] == 3);
  CHECK(speed["sum"][0][0] == 63.0);
  CHECK(speed["avg"][0][0] == 21.0);
  CHECK(speed["min"][0][0] == 11.0);
  CHECK(speed["max"][0][0] == 31.0);
  CHECK(speed["stddev"][0][0].get<double>() == doctest::Approx(10.0));
  CHECK(speed["sumsq"][0][0] == 121.0 + 441.0 + 961.0);
  CHECK(speed["avg"][0][1] == "2024-03-01T11:00:00Z");
  CHECK(speed["avg"][0][2] == "2024-03-01T12:00:00Z");
  CHECK(
      f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:b?options=aggregatedValues&aggrMethods=median")
          .status == 400);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities/"
              "urn:ngsi-ld:Vehicle:b?options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=1h")
            .status == 400);

  // Deleting the temporal representation removes the entity and its history; a new one starts afresh.
  CHECK(f.send("DELETE", "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:b").status == 204);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:b").status == 404);
  CHECK(f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:b").status == 404);
  CHECK(f.post("/ngsi-ld/v1/temporal/entities", temporalCar("urn:ngsi-ld:Vehicle:b", "Vehicle", 1)).status ==
        201);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:b").body["speed"].size() == 3);
  CHECK(f.send("DELETE", "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:none").status == 404);
}

TEST_CASE("notifications from a broker are stored, with the Link header's context") {
  Fixture f;
  const json notification = {{"id", "urn:ngsi-ld:Notification:1"},
                             {"type", "Notification"},
                             {"subscriptionId", "urn:ngsi-ld:Subscription:1"},
                             {"notifiedAt", "2024-01-01T00:00:00Z"},
                             {"data", json::array({{{"id", "urn:ngsi-ld:TrafficFlowObserved:n1"},
                                                    {"type", "TrafficFlowObserved"},
                                                    {"intensity", {{"type", "Property"}, {"value", 120}}}}})}};
  auto r = f.post("/ngsi-ld/v1/notify", notification, {{"Link", kTransportLink}});
  CHECK(r.status == 204);
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:TrafficFlowObserved:n1", {{"Link", kTransportLink}});
  CHECK(r.body["intensity"]["value"] == 120);
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:TrafficFlowObserved:n1");
  CHECK(r.body.contains("https://smartdatamodels.org/dataModel.Transportation/intensity"));
  r = f.post("/ngsi-ld/v1/notify", json{{"type", "Something"}});
  CHECK(r.status == 400);
}

TEST_CASE("a second service on a port in use is refused with a message naming the port") {
  Fixture first({}, "port-owner");
  ServiceOptions options;
  options.bindAddress = "127.0.0.1";
  options.port = first.port();
  options.databasePath = citytwin::testing::scratchDirectory() / "port-second.sqlite";
  ContextService second(options);
  std::string message;
  try {
    second.start();
  } catch (const citytwin::Error& e) {
    message = e.what();
  }
  CHECK(message.find("port " + std::to_string(first.port()) + " already in use") != std::string::npos);
  CHECK(first.get("/ngsi-ld/v1/entities?type=Vehicle").status == 200);
}

TEST_CASE("bearer token and body size limits") {
  ServiceOptions options;
  options.token = "s3cret";
  options.maxBodyBytes = 2000;
  Fixture f(options, "limits");
  auto r = f.get("/ngsi-ld/v1/entities?type=Vehicle");
  CHECK(r.status == 401);
  CHECK(r.errorType() == errorUri("Unauthorized"));
  r = f.get("/ngsi-ld/v1/entities?type=Vehicle", {{"Authorization", "Bearer wrong"}});
  CHECK(r.status == 401);
  r = f.get("/ngsi-ld/v1/entities?type=Vehicle", {{"Authorization", "Bearer s3cret"}});
  CHECK(r.status == 200);
  json big = car("urn:ngsi-ld:Vehicle:big", 1);
  big["blob"] = std::string(5000, 'x');
  r = f.post("/ngsi-ld/v1/entities", big, {{"Authorization", "Bearer s3cret"}});
  CHECK(r.status == 413);
}

TEST_CASE("acknowledged writes survive a restart of the service") {
  const auto path = citytwin::testing::scratchDirectory() / "restart.sqlite";
  ServiceOptions options;
  options.databasePath = path;
  {
    Fixture f(options);
    REQUIRE(f.post("/ngsi-ld/v1/entities", car("urn:ngsi-ld:Vehicle:r", 1, "2024-01-01T00:00:00Z")).status == 201);
    REQUIRE(f.send("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:r/attrs",
                   json{{"speed", {{"type", "Property"}, {"value", 2}, {"observedAt", "2024-01-01T00:01:00Z"}}}}.dump())
                .status == 204);
  }
  Fixture again(options);
  auto r = again.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:r?options=keyValues");
  CHECK(r.status == 200);
  CHECK(r.body["speed"] == 2);
  r = again.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:r?attrs=speed");
  CHECK(r.body["speed"].size() == 2);
}

TEST_CASE("projections pick and omit, and unknown query parameters") {
  Fixture f;
  REQUIRE(f.post("/ngsi-ld/v1/entities", car("urn:ngsi-ld:Vehicle:p", 30)).status == 201);
  auto r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:p?pick=id,speed");
  REQUIRE(r.status == 200);
  CHECK(r.body.size() == 2);
  CHECK(r.body["speed"]["value"] == 30);
  r = f.get("/ngsi-ld/v1/entities?type=Vehicle&omit=location|type");
  REQUIRE(r.body.size() == 1);
  CHECK(r.body[0].contains("speed"));
  CHECK_FALSE(r.body[0].contains("location"));
  CHECK_FALSE(r.body[0].contains("type"));
  // Malformed projections, a member both picked and omitted, pick beside attrs, braces without a join.
  for (const char* query :
       {"pick=speed&omit=speed", "pick=speed&attrs=speed", "pick=id;speed", "pick=id,,speed",
        "pick=id,owner{name", "pick=owner{}", "pick=owner{name}", "pick=", "attrs=id"}) {
    r = f.get(std::string("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:p?") + query);
    CHECK_MESSAGE(r.status == 400, query);
    CHECK(r.errorType() == errorUri("BadRequestData"));
  }
  CHECK(f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:p?join=inline&pick=owner{name}").status == 200);
  r = f.get("/ngsi-ld/v1/entities?type=Vehicle&invalidParam=1");
  CHECK(r.status == 400);
  CHECK(r.errorType() == errorUri("InvalidRequest"));
  CHECK(f.get("/ngsi-ld/v1/temporal/entities?type=Vehicle&orderBy=speed").status == 400);
  CHECK(f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:p?options=bogus").errorType() ==
        errorUri("InvalidRequest"));
  CHECK(f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:p?format=bogus").errorType() ==
        errorUri("InvalidRequest"));
  CHECK(f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:p?options=simplified").body["speed"] == 30);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities?type=Vehicle&timerel=after&timeAt=2020-08-01").status == 400);
}

TEST_CASE("merge and replace an entity, replace an attribute, batch merge, temporal query by POST") {
  Fixture f;
  REQUIRE(f.post("/ngsi-ld/v1/entities", car("urn:ngsi-ld:Vehicle:m", 30)).status == 201);
  json fragment = {{"brand", {{"type", "Property"}, {"value", "Tesla"}}}, {"location", "urn:ngsi-ld:null"}};
  CHECK(f.send("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:m", fragment.dump()).status == 204);
  auto r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:m");
  CHECK(r.body["brand"]["value"] == "Tesla");
  CHECK(r.body["speed"]["value"] == 30);
  CHECK_FALSE(r.body.contains("location"));
  CHECK(f.send("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:none", fragment.dump()).status == 404);

  json replacement = {{"type", "Vehicle"}, {"colour", {{"type", "Property"}, {"value", "red"}}}};
  CHECK(f.send("PUT", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:m", replacement.dump()).status == 204);
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:m");
  CHECK(r.body["colour"]["value"] == "red");
  CHECK_FALSE(r.body.contains("speed"));
  CHECK(f.send("PUT", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:none", replacement.dump()).status == 404);
  json colour = {{"type", "Property"}, {"value", "blue"}};
  CHECK(f.send("PUT", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:m/attrs/colour", colour.dump()).status ==
        204);
  CHECK(f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:m").body["colour"]["value"] == "blue");
  CHECK(f.send("PUT", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:m/attrs/weight", colour.dump()).status ==
        404);

  json batch =
      json::array({{{"id", "urn:ngsi-ld:Vehicle:m"}, {"speed", {{"type", "Property"}, {"value", 5}}}},
                   {{"id", "urn:ngsi-ld:Vehicle:none"}, {"speed", {{"type", "Property"}, {"value", 5}}}}});
  r = f.post("/ngsi-ld/v1/entityOperations/merge", batch);
  CHECK(r.status == 207);
  CHECK(r.body["success"] == json::array({"urn:ngsi-ld:Vehicle:m"}));
  CHECK(f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:m").body["colour"]["value"] == "blue");

  for (int i = 0; i < 3; ++i) {
    REQUIRE(f.post("/ngsi-ld/v1/entityOperations/upsert",
                   json::array({car("urn:ngsi-ld:Vehicle:h", 10 * i,
                                    "2024-05-01T08:0" + std::to_string(i) + ":00Z")}))
                    .status /
                100 ==
            2);
  }
  json query = {
      {"type", "Query"},
      {"entities", json::array({{{"type", "Vehicle"}}, {{"type", "Bus"}}})},
      {"attrs", json::array({"speed"})},
      {"temporalQ",
       {{"timerel", "between"}, {"timeAt", "2024-05-01T08:00:30Z"}, {"endTimeAt", "2024-05-01T09:00:00Z"}}}};
  r = f.post("/ngsi-ld/v1/temporal/entityOperations/query", query);
  REQUIRE(r.status == 200);
  REQUIRE(r.body.size() == 1);
  CHECK(r.body[0]["id"] == "urn:ngsi-ld:Vehicle:h");
  CHECK(r.body[0]["speed"].size() == 2);
  query["temporalQ"]["lastN"] = 0;
  CHECK(f.post("/ngsi-ld/v1/temporal/entityOperations/query", query).status == 400);
  query["temporalQ"]["lastN"] = 1;
  query["aggrParams"] = {{"aggrMethods", json::array({"max"})}};
  r = f.post("/ngsi-ld/v1/temporal/entityOperations/query", query);
  CHECK(r.body[0]["speed"]["max"][0][0] == 20.0);
}

TEST_CASE("GeoJSON representation and local=true") {
  Fixture f;
  REQUIRE(f.post("/ngsi-ld/v1/entities", car("urn:ngsi-ld:Vehicle:g", 12)).status == 201);
  auto r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:g", {{"Accept", "application/geo+json"}});
  REQUIRE(r.status == 200);
  CHECK(r.body["type"] == "Feature");
  CHECK(r.body["id"] == "urn:ngsi-ld:Vehicle:g");
  CHECK(r.body["geometry"]["coordinates"] == json::array({7.26, 43.70}));
  CHECK(r.body["properties"]["type"] == "Vehicle");
  CHECK(r.body["properties"]["speed"]["value"] == 12);
  r = f.get("/ngsi-ld/v1/entities?type=Vehicle&geometryProperty=speed", {{"Accept", "application/geo+json"}});
  REQUIRE(r.body["features"].size() == 1);
  CHECK(r.body["type"] == "FeatureCollection");
  CHECK(r.body["features"][0]["geometry"].is_null());
  CHECK(f.get("/ngsi-ld/v1/entities?type=Vehicle&geometryProperty=location").status == 400);
  CHECK(f.get("/ngsi-ld/v1/entities?local=true").body.size() == 1);
  // Weighted Accept: equal weights prefer JSON, then JSON-LD, then GeoJSON; GeoJSON only where offered.
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:g",
            {{"Accept", "application/geo+json, application/json"}});
  CHECK(r.body["type"] == "Vehicle");
  r = f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:g", {{"Accept", "application/json;q=0, */*"}});
  CHECK(r.body.contains("@context"));
  CHECK(f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:g", {{"Accept", "application/json;q=abc"}}).status ==
        200);
  CHECK(f.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:g", {{"Accept", "application/json;q=abc"}}).status ==
        200);
  CHECK(f.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:g", {{"Accept", "application/geo+json"}})
            .status == 406);
}

TEST_CASE("POST /entityOperations/query refuses malformed query bodies") {
  Fixture f;
  REQUIRE(f.post("/ngsi-ld/v1/entities", car("urn:ngsi-ld:Vehicle:q", 12)).status == 201);
  json query = {{"type", "Query"}, {"entities", json::array({{{"type", "Vehicle"}}})}};
  CHECK(f.post("/ngsi-ld/v1/entityOperations/query", query).body.size() == 1);
  const auto refused = [&](const char* member, const json& value) {
    json bad = query;
    bad[member] = value;
    const auto r = f.post("/ngsi-ld/v1/entityOperations/query", bad);
    CHECK_MESSAGE(r.status == 400, member);
  };
  refused("attrs", json::array());
  refused("joinLevel", 0);
  refused("temporalQ", {{"timerel", "after"}, {"timeAt", "2020-01-01T00:00:00Z"}});
  refused("entities", json::array({{{"id", "urn:ngsi-ld:Vehicle:q"}}}));
  refused("ordering", {{"orderBy", json::array({"location;dist-asc"})}});
  refused("ordering", {{"orderBy", json::array({"id;asc"})}, {"geometry", 5}});
  refused("ordering", {{"orderBy", json::array({"id;asc"})}, {"collation", "not a tag!!"}});
}
