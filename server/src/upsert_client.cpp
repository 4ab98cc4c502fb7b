#include "citytwin/server/upsert_client.hpp"

#include <httplib.h>

#include "citytwin/core/error.hpp"

namespace citytwin::server {

struct UpsertClient::Connection {
  explicit Connection(const std::string& url) : client(url) {}
  httplib::Client client;
  httplib::Headers headers;
};

UpsertClient::UpsertClient(const std::string& url, const std::string& token)
    : url_(url), connection_(std::make_unique<Connection>(url)) {
  httplib::Client& client = connection_->client;
  if (!client.is_valid()) throw Error("--to '" + url + "' is not an http://host:port URL");
  client.set_read_timeout(30);
  client.set_connection_timeout(10);
  client.set_tcp_nodelay(true);
  client.set_keep_alive(true);
  if (!token.empty()) connection_->headers.emplace("Authorization", "Bearer " + token);
}

UpsertClient::~UpsertClient() = default;

std::size_t UpsertClient::send(const nlohmann::json& entities, bool withContext, const std::string& where) {
  const auto response =
      connection_->client.Post("/ngsi-ld/v1/entityOperations/upsert?options=update", connection_->headers,
                               entities.dump(), withContext ? "application/ld+json" : "application/json");
  if (!response) {
    throw Error(where + ": POST " + url_ + " failed: " + httplib::to_string(response.error()));
  }
  ++requests_;
  if (response->status == 201 || response->status == 204) return 0;
  if (response->status == 207) {
    const nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
    const std::size_t failed = body.is_object() && body.contains("errors") ? body["errors"].size() : 0;
    if (failed > 0 && firstError_.empty()) firstError_ = where + ": " + body["errors"][0].dump();
    return failed;
  }
  throw Error(where + ": the service answered " + std::to_string(response->status) + ": " +
              response->body.substr(0, 300));
}

}  // namespace citytwin::server
