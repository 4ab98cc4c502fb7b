#include "citytwin/server/live_state_client.hpp"

#include <httplib.h>

#include "citytwin/context/city_mapping.hpp"
#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/json_ld_context.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::server {

namespace {
constexpr const char* kSmartDataModelsContext = "https://smartdatamodels.org/context.jsonld";
}

std::vector<context::Entity> fetchEntities(const std::string& baseUrl, const std::vector<std::string>& types,
                                           const LiveClientOptions& options) {
  httplib::Client client(baseUrl);
  if (!client.is_valid()) throw Error("live state: '" + baseUrl + "' is not an http://host:port URL");
  client.set_connection_timeout(options.timeoutSeconds);
  client.set_read_timeout(options.timeoutSeconds);
  client.set_tcp_nodelay(true);
  client.set_keep_alive(true);
  httplib::Headers headers = {
      {"Accept", "application/json"},
      {"Link", std::string("<") + kSmartDataModelsContext + ">; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\""}};
  if (!options.token.empty()) headers.emplace("Authorization", "Bearer " + options.token);
  const auto smartDataModels = context::resolveContext(kSmartDataModelsContext);
  std::vector<context::Entity> entities;
  for (const auto& type : types) {
    for (std::size_t offset = 0; entities.size() < options.maxEntities; offset += options.pageSize) {
      const std::string path = "/ngsi-ld/v1/entities?type=" + type + "&limit=" + std::to_string(options.pageSize) +
                               "&offset=" + std::to_string(offset);
      const auto response = client.Get(path.c_str(), headers);
      if (!response) {
        throw Error("live state: GET " + baseUrl + path + " failed: " + httplib::to_string(response.error()));
      }
      if (response->status != 200) {
        throw Error("live state: GET " + baseUrl + path + " answered " + std::to_string(response->status) + ": " +
                    response->body.substr(0, 300));
      }
      const auto page = nlohmann::json::parse(response->body, nullptr, false);
      if (!page.is_array()) throw Error("live state: GET " + baseUrl + path + " did not return a JSON array");
      for (const auto& item : page) {
        try {
          entities.push_back(context::parseEntity(item, *smartDataModels));
        } catch (const std::exception&) {
          // An entity the service holds but we cannot read is skipped, not fatal for a what-if.
        }
      }
      if (page.size() < options.pageSize) break;
    }
  }
  return entities;
}

std::vector<context::Entity> fetchLiveEntities(const std::string& baseUrl, const LiveClientOptions& options) {
  return fetchEntities(baseUrl, context::mappedEntityTypes(), options);
}

}  // namespace citytwin::server
