#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace citytwin::server {

// Sends batches of entities to an NGSI-LD service with batch upsert (attributes merged into existing
// entities, so partial observations do not erase other attributes), over one keep-alive connection.
class UpsertClient {
 public:
  // `url` is the service's base URL ("http://127.0.0.1:1026"); throws Error when it is not one.
  UpsertClient(const std::string& url, const std::string& token);
  ~UpsertClient();
  UpsertClient(const UpsertClient&) = delete;
  UpsertClient& operator=(const UpsertClient&) = delete;

  // Sends an array of entities (application/ld+json when they carry their @context) and returns the number
  // the service refused (207 errors). Throws Error, prefixed with `where`, when the request fails.
  std::size_t send(const nlohmann::json& entities, bool withContext, const std::string& where);
  std::size_t requests() const { return requests_; }
  // The first refusal the service explained, prefixed with its `where`; empty when none.
  const std::string& firstError() const { return firstError_; }

 private:
  struct Connection;
  std::string url_;
  std::unique_ptr<Connection> connection_;
  std::size_t requests_ = 0;
  std::string firstError_;
};

}  // namespace citytwin::server
