#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/context/city_mapping.hpp"
#include "citytwin/context/entity.hpp"
#include "citytwin/context/live_overlay.hpp"

namespace citytwin::context {

struct LiveClientOptions {
  std::string token;              // bearer token, if the service wants one
  int timeoutSeconds = 10;
  std::size_t pageSize = 1000;
  std::size_t maxEntities = 1000000;
};

// The Smart Data Models types the mapping understands, in the order they are applied.
const std::vector<std::string>& mappedEntityTypes();

// Every entity of the given types from an NGSI-LD service at baseUrl ("http://127.0.0.1:1026"), paged,
// read with the Smart Data Models context. Throws citytwin::Error naming the URL and status on failure.
std::vector<Entity> fetchEntities(const std::string& baseUrl, const std::vector<std::string>& types,
                                  const LiveClientOptions& options = {});

// Fetches the live state from baseUrl and writes it into `state` (a CityState of `city`): rain -> RainGauge
// sensor values, river levels -> RiverGauge values, observed flows and speeds -> road links, observed loads
// -> buildings and substations, closures -> RoadLink "closed". Entities are applied in type order, then by id.
LiveSnapshot applyLiveState(const std::string& baseUrl, const city::CityModel& city, city::CityState& state,
                            const LiveClientOptions& options = {});

}  // namespace citytwin::context
