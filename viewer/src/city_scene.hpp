#pragma once

#include <array>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <osg/Drawable>
#include <osg/Group>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/viewer/city_view.hpp"
#include "citytwin/viewer/colour_ramp.hpp"
#include "citytwin/viewer/run_results.hpp"
#include "citytwin/viewer/view_settings.hpp"
#include "live_feed.hpp"
#include "result_tables.hpp"
#include "result_view.hpp"
#include "scene_frame.hpp"
#include "scene_layers.hpp"

namespace citytwin::viewer {

// Which view of a side-by-side comparison: the left one (variant A, or the only view) or the right one (B).
enum class Side : std::size_t { A = 0, B = 1 };

// The scene graph of a city and the results of one run, kept in step with the view settings.
class CityScene {
 public:
  CityScene(const city::CityModel& city, const RunResults* run);

  // The scene of view A (the only one unless side by side) and of view B; both share the city's geometry.
  osg::Group* root(Side side = Side::A) const { return views_[static_cast<std::size_t>(side)].root.get(); }
  const SceneFrame& frame() const { return frame_; }
  const city::CityModel& city() const { return city_; }
  const RunResults* run() const { return run_; }

  // Whether the settings ask for two views (a B variant chosen and side by side on).
  bool sideBySide(const ViewSettings& settings) const;
  // The variant a view shows under the settings ("" without a run).
  std::string variantOf(Side side, const ViewSettings& settings) const;

  // The values of the latest live poll (nullptr: none); objects they cover are recoloured at the next apply.
  void setLive(std::shared_ptr<const LiveValues> live);
  const LiveValues* live() const { return live_.get(); }

  // Brings layers, colours, water and vehicles up to date with `settings` (only what changed is redone).
  void apply(const ViewSettings& settings);
  const std::vector<Legend>& legends() const { return legends_; }
  std::size_t wetCells(Side side = Side::A) const;
  std::size_t shownVehicles(Side side = Side::A) const {
    return views_[static_cast<std::size_t>(side)].shownVehicles;
  }

  // The city object a vertex of a drawable belongs to, with its attributes at the settings' time in `side`'s
  // variant.
  std::optional<PickedObject> describe(const osg::Drawable& drawable, unsigned vertex,
                                       const ViewSettings& settings, Side side = Side::A) const;
  std::optional<PickedObject> describe(city::Layer layer, std::size_t index, const ViewSettings& settings,
                                       Side side = Side::A) const;
  // Result columns of a layer in a variant, and the live columns observed for it.
  std::vector<std::string> attributes(city::Layer layer, const std::string& variant) const;
  std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> timeSeries(city::Layer layer, std::size_t index,
                                                                                         const std::string& variant) const;
  // The variant a settings' name resolves to ("" = the first of the run).
  std::string resolveVariant(const std::string& name) const;

 private:
  // What a view shows: its variant, the variant it is compared with (difference colours), and the variant
  // whose value range its ramps share (the other side of a side-by-side comparison).
  struct Showing {
    std::string variant;
    std::string compare;
    std::string partner;
  };
  const StateTable* table(const std::string& variant, city::Layer layer) const;
  const geo::RasterGrid& raster(const std::filesystem::path& file) const;
  std::optional<geo::RasterGrid> depthAt(const std::string& variant, double timeS) const;
  void applyView(ResultView& view, const ViewSettings& settings, const Showing& showing);
  void colourBuildings(ResultView& view, const ViewSettings& settings, const Showing& showing);
  void colourRoads(ResultView& view, const ViewSettings& settings, const Showing& showing);
  void colourSensors();
  void updateWater(ResultView& view, const ViewSettings& settings, const Showing& showing);
  void updateVehicles(ResultView& view, const ViewSettings& settings, const Showing& showing);
  // Values of an attribute at a time (B - A when comparing; live values when the run has none), the ramp
  // that suits it, and whether objects without a value keep their usual colour (live values).
  struct Coloured {
    std::vector<float> values;
    ColourRamp ramp;
    bool live = false;
  };
  std::optional<Coloured> attributeColours(city::Layer layer, const std::string& attribute, double timeS,
                                           const Showing& showing) const;

  const city::CityModel& city_;
  const RunResults* run_;
  SceneFrame frame_;
  TerrainLayer terrain_;
  BuildingLayer buildings_;
  RoadLayer roads_;
  SensorLayer sensors_;
  std::array<ResultView, 2> views_;
  std::unordered_map<const osg::Drawable*, city::Layer> pickable_;
  std::vector<Legend> legends_;
  std::shared_ptr<const LiveValues> live_;
  int liveGeneration_ = 0;
  int sensorGeneration_ = -1;

  mutable std::map<std::pair<std::string, city::Layer>, std::optional<StateTable>> tables_;
  mutable std::map<std::string, std::optional<VehicleTracks>> tracks_;
  mutable std::list<std::pair<std::filesystem::path, geo::RasterGrid>> rasterCache_;  // most recent first
};

}  // namespace citytwin::viewer
