#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "citytwin/city/city_model.hpp"

namespace citytwin::city {

// The kinds of city object that dynamic attributes attach to.
enum class Layer { Building, RoadLink, RoadNode, Substation, Feeder, Sensor };
std::string_view toString(Layer layer);
Layer layerFromString(std::string_view text);  // throws Error for an unknown layer

struct CouplingColumn;  // coupling_columns.hpp

// The dynamic state of a city: named numeric columns per layer, one value per object in the layer's
// order (e.g. RoadLink "max_flood_depth_m", Building "heating_kw"). Models couple only through it: the
// flood model writes a road link's depth, the traffic model reads it and closes the road. The columns
// they share are declared once, with unit and meaning, in coupling_columns.hpp.
class CityState {
 public:
  CityState() = default;
  explicit CityState(const CityModel& city);

  std::size_t objectCount(Layer layer) const;
  bool has(Layer layer, std::string_view attribute) const;
  // Creates the column (filled with `initial`) on first use.
  std::vector<double>& column(Layer layer, std::string_view attribute, double initial = 0.0);
  // Throws Error naming the layer and attribute when the column does not exist.
  const std::vector<double>& column(Layer layer, std::string_view attribute) const;
  std::vector<std::string> attributes(Layer layer) const;
  // The same, for a declared coupling column (its layer and name).
  bool has(const CouplingColumn& column) const;
  std::vector<double>& column(const CouplingColumn& column, double initial = 0.0);
  const std::vector<double>& column(const CouplingColumn& column) const;

  friend bool operator==(const CityState&, const CityState&) = default;

 private:
  std::map<Layer, std::size_t> counts_;
  std::map<std::pair<Layer, std::string>, std::vector<double>, std::less<>> columns_;
};

}  // namespace citytwin::city
