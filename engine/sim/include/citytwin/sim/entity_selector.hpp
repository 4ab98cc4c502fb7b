#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/geo/geometry.hpp"
#include "citytwin/core/value_reader.hpp"

namespace citytwin::sim {

// Which objects of one layer an intervention touches. All given criteria must hold:
//   id = "..." / ids = [...]                   these objects (each must exist in the city)
//   where = { use = "residential", year_built = { max = 1970 } }   static properties
//   area = { bbox = [xmin, ymin, xmax, ymax] } or area = { polygon = [[x, y], ...] }  (city CRS metres;
//                                              an object's representative point must lie inside)
//   fraction = 0.3                             a deterministic share of the matches, drawn with the seed
//   all = true                                 every object of the layer (required when nothing else is)
class EntitySelector {
 public:
  // Reads the selector keys of an intervention table (marks them known in `reader`).
  static EntitySelector parse(const ValueReader& reader, city::Layer layer);

  city::Layer layer() const { return layer_; }
  // Indices of the selected objects in the layer's order, ascending. Throws InputError naming the
  // line and key for an id that is not in the city. `seed` drives `fraction`.
  std::vector<std::uint32_t> resolve(const city::CityModel& city, std::uint64_t seed) const;
  // Throws InputError for ids that are not in the city.
  void checkIds(const city::CityModel& city) const;

  struct PropertyTest {
    std::string property;
    std::vector<std::string> textValues;  // any of (strings and booleans as "true"/"false")
    std::vector<double> numberValues;     // any of
    std::optional<double> min;
    std::optional<double> max;
    InputLocation location;
  };

 private:
  city::Layer layer_ = city::Layer::Building;
  std::vector<std::string> ids_;
  InputLocation idsLocation_;
  std::vector<PropertyTest> where_;
  std::optional<geo::BBox> bbox_;
  std::optional<geo::Ring> polygon_;
  std::optional<double> fraction_;
  bool all_ = false;
};

// The id of object `index` of `layer`, and the point used for area tests.
std::string entityId(const city::CityModel& city, city::Layer layer, std::size_t index);
geo::Vec2 representativePoint(const city::CityModel& city, city::Layer layer, std::size_t index);
std::size_t entityCount(const city::CityModel& city, city::Layer layer);

}  // namespace citytwin::sim
