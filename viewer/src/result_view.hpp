#pragma once

#include <memory>
#include <optional>
#include <osg/Group>
#include <string>

#include "citytwin/viewer/colour_ramp.hpp"
#include "indexed_colours.hpp"
#include "scene_layers.hpp"

namespace citytwin::viewer {

// A colour key shown for a layer: a ramp, or named categories.
struct Legend {
  std::string title;
  std::optional<ColourRamp> ramp;
  CategoryLegend categories;
};

// What one side of a side-by-side comparison shows of a run over the geometry both sides share: its own
// building and road colour tables, water and vehicles. The first view uses the layers' own tables; the
// second overrides them in the state set of its root.
struct ResultView {
  osg::ref_ptr<osg::Group> root;
  IndexedColours* buildingColours = nullptr;
  IndexedColours* roadColours = nullptr;
  std::unique_ptr<IndexedColours> ownBuildingColours;
  std::unique_ptr<IndexedColours> ownRoadColours;
  WaterLayer water;
  WaterLayer difference;
  VehicleLayer vehicles;
  std::size_t shownVehicles = 0;
  std::string variant;  // what it showed last
  std::string buildingKey, roadKey, waterKey, vehicleKey;
  Legend buildingLegend, roadLegend, waterLegend;
};

}  // namespace citytwin::viewer
