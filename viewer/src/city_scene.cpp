#include "city_scene.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "citytwin/core/error.hpp"
#include "citytwin/io/geotiff.hpp"

namespace citytwin::viewer {
namespace {

constexpr double kWetThresholdM = 0.01;
constexpr std::size_t kRasterCacheSize = 6;
const Colour kNoData{0.72f, 0.72f, 0.72f, 1.0f};

std::string number(double value, int precision = 2) {
  if (!std::isfinite(value)) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(precision) << value;
  return out.str();
}

std::string keyOf(const std::vector<std::string>& parts) {
  std::string key;
  for (const auto& part : parts) key += part + '\x1f';
  return key;
}

// The ramp that reads naturally for an attribute, spanning [minimum, maximum].
ColourRamp rampFor(const std::string& attribute, double minimum, double maximum, bool difference) {
  if (difference) return divergingRamp(attribute + " (B - A)", "", std::max(std::fabs(minimum), std::fabs(maximum)));
  if (attribute.find("depth") != std::string::npos) return waterDepthRamp(std::max(maximum, 0.5));
  if (attribute.find("speed") != std::string::npos) return speedRamp(attribute, "km/h", minimum, std::max(maximum, minimum + 1));
  return heatRamp(attribute, "", minimum, std::max(maximum, minimum + 1e-6));
}

template <typename Objects>
std::unordered_map<std::string, std::size_t> indexById(const Objects& objects) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < objects.size(); ++i) index.emplace(objects[i].id, i);
  return index;
}

}  // namespace

CityScene::CityScene(const city::CityModel& city, const RunResults* run)
    : city_(city), run_(run), frame_(city), root_(new osg::Group) {
  terrain_ = buildTerrainLayer(frame_);
  buildings_ = buildBuildingLayer(frame_, city.buildings);
  roads_ = buildRoadLayer(frame_, city.roads);
  sensors_ = buildSensorLayer(frame_, city.sensors);
  water_.node()->setName("water");
  difference_.node()->setName("water");
  vehicles_.node()->setName("vehicles");
  root_->addChild(terrain_.node);
  root_->addChild(roads_.node);
  root_->addChild(buildings_.node);
  root_->addChild(sensors_.node);
  root_->addChild(vehicles_.node());
  root_->addChild(water_.node());
  root_->addChild(difference_.node());
  const auto registerPickable = [this](osg::Group* group, city::Layer layer) {
    for (unsigned i = 0; i < group->getNumChildren(); ++i) {
      osg::Node* child = group->getChild(i);
      if (const auto* drawable = child->asDrawable()) pickable_.emplace(drawable, layer);
      // Level-of-detail tiles hold one drawable per level.
      if (osg::Group* levels = child->asGroup()) {
        for (unsigned k = 0; k < levels->getNumChildren(); ++k) {
          if (const auto* drawable = levels->getChild(k)->asDrawable()) pickable_.emplace(drawable, layer);
        }
      }
    }
  };
  registerPickable(buildings_.node.get(), city::Layer::Building);
  registerPickable(roads_.node.get(), city::Layer::RoadLink);
  registerPickable(sensors_.node.get(), city::Layer::Sensor);
}

std::string CityScene::resolveVariant(const std::string& name) const {
  if (run_ == nullptr) return "";
  if (name.empty()) return run_->variants().front().name;
  return run_->variant(name).name;  // throws, listing the variants, for an unknown name
}

const StateTable* CityScene::table(const std::string& variant, city::Layer layer) const {
  if (run_ == nullptr || variant.empty()) return nullptr;
  auto [it, inserted] = tables_.try_emplace({variant, layer});
  if (inserted) {
    const VariantResults& results = run_->variant(variant);
    const auto file = results.stateFiles.find(layer);
    if (file != results.stateFiles.end()) {
      if (layer == city::Layer::Building) {
        it->second = StateTable::load(file->second, indexById(city_.buildings), city_.buildings.size());
      } else if (layer == city::Layer::RoadLink) {
        it->second = StateTable::load(file->second, indexById(city_.roads.links), city_.roads.links.size());
      } else if (layer == city::Layer::Sensor) {
        it->second = StateTable::load(file->second, indexById(city_.sensors), city_.sensors.size());
      }
    }
  }
  return it->second ? &*it->second : nullptr;
}

