#include "city_scene.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

#include "citytwin/city/coupling_columns.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/io/geotiff.hpp"
#include "id_index.hpp"

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

// The value below which `share` of the finite values lie: ramps of loads and flows end there, so a few
// very large objects do not wash every other one out to the lowest colour.
double quantile(std::vector<float> values, double share) {
  values.erase(std::remove_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); }),
               values.end());
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto k = static_cast<std::size_t>(share * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(k), values.end());
  return values[k];
}

constexpr double kClipQuantile = 0.98;

std::string keyOf(const std::vector<std::string>& parts) {
  std::string key;
  for (const auto& part : parts) key += part + '\x1f';
  return key;
}

// The unit of a coupling column of that name ("" when it is not one).
std::string unitOf(const std::string& attribute) {
  for (const city::CouplingColumn& column : city::kCouplingColumns) {
    if (column.name == attribute && column.unit != "1") return std::string(column.unit);
  }
  return "";
}

// The ramp that reads naturally for an attribute, spanning [minimum, maximum].
ColourRamp rampFor(const std::string& attribute, double minimum, double maximum, bool difference) {
  if (difference)
    return divergingRamp(attribute + " (B - A)", "", std::max(std::fabs(minimum), std::fabs(maximum)));
  if (attribute == city::columns::kBuildingSupplied.name) return suppliedRamp(attribute);
  if (attribute.find("depth") != std::string::npos) return waterDepthRamp(std::max(maximum, 0.5));
  if (attribute.find("speed") != std::string::npos)
    return speedRamp(attribute, "km/h", minimum, std::max(maximum, minimum + 1));
  return heatRamp(attribute, unitOf(attribute), minimum, std::max(maximum, minimum + 1e-6));
}

// Object i's colour under a result colouring: its value on the ramp. Without a value it keeps `own` when the
// values are live observations (only a few objects have one), and shows as no-data otherwise.
template <typename Coloured>
Colour resultColour(const std::optional<Coloured>& coloured, std::size_t i, Colour own) {
  if (!coloured) return own;
  const float v = coloured->values.empty() ? std::numeric_limits<float>::quiet_NaN() : coloured->values[i];
  if (std::isfinite(v)) return coloured->ramp.at(v);
  return coloured->live ? own : kNoData;
}

}  // namespace

