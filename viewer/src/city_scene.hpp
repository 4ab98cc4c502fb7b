#pragma once

#include <osg/Drawable>
#include <osg/Group>

#include <list>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/viewer/city_view.hpp"
#include "citytwin/viewer/colour_ramp.hpp"
#include "citytwin/viewer/run_results.hpp"
#include "citytwin/viewer/view_settings.hpp"
#include "result_tables.hpp"
#include "scene_frame.hpp"
#include "scene_layers.hpp"

namespace citytwin::viewer {

// A colour key shown for a layer: a ramp, or named categories.
struct Legend {
  std::string title;
  std::optional<ColourRamp> ramp;
  CategoryLegend categories;
};

// The scene graph of a city and the results of one run, kept in step with the view settings.
class CityScene {
 public:
  CityScene(const city::CityModel& city, const RunResults* run);

  osg::Group* root() const { return root_.get(); }
  const SceneFrame& frame() const { return frame_; }
  const city::CityModel& city() const { return city_; }
  const RunResults* run() const { return run_; }

  // Brings layers, colours, water and vehicles up to date with `settings` (only what changed is redone).
  void apply(const ViewSettings& settings);
  const std::vector<Legend>& legends() const { return legends_; }
  std::size_t wetCells() const { return water_.wetCells() + difference_.wetCells(); }
  std::size_t shownVehicles() const { return shownVehicles_; }

  // The city object a vertex of a drawable belongs to, with its attributes at the settings' time.
  std::optional<PickedObject> describe(const osg::Drawable& drawable, unsigned vertex, const ViewSettings& settings) const;
  // Result columns of a layer in a variant ("" = the settings' default variant resolution is the caller's).
  std::vector<std::string> attributes(city::Layer layer, const std::string& variant) const;
  std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> timeSeries(city::Layer layer, std::size_t index,
                                                                                         const std::string& variant) const;
  // The variant a settings' name resolves to ("" = the first of the run).
  std::string resolveVariant(const std::string& name) const;

 private:
  const StateTable* table(const std::string& variant, city::Layer layer) const;
  const geo::RasterGrid& raster(const std::filesystem::path& file) const;
  std::optional<geo::RasterGrid> depthAt(const std::string& variant, double timeS) const;
  void colourBuildings(const ViewSettings& settings, const std::string& variant);
  void colourRoads(const ViewSettings& settings, const std::string& variant);
  void updateWater(const ViewSettings& settings, const std::string& variant);
  void updateVehicles(const ViewSettings& settings, const std::string& variant);
  // Values of an attribute at a time, B - A when comparing; the ramp that suits it.
  std::optional<std::pair<std::vector<float>, ColourRamp>> attributeColours(city::Layer layer, const std::string& attribute,
                                                                            const ViewSettings& settings,
                                                                            const std::string& variant) const;

  const city::CityModel& city_;
  const RunResults* run_;
  SceneFrame frame_;
  osg::ref_ptr<osg::Group> root_;
  TerrainLayer terrain_;
  BuildingLayer buildings_;
  RoadLayer roads_;
  SensorLayer sensors_;
  WaterLayer water_;
  WaterLayer difference_;
  VehicleLayer vehicles_;
  std::unordered_map<const osg::Drawable*, city::Layer> pickable_;
  std::vector<Legend> legends_;
  std::size_t shownVehicles_ = 0;

  std::string buildingKey_, roadKey_, waterKey_, vehicleKey_;
  Legend buildingLegend_, roadLegend_, waterLegend_;

  mutable std::map<std::pair<std::string, city::Layer>, std::optional<StateTable>> tables_;
  mutable std::map<std::string, std::optional<VehicleTracks>> tracks_;
  mutable std::list<std::pair<std::filesystem::path, geo::RasterGrid>> rasterCache_;  // most recent first
};

}  // namespace citytwin::viewer