const geo::RasterGrid& CityScene::raster(const std::filesystem::path& file) const {
  for (auto it = rasterCache_.begin(); it != rasterCache_.end(); ++it) {
    if (it->first == file) {
      rasterCache_.splice(rasterCache_.begin(), rasterCache_, it);
      return rasterCache_.front().second;
    }
  }
  rasterCache_.emplace_front(file, io::readRaster(file));
  if (rasterCache_.size() > kRasterCacheSize) rasterCache_.pop_back();
  return rasterCache_.front().second;
}

std::optional<geo::RasterGrid> CityScene::depthAt(const std::string& variant, double timeS) const {
  if (run_ == nullptr || variant.empty()) return std::nullopt;
  const VariantResults& results = run_->variant(variant);
  const auto& snapshots = results.depthSnapshots;
  // A run that kept only the maximum depth shows it at every time.
  if (snapshots.empty() && results.maxDepthFile) return raster(*results.maxDepthFile);
  const auto after = std::upper_bound(snapshots.begin(), snapshots.end(), timeS,
                                      [](double t, const DepthSnapshot& s) { return t < s.timeS; });
  if (after == snapshots.begin()) return std::nullopt;  // before the first snapshot: no water yet
  const DepthSnapshot& before = *(after - 1);
  geo::RasterGrid depth = raster(before.file);
  if (after != snapshots.end() && timeS > before.timeS) {
    // Between two snapshots the surface moves linearly, so the animation does not jump.
    const geo::RasterGrid& next = raster(after->file);
    if (next.columns == depth.columns && next.rows == depth.rows) {
      const float f = static_cast<float>((timeS - before.timeS) / (after->timeS - before.timeS));
      for (std::size_t i = 0; i < depth.values.size(); ++i) {
        const float a = depth.values[i];
        const float b = next.values[i];
        if (a == depth.noData || b == next.noData) continue;
        depth.values[i] = a + (b - a) * f;
      }
    }
  }
  return depth;
}

void CityScene::apply(const ViewSettings& settings) {
  const std::string variant = resolveVariant(settings.variant);
  const auto show = [&](osg::Node* node, LayerId id) { node->setNodeMask(settings.layer(id).visible ? ~0u : 0u); };
  show(terrain_.node.get(), LayerId::Terrain);
  show(buildings_.node.get(), LayerId::Buildings);
  show(roads_.node.get(), LayerId::Roads);
  show(sensors_.node.get(), LayerId::Sensors);
  show(vehicles_.node(), LayerId::Vehicles);
  const bool comparing = !settings.compareVariant.empty() && settings.layer(LayerId::WaterDifference).visible;
  water_.node()->setNodeMask(settings.layer(LayerId::Water).visible && !comparing ? ~0u : 0u);
  difference_.node()->setNodeMask(comparing ? ~0u : 0u);

  buildings_.colours->setOpacity(settings.layer(LayerId::Buildings).opacity);
  roads_.colours->setOpacity(settings.layer(LayerId::Roads).opacity);
  sensors_.colours->setOpacity(settings.layer(LayerId::Sensors).opacity);
  water_.setOpacity(settings.layer(LayerId::Water).opacity);
  difference_.setOpacity(settings.layer(LayerId::WaterDifference).opacity);
  vehicles_.setOpacity(settings.layer(LayerId::Vehicles).opacity);
  applyLayerOpacity(*terrain_.node->getOrCreateStateSet(), *terrain_.blend, settings.layer(LayerId::Terrain).opacity);

  colourBuildings(settings, variant);
  colourRoads(settings, variant);
  updateWater(settings, variant);
  updateVehicles(settings, variant);

  legends_.clear();
  if (settings.layer(LayerId::Terrain).visible) legends_.push_back({"Terrain elevation", terrain_.ramp, {}});
  if (settings.layer(LayerId::Buildings).visible) legends_.push_back(buildingLegend_);
  if (settings.layer(LayerId::Roads).visible) legends_.push_back(roadLegend_);
  if (!waterLegend_.title.empty() && (settings.layer(LayerId::Water).visible || comparing)) legends_.push_back(waterLegend_);
  if (settings.layer(LayerId::Sensors).visible && !city_.sensors.empty()) {
    Legend sensors{"Sensors", std::nullopt, {}};
    for (const char* type : {"TrafficCounter", "RainGauge", "RiverGauge", "SmartMeter"}) {
      sensors.categories.emplace_back(type, sensorTypeColour(type));
    }
    legends_.push_back(sensors);
  }
}