CityScene::CityScene(const city::CityModel& city, const RunResults* run)
    : city_(city), run_(run), frame_(city) {
  terrain_ = buildTerrainLayer(frame_, city.water);
  buildings_ = buildBuildingLayer(frame_, city.buildings);
  roads_ = buildRoadLayer(frame_, city.roads);
  sensors_ = buildSensorLayer(frame_, city.sensors);
  for (ResultView& view : views_) {
    view.root = new osg::Group;
    view.water.node()->setName("water");
    view.difference.node()->setName("water");
    view.vehicles.node()->setName("vehicles");
    view.root->addChild(terrain_.node);
    view.root->addChild(roads_.node);
    view.root->addChild(buildings_.node);
    view.root->addChild(sensors_.node);
    view.root->addChild(view.vehicles.node());
    view.root->addChild(view.water.node());
    view.root->addChild(view.difference.node());
  }
  ResultView& a = views_[0];
  a.buildingColours = buildings_.colours.get();
  a.roadColours = roads_.colours.get();
  ResultView& b = views_[1];
  b.ownBuildingColours = std::make_unique<IndexedColours>(city.buildings.size(), true, kBuildingColourUnit);
  b.ownRoadColours = std::make_unique<IndexedColours>(city.roads.links.size(), false, kRoadColourUnit);
  b.buildingColours = b.ownBuildingColours.get();
  b.roadColours = b.ownRoadColours.get();
  b.buildingColours->overrideIn(*b.root->getOrCreateStateSet());
  b.roadColours->overrideIn(*b.root->getOrCreateStateSet());

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

bool CityScene::sideBySide(const ViewSettings& settings) const {
  return run_ != nullptr && settings.sideBySide && !settings.compareVariant.empty();
}

std::string CityScene::variantOf(Side side, const ViewSettings& settings) const {
  if (side == Side::B && sideBySide(settings)) return resolveVariant(settings.compareVariant);
  return resolveVariant(settings.variant);
}

std::size_t CityScene::wetCells(Side side) const {
  const ResultView& view = views_[static_cast<std::size_t>(side)];
  return view.water.wetCells() + view.difference.wetCells();
}

void CityScene::setLive(std::shared_ptr<const LiveValues> live) {
  if (live == live_) return;
  live_ = std::move(live);
  ++liveGeneration_;
}

const StateTable* CityScene::table(const std::string& variant, city::Layer layer) const {
  if (run_ == nullptr || variant.empty()) return nullptr;
  auto [it, inserted] = tables_.try_emplace({variant, layer});
  if (inserted) {
    const VariantResults& results = run_->variant(variant);
    std::vector<StateSource> sources;
    if (const auto file = results.stateFiles.find(layer); file != results.stateFiles.end()) {
      sources.push_back({file->second, "id"});
    }
    // The traffic model's per-link series name the link in a "link" column.
    if (layer == city::Layer::RoadLink && results.linksFile) sources.push_back({*results.linksFile, "link"});
    if (!sources.empty()) {
      if (layer == city::Layer::Building) {
        it->second = StateTable::load(sources, indexById(city_.buildings), city_.buildings.size());
      } else if (layer == city::Layer::RoadLink) {
        it->second = StateTable::load(sources, indexById(city_.roads.links), city_.roads.links.size());
      } else if (layer == city::Layer::Sensor) {
        it->second = StateTable::load(sources, indexById(city_.sensors), city_.sensors.size());
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
  const auto show = [&](osg::Node* node, LayerId id) {
    node->setNodeMask(settings.layer(id).visible ? ~0u : 0u);
  };
  show(terrain_.node.get(), LayerId::Terrain);
  show(buildings_.node.get(), LayerId::Buildings);
  show(roads_.node.get(), LayerId::Roads);
  show(sensors_.node.get(), LayerId::Sensors);
  buildings_.colours->setOpacity(settings.layer(LayerId::Buildings).opacity);
  roads_.colours->setOpacity(settings.layer(LayerId::Roads).opacity);
  sensors_.colours->setOpacity(settings.layer(LayerId::Sensors).opacity);
  applyLayerOpacity(*terrain_.node->getOrCreateStateSet(), *terrain_.blend,
                    settings.layer(LayerId::Terrain).opacity);
  colourSensors();

  const std::string a = resolveVariant(settings.variant);
  if (sideBySide(settings)) {
    // Both sides share their ramps' ranges, so equal colours mean equal values across the divide.
    const std::string b = resolveVariant(settings.compareVariant);
    applyView(views_[0], settings, {a, "", b});
    applyView(views_[1], settings, {b, "", a});
  } else {
    applyView(views_[0], settings, {a, settings.compareVariant, ""});
  }

  const ResultView& shown = views_[0];
  legends_.clear();
  if (settings.layer(LayerId::Terrain).visible) legends_.push_back({"Terrain elevation", terrain_.ramp, {}});
  if (settings.layer(LayerId::Buildings).visible) legends_.push_back(shown.buildingLegend);
  if (settings.layer(LayerId::Roads).visible) legends_.push_back(shown.roadLegend);
  if (!shown.waterLegend.title.empty() &&
      (settings.layer(LayerId::Water).visible || settings.layer(LayerId::WaterDifference).visible)) {
    legends_.push_back(shown.waterLegend);
  }
  if (settings.layer(LayerId::Sensors).visible && !city_.sensors.empty()) {
    Legend sensors{"Sensors", std::nullopt, {}};
    for (const char* type : {"TrafficCounter", "RainGauge", "RiverGauge", "SmartMeter"}) {
      sensors.categories.emplace_back(type, sensorTypeColour(type));
    }
    if (live_) sensors.categories.emplace_back("no live value", kNoData);
    legends_.push_back(sensors);
  }
}

void CityScene::applyView(ResultView& view, const ViewSettings& settings, const Showing& showing) {
  const bool comparing = !showing.compare.empty() && settings.layer(LayerId::WaterDifference).visible;
  view.vehicles.node()->setNodeMask(settings.layer(LayerId::Vehicles).visible ? ~0u : 0u);
  view.water.node()->setNodeMask(settings.layer(LayerId::Water).visible && !comparing ? ~0u : 0u);
  view.difference.node()->setNodeMask(comparing ? ~0u : 0u);
  view.water.setOpacity(settings.layer(LayerId::Water).opacity);
  view.difference.setOpacity(settings.layer(LayerId::WaterDifference).opacity);
  view.vehicles.setOpacity(settings.layer(LayerId::Vehicles).opacity);
  view.variant = showing.variant;
  colourBuildings(view, settings, showing);
  colourRoads(view, settings, showing);
  updateWater(view, settings, showing);
  updateVehicles(view, settings, showing);
}

std::optional<CityScene::Coloured> CityScene::attributeColours(city::Layer layer,
                                                               const std::string& attribute, double timeS,
                                                               const Showing& showing) const {
  const StateTable* a = table(showing.variant, layer);
  if (a == nullptr || !a->has(attribute)) {
    // Not a result of the run: an observed value of the live city, if it is one.
    const std::vector<float>* observed = live_ ? live_->find(layer, attribute) : nullptr;
    if (observed == nullptr) return std::nullopt;
    double minimum = 0.0;
    double maximum = 0.0;
    for (const float v : *observed) {
      if (!std::isfinite(v)) continue;
      maximum = std::max(maximum, static_cast<double>(v));
      minimum = std::min(minimum, static_cast<double>(v));
    }
    return Coloured{*observed, rampFor(attribute, minimum, maximum, false), true};
  }
  std::vector<float> values = a->values(attribute, timeS);
  const bool difference = !showing.compare.empty() && showing.compare != showing.variant;
  if (difference) {
    const StateTable* b = table(resolveVariant(showing.compare), layer);
    if (b == nullptr || !b->has(attribute)) return std::nullopt;
    const std::vector<float>& other = b->values(attribute, timeS);
    std::vector<float> magnitudes;
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = other.empty() ? std::numeric_limits<float>::quiet_NaN() : other[i] - values[i];
      if (std::isfinite(values[i]) && values[i] != 0.0f) magnitudes.push_back(std::fabs(values[i]));
    }
    const double largest = magnitudes.empty() ? 0.0 : quantile(magnitudes, kClipQuantile);
    return Coloured{std::move(values), rampFor(attribute, -largest, largest, true), false};
  }
  auto [minimum, maximum] = a->range(attribute);
  const StateTable* partner = table(showing.partner, layer);
  if (partner != nullptr && partner->has(attribute)) {
    minimum = std::min(minimum, partner->range(attribute).first);
    maximum = std::max(maximum, partner->range(attribute).second);
  }
  const bool clipped =
      attribute.find("depth") == std::string::npos && attribute != city::columns::kBuildingSupplied.name;
  if (clipped) {
    // Loads and flows: the ramp ends at the 98th percentile of what both sides show now.
    std::vector<float> shownValues = values;
    if (partner != nullptr && partner->has(attribute)) {
      const auto& other = partner->values(attribute, timeS);
      shownValues.insert(shownValues.end(), other.begin(), other.end());
    }
    const double top = quantile(std::move(shownValues), kClipQuantile);
    if (std::isfinite(top) && top > std::min(minimum, 0.0)) maximum = top;
  }
  ColourRamp ramp = rampFor(attribute, std::min(minimum, 0.0), maximum, false);
  if (clipped) ramp = ColourRamp(ramp.title() + " (top 2% clipped)", ramp.unit(), ramp.stops());
  return Coloured{std::move(values), std::move(ramp), false};
}

void CityScene::colourBuildings(ResultView& view, const ViewSettings& settings, const Showing& showing) {
  const bool fromRun = !settings.buildingAttribute.empty() && settings.buildingAttribute != "height_m";
  const std::string key =
      keyOf({settings.buildingAttribute, fromRun ? showing.variant : "", fromRun ? showing.compare : "",
             fromRun ? showing.partner : "", fromRun ? number(settings.timeS, 3) : "",
             fromRun ? std::to_string(liveGeneration_) : ""});
  if (key == view.buildingKey) return;
  view.buildingKey = key;
  const auto& buildings = city_.buildings;
  std::optional<Coloured> coloured;
  if (settings.buildingAttribute == "height_m") {
    double tallest = 1.0;
    std::vector<float> heights;
    for (const auto& b : buildings) {
      heights.push_back(static_cast<float>(b.heightM));
      tallest = std::max(tallest, b.heightM);
    }
    coloured = Coloured{std::move(heights), heatRamp("Building height", "m", 0.0, tallest), false};
  } else if (fromRun) {
    coloured = attributeColours(city::Layer::Building, settings.buildingAttribute, settings.timeS, showing);
  }
  for (std::size_t i = 0; i < buildings.size(); ++i) {
    view.buildingColours->set(i, resultColour(coloured, i, buildingUseColour(buildings[i].use)));
  }
  if (coloured) {
    view.buildingLegend = {
        "Buildings: " + coloured->ramp.title() + (coloured->live ? " (live)" : ""), coloured->ramp, {}};
    // Unobserved buildings keep their use colour, so the city stays readable around the few metered ones.
    if (coloured->live) view.buildingLegend.categories = buildingUseLegend();
  } else {
    view.buildingLegend = {"Buildings by use", std::nullopt, buildingUseLegend()};
  }
  view.buildingColours->commit();
}

void CityScene::colourRoads(ResultView& view, const ViewSettings& settings, const Showing& showing) {
  const std::string key = keyOf({settings.roadAttribute, showing.variant, showing.compare, showing.partner,
                                 number(settings.timeS, 3), std::to_string(liveGeneration_)});
  if (key == view.roadKey) return;
  view.roadKey = key;
  const auto& links = city_.roads.links;
  const StateTable* states = table(showing.variant, city::Layer::RoadLink);
  // A closed road shows as closed whatever else is being shown: it is what a planner looks for first.
  const std::string closedColumn(city::columns::kRoadLinkClosed.name);
  const std::vector<float>* closed = states != nullptr && states->has(closedColumn)
                                         ? &states->values(closedColumn, settings.timeS)
                                         : nullptr;
  const std::vector<float>* liveClosed = live_ ? live_->find(city::Layer::RoadLink, closedColumn) : nullptr;
  const auto isClosed = [&](std::size_t i) {
    return (closed != nullptr && !closed->empty() && (*closed)[i] > 0.5f) ||
           (liveClosed != nullptr && (*liveClosed)[i] > 0.5f);
  };
  std::optional<Coloured> coloured;
  if (!settings.roadAttribute.empty() && settings.roadAttribute != closedColumn) {
    coloured = attributeColours(city::Layer::RoadLink, settings.roadAttribute, settings.timeS, showing);
  }
  for (std::size_t i = 0; i < links.size(); ++i) {
    Colour colour = resultColour(coloured, i, roadClassColour(links[i].highwayClass));
    if (isClosed(i)) colour = closedRoadColour();
    view.roadColours->set(i, colour);
  }
  if (coloured) {
    view.roadLegend = {
        "Roads: " + coloured->ramp.title() + (coloured->live ? " (live; others by class)" : ""),
        coloured->ramp,
        {{"closed", closedRoadColour()}}};
  } else {
    view.roadLegend = {"Roads by class", std::nullopt, roadClassLegend()};
    view.roadLegend.categories.emplace_back("closed", closedRoadColour());
  }
  view.roadColours->commit();
}

void CityScene::colourSensors() {
  if (sensorGeneration_ == liveGeneration_) return;
  sensorGeneration_ = liveGeneration_;
  // While live, a sensor that reports shows in its type's colour and a silent one in grey.
  const std::vector<float>* values =
      live_ ? live_->find(city::Layer::Sensor, std::string(city::columns::kSensorValue.name)) : nullptr;
  for (std::size_t i = 0; i < city_.sensors.size(); ++i) {
    const bool silent = live_ && (values == nullptr || !std::isfinite((*values)[i]));
    sensors_.colours->set(i, silent ? kNoData : sensorTypeColour(city_.sensors[i].type));
  }
  sensors_.colours->commit();
}

void CityScene::updateWater(ResultView& view, const ViewSettings& settings, const Showing& showing) {
  const bool comparing = !showing.compare.empty() && settings.layer(LayerId::WaterDifference).visible;
  const std::string key =
      keyOf({showing.variant, comparing ? showing.compare : "", number(settings.timeS, 3)});
  if (key == view.waterKey) return;
  view.waterKey = key;
  view.water.clear();
  view.difference.clear();
  view.waterLegend = {};
  const auto a = depthAt(showing.variant, settings.timeS);
  if (!comparing) {
    if (!a) return;
    const ColourRamp ramp = waterDepthRamp(2.0);
    view.water.update(frame_, *a, *a, ramp, kWetThresholdM);
    view.waterLegend = {"Water depth", ramp, {}};
    return;
  }
  const auto b = depthAt(resolveVariant(showing.compare), settings.timeS);
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
  const ColourRamp ramp = divergingRamp("Water depth, " + showing.compare + " minus " + showing.variant, "m",
                                        std::max(largest, 0.1));
  view.difference.update(frame_, surface, change, ramp, kWetThresholdM);
  view.waterLegend = {"Water depth difference (B - A)", ramp, {}};
}

void CityScene::updateVehicles(ResultView& view, const ViewSettings& settings, const Showing& showing) {
  const std::string key = keyOf({showing.variant, number(settings.timeS, 3)});
  if (key == view.vehicleKey) return;
  view.vehicleKey = key;
  view.shownVehicles = 0;
  if (run_ == nullptr || showing.variant.empty()) {
    view.vehicles.update(frame_, {});
    return;
  }
  auto [it, inserted] = tracks_.try_emplace(showing.variant);
  if (inserted) {
    const VariantResults& results = run_->variant(showing.variant);
    if (results.vehiclesFile) it->second = VehicleTracks::load(*results.vehiclesFile);
  }
  std::vector<VehiclePose> poses = it->second ? it->second->at(settings.timeS) : std::vector<VehiclePose>{};
  view.shownVehicles = poses.size();
  view.vehicles.update(frame_, poses);
}

std::vector<std::string> CityScene::attributes(city::Layer layer, const std::string& variant) const {
  const StateTable* states = table(resolveVariant(variant), layer);
  std::vector<std::string> names = states ? states->attributes() : std::vector<std::string>{};
  if (live_) {
    for (const auto& [key, values] : live_->columns) {
      if (key.first == layer && std::find(names.begin(), names.end(), key.second) == names.end())
        names.push_back(key.second);
    }
  }
  return names;
}

std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> CityScene::timeSeries(
    city::Layer layer, std::size_t index, const std::string& variant) const {
  std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> series;
  const StateTable* states = table(resolveVariant(variant), layer);
  if (states == nullptr) return series;
  for (const auto& attribute : states->attributes())
    series.emplace_back(attribute, states->series(attribute, index));
  return series;
}

std::optional<PickedObject> CityScene::describe(const osg::Drawable& drawable, unsigned vertex,
                                                const ViewSettings& settings, Side side) const {
  const auto found = pickable_.find(&drawable);
  if (found == pickable_.end()) return std::nullopt;
  const auto* geometry = drawable.asGeometry();
  if (geometry == nullptr) return std::nullopt;
  const long index = objectIndexOf(*geometry, vertex);
  if (index < 0) return std::nullopt;
  return describe(found->second, static_cast<std::size_t>(index), settings, side);
}

std::optional<PickedObject> CityScene::describe(city::Layer layer, std::size_t index,
                                                const ViewSettings& settings, Side side) const {
  PickedObject picked;
  picked.layer = layer;
  picked.index = index;
  auto& a = picked.attributes;
  switch (picked.layer) {
    case city::Layer::Building: {
      if (picked.index >= city_.buildings.size()) return std::nullopt;
      const city::Building& b = city_.buildings[picked.index];
      picked.id = b.id;
      if (!b.name.empty()) a.emplace_back("name", b.name);
      a.emplace_back("use", std::string(city::toString(b.use)));
      a.emplace_back("height",
                     number(b.heightM, 1) + " m (" + std::string(city::toString(b.heightSource)) + ")");
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
  const std::string variant = variantOf(side, settings);
  if (!variant.empty() && run_ != nullptr && run_->variants().size() > 1) a.emplace_back("variant", variant);
  if (const StateTable* states = table(variant, picked.layer)) {
    for (const auto& attribute : states->attributes()) {
      const auto& values = states->values(attribute, settings.timeS);
      a.emplace_back(attribute, values.empty() ? "-" : number(values[picked.index], 2));
    }
  }
  if (live_) {
    for (const auto& [key, values] : live_->columns) {
      if (key.first != picked.layer || picked.index >= values.size() || !std::isfinite(values[picked.index]))
        continue;
      a.emplace_back("live " + key.second, number(values[picked.index], 2));
    }
  }
  return picked;
}

}  // namespace citytwin::viewer
