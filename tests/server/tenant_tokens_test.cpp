// Tokens bound to tenants: a bound token opens its own tenant only (403 elsewhere, the default tenant
// included); the service's own token opens every tenant; no or an unknown token is 401.
#include <doctest/doctest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "citytwin/server/context_service.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin::server;
using nlohmann::json;

TEST_CASE("tokens bound to tenants open only their tenant") {
  ServiceOptions options;
  options.port = 0;
  options.threads = 4;
  options.contextFetch.offline = true;
  options.databasePath = citytwin::testing::scratchDirectory() / "tenant-tokens.sqlite";
  options.token = "admin";
  options.tenantTokens = {{"nice-token", "nice"}, {"monaco-token", "monaco"}, {"default-token", ""}};
  ContextService service(options);
  httplib::Client client("127.0.0.1", service.start());
  client.set_read_timeout(10);
  const auto status = [&](const std::string& method, const std::string& path, const std::string& token,
                          const std::string& tenant, const std::string& body = "") {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    if (!tenant.empty()) headers.emplace("NGSILD-Tenant", tenant);
    const auto result = method == "POST" ? client.Post(path.c_str(), headers, body, "application/json")
                                         : client.Get(path.c_str(), headers);
    return result ? result->status : -1;
  };
  const std::string sensor =
      json{
          {"id", "urn:ngsi-ld:Sensor:1"}, {"type", "Sensor"}, {"level", {{"type", "Property"}, {"value", 1}}}}
          .dump();
  CHECK(status("POST", "/ngsi-ld/v1/entities", "nice-token", "nice", sensor) == 201);
  CHECK(status("GET", "/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:1", "nice-token", "nice") == 200);
  // Another tenant, or none (the default tenant), with the Nice token: 403, whether that tenant exists or
  // not.
  CHECK(status("POST", "/ngsi-ld/v1/entities", "nice-token", "monaco", sensor) == 403);
  CHECK(status("GET", "/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:1", "nice-token", "") == 403);
  CHECK(status("GET", "/citytwin/v1/health", "nice-token", "") == 403);
  // Monaco's token cannot read Nice's entity.
  CHECK(status("GET", "/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:1", "monaco-token", "nice") == 403);
  CHECK(status("POST", "/ngsi-ld/v1/entities", "monaco-token", "monaco", sensor) == 201);
  // The default tenant's token: no header only.
  CHECK(status("GET", "/citytwin/v1/health", "default-token", "") == 200);
  CHECK(status("GET", "/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:1", "default-token", "nice") == 403);
  // The service's token opens every tenant; none or an unknown one opens none.
  CHECK(status("GET", "/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:1", "admin", "nice") == 200);
  CHECK(status("GET", "/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:1", "admin", "monaco") == 200);
  CHECK(status("GET", "/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:1", "", "nice") == 401);
  CHECK(status("GET", "/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:1", "nice", "nice") == 401);
  service.stop();
}