std::optional<std::pair<std::vector<float>, ColourRamp>> CityScene::attributeColours(city::Layer layer,
                                                                                     const std::string& attribute,
                                                                                     const ViewSettings& settings,
                                                                                     const std::string& variant) const {
  const StateTable* a = table(variant, layer);
  if (a == nullptr || !a->has(attribute)) return std::nullopt;
  std::vector<float> values = a->values(attribute, settings.timeS);
  const bool difference = !settings.compareVariant.empty() && settings.compareVariant != variant;
  if (difference) {
    const StateTable* b = table(resolveVariant(settings.compareVariant), layer);
    if (b == nullptr || !b->has(attribute)) return std::nullopt;
    const std::vector<float>& other = b->values(attribute, settings.timeS);
    double largest = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = other[i] - values[i];
      if (std::isfinite(values[i])) largest = std::max(largest, static_cast<double>(std::fabs(values[i])));
    }
    return std::make_pair(std::move(values), rampFor(attribute, -largest, largest, true));
  }
  const auto [minimum, maximum] = a->range(attribute);
  return std::make_pair(std::move(values), rampFor(attribute, std::min(minimum, 0.0), maximum, false));
}

void CityScene::colourBuildings(const ViewSettings& settings, const std::string& variant) {
  const bool fromRun = !settings.buildingAttribute.empty() && settings.buildingAttribute != "height_m";
  const std::string key = keyOf({settings.buildingAttribute, fromRun ? variant : "", fromRun ? settings.compareVariant : "",
                                 fromRun ? number(settings.timeS, 3) : ""});
  if (key == buildingKey_) return;
  buildingKey_ = key;
  const auto& buildings = city_.buildings;
  std::optional<std::pair<std::vector<float>, ColourRamp>> coloured;
  if (settings.buildingAttribute == "height_m") {
    double tallest = 1.0;
    std::vector<float> heights;
    for (const auto& b : buildings) {
      heights.push_back(static_cast<float>(b.heightM));
      tallest = std::max(tallest, b.heightM);
    }
    coloured = std::make_pair(std::move(heights), heatRamp("Building height", "m", 0.0, tallest));
  } else if (fromRun) {
    coloured = attributeColours(city::Layer::Building, settings.buildingAttribute, settings, variant);
  }
  if (coloured) {
    for (std::size_t i = 0; i < buildings.size(); ++i) {
      const float v = coloured->first[i];
      buildings_.colours->set(i, std::isfinite(v) ? coloured->second.at(v) : kNoData);
    }
    buildingLegend_ = {"Buildings: " + coloured->second.title(), coloured->second, {}};
  } else {
    for (std::size_t i = 0; i < buildings.size(); ++i) buildings_.colours->set(i, buildingUseColour(buildings[i].use));
    buildingLegend_ = {"Buildings by use", std::nullopt, buildingUseLegend()};
  }
  buildings_.colours->commit();
}

