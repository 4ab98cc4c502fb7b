#pragma once

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"

namespace citytwin::server {

// Paging of the items routes: `limit` when a request gives none, and the most one page returns (larger
// limits are lowered to it, as OGC API – Features allows).
struct FeaturesPaging {
  std::size_t defaultLimit = 100;
  std::size_t maxLimit = 10000;
};

// OGC API – Features (Part 1: Core, GeoJSON, OpenAPI 3.0) of a served city under kFeaturesApiPrefix: the
// buildings, road links, sensors and grid assets as GeoJSON in CRS84, with the live values the service maps
// onto them merged into the properties. Geometries are transformed once, when the API is built.
class FeaturesApi {
 public:
  // `liveSummary` is the service's live state (context::LiveCity::summary(): "columns" of
  // "<layer>.<column>" -> {object id: value}); empty: no live values.
  FeaturesApi(const city::CityModel& city, std::function<nlohmann::json()> liveSummary,
              FeaturesPaging paging = {});
  ~FeaturesApi();
  FeaturesApi(const FeaturesApi&) = delete;
  FeaturesApi& operator=(const FeaturesApi&) = delete;

  void install(httplib::Server& server) const;

 private:
  struct Collection;
  std::vector<std::unique_ptr<Collection>> collections_;
  std::function<nlohmann::json()> liveSummary_;
  FeaturesPaging paging_;
  std::string title_;
};

inline constexpr const char* kFeaturesApiPrefix = "/ogcapi";

}  // namespace citytwin::server
