#include "citytwin/city/city_index.hpp"

#include <algorithm>
#include <limits>

namespace citytwin::city {
namespace {
std::vector<geo::BBox> buildingBounds(const CityModel& city) {
  std::vector<geo::BBox> boxes;
  boxes.reserve(city.buildings.size());
  for (const auto& building : city.buildings) boxes.push_back(geo::bounds(building.footprint));
  return boxes;
}
std::vector<geo::BBox> linkBounds(const CityModel& city) {
  std::vector<geo::BBox> boxes;
  boxes.reserve(city.roads.links.size());
  for (const auto& link : city.roads.links) boxes.push_back(geo::bounds(link.geometry));
  return boxes;
}
std::vector<geo::BBox> sensorBounds(const CityModel& city) {
  std::vector<geo::BBox> boxes;
  boxes.reserve(city.sensors.size());
  for (const auto& sensor : city.sensors) {
    geo::BBox box;
    box.expand(sensor.position);
    boxes.push_back(box);
  }
  return boxes;
}
double distanceToFootprint(const geo::MultiPolygon& footprint, geo::Vec2 p) {
  if (geo::contains(footprint, p)) return 0.0;
  double best = std::numeric_limits<double>::infinity();
  for (const auto& part : footprint) {
    geo::Polyline outline = part.outer;
    if (!outline.empty()) outline.push_back(outline.front());
    best = std::min(best, geo::distanceToPolyline(outline, p));
  }
  return best;
}
}  // namespace

CityIndex::CityIndex(const CityModel& city)
    : city_(city), buildings_(buildingBounds(city)), links_(linkBounds(city)), sensors_(sensorBounds(city)) {}

std::vector<std::uint32_t> CityIndex::buildingsIn(const geo::BBox& box) const { return buildings_.query(box); }
std::vector<std::uint32_t> CityIndex::roadLinksIn(const geo::BBox& box) const { return links_.query(box); }
std::vector<std::uint32_t> CityIndex::sensorsIn(const geo::BBox& box) const { return sensors_.query(box); }

std::optional<std::uint32_t> CityIndex::buildingAt(geo::Vec2 p) const {
  geo::BBox point;
  point.expand(p);
  for (std::uint32_t id : buildings_.query(point)) {
    if (geo::contains(city_.buildings[id].footprint, p)) return id;
  }
  return std::nullopt;
}

std::vector<std::uint32_t> CityIndex::nearestBuildings(geo::Vec2 p, std::size_t k) const {
  return buildings_.nearest(p, k, [this](std::uint32_t id, geo::Vec2 q) {
    return distanceToFootprint(city_.buildings[id].footprint, q);
  });
}

std::vector<std::uint32_t> CityIndex::nearestRoadLinks(geo::Vec2 p, std::size_t k) const {
  return links_.nearest(p, k, [this](std::uint32_t id, geo::Vec2 q) {
    return geo::distanceToPolyline(city_.roads.links[id].geometry, q);
  });
}

}  // namespace citytwin::city
