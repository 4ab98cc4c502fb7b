#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/geo/spatial_index.hpp"

namespace citytwin::city {

// Spatial indexes over a city's buildings, road links and sensors: bounding-box and nearest queries in
// the city CRS. Built once; the city must outlive it and stay unchanged.
class CityIndex {
 public:
  explicit CityIndex(const CityModel& city);

  std::vector<std::uint32_t> buildingsIn(const geo::BBox& box) const;
  std::vector<std::uint32_t> roadLinksIn(const geo::BBox& box) const;
  std::vector<std::uint32_t> sensorsIn(const geo::BBox& box) const;
  // The building whose footprint contains p, else nullopt.
  std::optional<std::uint32_t> buildingAt(geo::Vec2 p) const;
  // Nearest by true distance to the footprint outline or link geometry.
  std::vector<std::uint32_t> nearestBuildings(geo::Vec2 p, std::size_t k) const;
  std::vector<std::uint32_t> nearestRoadLinks(geo::Vec2 p, std::size_t k) const;

 private:
  const CityModel& city_;
  geo::SpatialIndex buildings_;
  geo::SpatialIndex links_;
  geo::SpatialIndex sensors_;
};

}  // namespace citytwin::city