void CityScene::colourRoads(const ViewSettings& settings, const std::string& variant) {
  const std::string key = keyOf({settings.roadAttribute, variant, settings.compareVariant, number(settings.timeS, 3)});
  if (key == roadKey_) return;
  roadKey_ = key;
  const auto& links = city_.roads.links;
  const StateTable* states = table(variant, city::Layer::RoadLink);
  // A closed road shows as closed whatever else is being shown: it is what a planner looks for first.
  const std::vector<float>* closed =
      states != nullptr && states->has("closed") ? &states->values("closed", settings.timeS) : nullptr;
  const auto isClosed = [&](std::size_t i) { return closed != nullptr && !closed->empty() && (*closed)[i] > 0.5f; };
  std::optional<std::pair<std::vector<float>, ColourRamp>> coloured;
  if (!settings.roadAttribute.empty() && settings.roadAttribute != "closed") {
    coloured = attributeColours(city::Layer::RoadLink, settings.roadAttribute, settings, variant);
  }
  for (std::size_t i = 0; i < links.size(); ++i) {
    Colour colour = roadClassColour(links[i].highwayClass);
    if (coloured) {
      const float v = coloured->first[i];
      colour = std::isfinite(v) ? coloured->second.at(v) : kNoData;
    }
    if (isClosed(i)) colour = closedRoadColour();
    roads_.colours->set(i, colour);
  }
  if (coloured) {
    roadLegend_ = {"Roads: " + coloured->second.title(), coloured->second, {{"closed", closedRoadColour()}}};
  } else {
    roadLegend_ = {"Roads by class", std::nullopt, roadClassLegend()};
    roadLegend_.categories.emplace_back("closed", closedRoadColour());
  }
  roads_.colours->commit();
}

void CityScene::updateWater(const ViewSettings& settings, const std::string& variant) {
  const bool comparing = !settings.compareVariant.empty() && settings.layer(LayerId::WaterDifference).visible;
  const std::string key = keyOf({variant, comparing ? settings.compareVariant : "", number(settings.timeS, 3)});
  if (key == waterKey_) return;
  waterKey_ = key;
  water_.clear();
  difference_.clear();
  waterLegend_ = {};
  const auto a = depthAt(variant, settings.timeS);
  if (!comparing) {
    if (!a) return;
    const ColourRamp ramp = waterDepthRamp(2.0);
    water_.update(frame_, *a, *a, ramp, kWetThresholdM);
    waterLegend_ = {"Water depth", ramp, {}};
    return;
  }
  const auto b = depthAt(resolveVariant(settings.compareVariant), settings.timeS);
  if (!a && !b) return;
  const geo::RasterGrid& shape = a ? *a : *b;
  geo::RasterGrid surface = shape;
  geo::RasterGrid change = shape;
  double largest = 0.0;
  const bool aligned = a && b && a->columns == b->columns && a->rows == b->rows;
  for (std::size_t i = 0; i < shape.values.size(); ++i) {
    const auto valid = [](const geo::RasterGrid& g, std::size_t k) {
      const float v = g.values[k];
      return v != g.noData && std::isfinite(v) ? v : 0.0f;
    };
    const float depthA = a ? valid(*a, i) : 0.0f;
    const float depthB = b && (aligned || !a) ? valid(*b, i) : 0.0f;
    surface.values[i] = std::max(depthA, depthB);
    change.values[i] = depthB - depthA;
    largest = std::max(largest, static_cast<double>(std::fabs(change.values[i])));
  }
  const ColourRamp ramp = divergingRamp("Water depth, " + settings.compareVariant + " minus " + variant, "m",
                                        std::max(largest, 0.1));
  difference_.update(frame_, surface, change, ramp, kWetThresholdM);
  waterLegend_ = {"Water depth difference (B - A)", ramp, {}};
}

void CityScene::updateVehicles(const ViewSettings& settings, const std::string& variant) {
  const std::string key = keyOf({variant, number(settings.timeS, 3)});
  if (key == vehicleKey_) return;
  vehicleKey_ = key;
  shownVehicles_ = 0;
  if (run_ == nullptr || variant.empty()) {
    vehicles_.update(frame_, {});
    return;
  }
  auto [it, inserted] = tracks_.try_emplace(variant);
  if (inserted) {
    const VariantResults& results = run_->variant(variant);
    if (results.vehiclesFile) it->second = VehicleTracks::load(*results.vehiclesFile);
  }
  std::vector<VehiclePose> poses = it->second ? it->second->at(settings.timeS) : std::vector<VehiclePose>{};
  shownVehicles_ = poses.size();
  vehicles_.update(frame_, poses);
}

