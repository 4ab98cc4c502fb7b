#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "citytwin/city/building.hpp"

namespace citytwin::viewer {

// A linear RGBA colour, each channel in [0, 1].
struct Colour {
  float r = 0.0f;
  float g = 0.0f;
  float b = 0.0f;
  float a = 1.0f;
  friend bool operator==(const Colour&, const Colour&) = default;
};

// A piecewise-linear map from a value to a colour, clamped at both ends; the legend of a layer shows it.
class ColourRamp {
 public:
  struct Stop {
    double value;
    Colour colour;
  };

  ColourRamp() = default;
  // Stops must be given in increasing value order (throws Error otherwise or when empty).
  ColourRamp(std::string title, std::string unit, std::vector<Stop> stops);

  Colour at(double value) const;
  const std::string& title() const { return title_; }
  const std::string& unit() const { return unit_; }
  const std::vector<Stop>& stops() const { return stops_; }
  double minimum() const { return stops_.front().value; }
  double maximum() const { return stops_.back().value; }
  bool empty() const { return stops_.empty(); }

 private:
  std::string title_;
  std::string unit_;
  std::vector<Stop> stops_;
};

// Hypsometric tints from green lowland to light brown hills over the city's own elevation range.
ColourRamp terrainRamp(double minElevationM, double maxElevationM);
// Light to deep blue; everything deeper than `deepM` is the deepest blue.
ColourRamp waterDepthRamp(double deepM = 2.0);
// Purple (negative) through white to orange (positive), symmetric around zero: variant differences. Neither
// end is blue, so a difference never reads as water.

ColourRamp divergingRamp(std::string title, std::string unit, double halfRange);
// Power supply: 0 (unsupplied) red, 1 (supplied) a quiet grey-green, so outages are what stands out.
ColourRamp suppliedRamp(std::string title);
// Pale yellow through orange to dark red: demand, flow, load — "red where it peaks".
ColourRamp heatRamp(std::string title, std::string unit, double minimum, double maximum);
// Red (slow) through yellow to green (free flow).
ColourRamp speedRamp(std::string title, std::string unit, double minimum, double maximum);

// A legend of named categories (building use, road class, sensor type).
using CategoryLegend = std::vector<std::pair<std::string, Colour>>;

Colour buildingUseColour(city::BuildingUse use);
CategoryLegend buildingUseLegend();
// Road classes in the colours of the OpenStreetMap standard map, which planners already read.
Colour roadClassColour(std::string_view highwayClass);
CategoryLegend roadClassLegend();
Colour sensorTypeColour(std::string_view sensorType);
Colour vehicleColour();
// Closed roads are drawn in this colour whatever the active road colouring.
Colour closedRoadColour();

}  // namespace citytwin::viewer
