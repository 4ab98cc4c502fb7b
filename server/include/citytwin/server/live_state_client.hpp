#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "citytwin/context/entity.hpp"

namespace citytwin::server {

struct LiveClientOptions {
  std::string token;              // bearer token, if the service wants one
  int timeoutSeconds = 10;
  std::size_t pageSize = 1000;
  std::size_t maxEntities = 1000000;
};

// Every entity of the given types from an NGSI-LD service at baseUrl ("http://127.0.0.1:1026"), paged,
// read with the Smart Data Models context. Throws citytwin::Error naming the URL and status on failure.
std::vector<context::Entity> fetchEntities(const std::string& baseUrl, const std::vector<std::string>& types,
                                           const LiveClientOptions& options = {});

// The entities of the types the city mapping understands (context::mappedEntityTypes()), for a
// context::LiveState.
std::vector<context::Entity> fetchLiveEntities(const std::string& baseUrl, const LiveClientOptions& options = {});

}  // namespace citytwin::server