std::vector<std::string> CityScene::attributes(city::Layer layer, const std::string& variant) const {
  const StateTable* states = table(resolveVariant(variant), layer);
  return states ? states->attributes() : std::vector<std::string>{};
}

std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> CityScene::timeSeries(
    city::Layer layer, std::size_t index, const std::string& variant) const {
  std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> series;
  const StateTable* states = table(resolveVariant(variant), layer);
  if (states == nullptr) return series;
  for (const auto& attribute : states->attributes()) series.emplace_back(attribute, states->series(attribute, index));
  return series;
}

std::optional<PickedObject> CityScene::describe(const osg::Drawable& drawable, unsigned vertex,
                                                const ViewSettings& settings) const {
  const auto found = pickable_.find(&drawable);
  if (found == pickable_.end()) return std::nullopt;
  const auto* geometry = drawable.asGeometry();
  if (geometry == nullptr) return std::nullopt;
  const long index = objectIndexOf(*geometry, vertex);
  if (index < 0) return std::nullopt;
  PickedObject picked;
  picked.layer = found->second;
  picked.index = static_cast<std::size_t>(index);
  auto& a = picked.attributes;
  switch (picked.layer) {
    case city::Layer::Building: {
      if (picked.index >= city_.buildings.size()) return std::nullopt;
      const city::Building& b = city_.buildings[picked.index];
      picked.id = b.id;
      if (!b.name.empty()) a.emplace_back("name", b.name);
      a.emplace_back("use", std::string(city::toString(b.use)));
      a.emplace_back("height", number(b.heightM, 1) + " m (" + std::string(city::toString(b.heightSource)) + ")");
      a.emplace_back("levels", std::to_string(b.levels));
      a.emplace_back("year built", b.yearBuilt > 0 ? std::to_string(b.yearBuilt) : "unknown");
      a.emplace_back("footprint", number(b.footprintAreaM2(), 0) + " m2");
      break;
    }
    case city::Layer::RoadLink: {
      if (picked.index >= city_.roads.links.size()) return std::nullopt;
      const city::RoadLink& l = city_.roads.links[picked.index];
      picked.id = l.id;
      if (!l.name.empty()) a.emplace_back("name", l.name);
      a.emplace_back("class", l.highwayClass);
      a.emplace_back("lanes", std::to_string(l.lanes));
      a.emplace_back("speed limit", number(l.speedLimitKph, 0) + " km/h");
      a.emplace_back("capacity", number(l.capacityVehPerHour, 0) + " veh/h");
      a.emplace_back("length", number(l.lengthM, 0) + " m");
      if (l.bridge) a.emplace_back("bridge", "yes");
      break;
    }
    case city::Layer::Sensor: {
      if (picked.index >= city_.sensors.size()) return std::nullopt;
      const city::Sensor& s = city_.sensors[picked.index];
      picked.id = s.id;
      a.emplace_back("type", s.type);
      std::string observed;
      for (const auto& o : s.observedAttributes) observed += (observed.empty() ? "" : ", ") + o;
      a.emplace_back("observes", observed);
      if (!s.refEntity.empty()) a.emplace_back("observes object", s.refEntity);
      break;
    }
    default:
      return std::nullopt;
  }
  const std::string variant = resolveVariant(settings.variant);
  if (const StateTable* states = table(variant, picked.layer)) {
    for (const auto& attribute : states->attributes()) {
      const auto& values = states->values(attribute, settings.timeS);
      a.emplace_back(attribute, values.empty() ? "-" : number(values[picked.index], 2));
    }
  }
  return picked;
}

}  // namespace citytwin::viewer
