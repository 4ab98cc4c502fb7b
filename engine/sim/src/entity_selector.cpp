#include "citytwin/sim/entity_selector.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>
#include <variant>

#include "citytwin/core/fingerprint.hpp"

namespace citytwin::sim {
namespace {

using PropertyValue = std::variant<std::string, double, bool>;

// The static properties `where` can test, per layer.
const std::map<std::string, std::vector<std::string>>& knownProperties() {
  static const std::map<std::string, std::vector<std::string>> properties{
      {"building", {"id", "use", "name", "year_built", "levels", "height_m", "height_source"}},
      {"road_link", {"id", "highway", "name", "lanes", "speed_limit_kph", "capacity_veh_per_h", "one_way",
                     "bridge", "tunnel", "length_m"}},
      {"road_node", {"id", "traffic_signals"}},
      {"substation", {"id", "name", "rated_mva"}},
      {"feeder", {"id", "voltage_kv"}},
      {"sensor", {"id", "type", "ref_entity"}},
  };
  return properties;
}

PropertyValue propertyOf(const city::CityModel& city, city::Layer layer, std::size_t index,
                         const std::string& property) {
  if (property == "id") return entityId(city, layer, index);
  switch (layer) {
    case city::Layer::Building: {
      const city::Building& b = city.buildings[index];
      if (property == "use") return std::string(city::toString(b.use));
      if (property == "name") return b.name;
      if (property == "year_built") return static_cast<double>(b.yearBuilt);
      if (property == "levels") return static_cast<double>(b.levels);
      if (property == "height_m") return b.heightM;
      if (property == "height_source") return std::string(city::toString(b.heightSource));
      break;
    }
    case city::Layer::RoadLink: {
      const city::RoadLink& l = city.roads.links[index];
      if (property == "highway") return l.highwayClass;
      if (property == "name") return l.name;
      if (property == "lanes") return static_cast<double>(l.lanes);
      if (property == "speed_limit_kph") return l.speedLimitKph;
      if (property == "capacity_veh_per_h") return l.capacityVehPerHour;
      if (property == "one_way") return l.oneWay;
      if (property == "bridge") return l.bridge;
      if (property == "tunnel") return l.tunnel;
      if (property == "length_m") return l.lengthM;
      break;
    }
    case city::Layer::RoadNode:
      if (property == "traffic_signals") return city.roads.nodes[index].trafficSignals;
      break;
    case city::Layer::Substation:
      if (property == "name") return city.grid.substations[index].name;
      if (property == "rated_mva") return city.grid.substations[index].ratedMva;
      break;
    case city::Layer::Feeder:
      if (property == "voltage_kv") return city.grid.feeders[index].voltageKv;
      break;
    case city::Layer::Sensor:
      if (property == "type") return city.sensors[index].type;
      if (property == "ref_entity") return city.sensors[index].refEntity;
      break;
  }
  throw Error("no property '" + property + "' on layer " + std::string(city::toString(layer)));
}

bool matches(const EntitySelector::PropertyTest& test, const PropertyValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    return std::find(test.textValues.begin(), test.textValues.end(), *text) != test.textValues.end();
  }
  if (const auto* flag = std::get_if<bool>(&value)) {
    const std::string word = *flag ? "true" : "false";
    return std::find(test.textValues.begin(), test.textValues.end(), word) != test.textValues.end();
  }
  const double number = std::get<double>(value);
  if (test.min && number < *test.min) return false;
  if (test.max && number > *test.max) return false;
  if (!test.numberValues.empty()) {
    return std::find(test.numberValues.begin(), test.numberValues.end(), number) != test.numberValues.end();
  }
  return test.min.has_value() || test.max.has_value();
}

bool isTextProperty(city::Layer layer, const std::string& property) {
  static const std::vector<std::string> numeric{"year_built", "levels", "height_m", "lanes", "speed_limit_kph",
                                                "capacity_veh_per_h", "length_m", "rated_mva", "voltage_kv"};
  (void)layer;
  return std::find(numeric.begin(), numeric.end(), property) == numeric.end();
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

EntitySelector::PropertyTest parsePropertyTest(const ValueReader& where, const std::string& property,
                                               const Value& value, city::Layer layer) {
  EntitySelector::PropertyTest test;
  test.property = property;
  test.location = where.locationOf(property);
  const bool text = isTextProperty(layer, property);
  auto addScalar = [&](const Value& element) {
    if (text && element.isString()) {
      test.textValues.push_back(element.asString());
    } else if (text && element.isBoolean()) {
      test.textValues.emplace_back(element.asBoolean() ? "true" : "false");
    } else if (!text && element.isNumber()) {
      test.numberValues.push_back(element.asNumber());
    } else {
      throw InputError(where.locationOf(element, property),
                       std::string("expected ") + (text ? "a string or boolean" : "a number or { min, max }") +
                           ", found " + describeType(element));
    }
  };
  if (value.isArray()) {
    if (value.items().empty()) where.fail(property, "expected at least one value");
    for (const Value& element : value.items()) addScalar(element);
  } else if (value.isTable()) {
    if (text) where.fail(property, "a range { min, max } needs a numeric property");
    const ValueReader rangeReader(value, where.file(), where.qualified(property) + ".", where.locationOf(property).line);
    test.min = rangeReader.optionalNumber("min");
    test.max = rangeReader.optionalNumber("max");
    rangeReader.rejectUnknownKeys("min, max");
    if (!test.min && !test.max) where.fail(property, "a range needs min, max or both");
  } else {
    addScalar(value);
  }
  return test;
}

}  // namespace

std::size_t entityCount(const city::CityModel& city, city::Layer layer) {
  switch (layer) {
    case city::Layer::Building: return city.buildings.size();
    case city::Layer::RoadLink: return city.roads.links.size();
    case city::Layer::RoadNode: return city.roads.nodes.size();
    case city::Layer::Substation: return city.grid.substations.size();
    case city::Layer::Feeder: return city.grid.feeders.size();
    case city::Layer::Sensor: return city.sensors.size();
  }
  return 0;
}

std::string entityId(const city::CityModel& city, city::Layer layer, std::size_t index) {
  switch (layer) {
    case city::Layer::Building: return city.buildings[index].id;
    case city::Layer::RoadLink: return city.roads.links[index].id;
    case city::Layer::RoadNode: return city.roads.nodes[index].id;
    case city::Layer::Substation: return city.grid.substations[index].id;
    case city::Layer::Feeder: return city.grid.feeders[index].id;
    case city::Layer::Sensor: return city.sensors[index].id;
  }
  return {};
}

geo::Vec2 representativePoint(const city::CityModel& city, city::Layer layer, std::size_t index) {
  auto middleOf = [](const geo::Polyline& line, geo::Vec2 fallback) {
    if (line.empty()) return fallback;
    if (line.size() == 1) return line.front();
    // The point halfway along the line, so a long curved link is placed where most of it is.
    const double half = geo::length(line) / 2;
    double walked = 0.0;
    for (std::size_t i = 1; i < line.size(); ++i) {
      const double piece = geo::distance(line[i - 1], line[i]);
      if (walked + piece >= half && piece > 0) {
        const double f = (half - walked) / piece;
        return geo::Vec2{line[i - 1].x + f * (line[i].x - line[i - 1].x),
                         line[i - 1].y + f * (line[i].y - line[i - 1].y)};
      }
      walked += piece;
    }
    return line.back();
  };
  switch (layer) {
    case city::Layer::Building:
      return city.buildings[index].footprint.empty() ? geo::Vec2{} : geo::pointOnSurface(city.buildings[index].footprint);
    case city::Layer::RoadLink: {
      const city::RoadLink& link = city.roads.links[index];
      const geo::Vec2 from = link.from < city.roads.nodes.size() ? city.roads.nodes[link.from].position : geo::Vec2{};
      const geo::Vec2 to = link.to < city.roads.nodes.size() ? city.roads.nodes[link.to].position : from;
      return middleOf(link.geometry, {(from.x + to.x) / 2, (from.y + to.y) / 2});
    }
    case city::Layer::RoadNode: return city.roads.nodes[index].position;
    case city::Layer::Substation: return city.grid.substations[index].position;
    case city::Layer::Feeder: return middleOf(city.grid.feeders[index].route, {});
    case city::Layer::Sensor: return city.sensors[index].position;
  }
  return {};
}

EntitySelector EntitySelector::parse(const ValueReader& reader, city::Layer layer) {
  EntitySelector selector;
  selector.layer_ = layer;
  if (reader.node("id") != nullptr) {
    selector.ids_.push_back(reader.requireString("id"));
    selector.idsLocation_ = reader.locationOf("id");
  }
  if (reader.node("ids") != nullptr) {
    if (!selector.ids_.empty()) reader.fail("ids", "give either id or ids, not both");
    selector.ids_ = reader.optionalStringArray("ids");
    selector.idsLocation_ = reader.locationOf("ids");
    if (selector.ids_.empty()) reader.fail("ids", "expected at least one id");
  }
  if (const Value* where = reader.optionalTable("where")) {
    const ValueReader whereReader(*where, reader.file(), reader.qualified("where") + ".", reader.locationOf("where").line);
    const std::string layerName(city::toString(layer));
    const auto& known = knownProperties().at(layerName);
    for (std::size_t i = 0; i < where->keys().size(); ++i) {
      const std::string& property = where->keys()[i];
      const Value& value = where->items()[i];
      if (std::find(known.begin(), known.end(), property) == known.end()) {
        whereReader.fail(property, "no such property of a " + layerName + "; expected one of " + joined(known));
      }
      selector.where_.push_back(parsePropertyTest(whereReader, property, value, layer));
    }
    if (selector.where_.empty()) reader.fail("where", "expected at least one property test");
  }
  if (const Value* area = reader.optionalTable("area")) {
    const ValueReader areaReader(*area, reader.file(), reader.qualified("area") + ".", reader.locationOf("area").line);
    auto readPoint = [&](const Value& node, const std::string& key) {
      if (!node.isArray() || node.size() != 2 || !node.items()[0].isNumber() || !node.items()[1].isNumber()) {
        throw InputError(areaReader.locationOf(node, key), "expected a point [x, y] in metres");
      }
      return geo::Vec2{node.items()[0].toNumber().value_or(0.0), node.items()[1].toNumber().value_or(0.0)};
    };
    if (const Value* box = areaReader.optionalArray("bbox")) {
      const std::vector<Value>& corners = box->items();
      if (corners.size() != 4 ||
          std::any_of(corners.begin(), corners.end(), [](const Value& n) { return !n.isNumber(); })) {
        areaReader.fail("bbox", "expected [xmin, ymin, xmax, ymax] in metres of the city CRS");
      }
      geo::BBox bbox;
      bbox.minX = corners[0].toNumber().value_or(0.0);
      bbox.minY = corners[1].toNumber().value_or(0.0);
      bbox.maxX = corners[2].toNumber().value_or(0.0);
      bbox.maxY = corners[3].toNumber().value_or(0.0);
      if (bbox.minX >= bbox.maxX || bbox.minY >= bbox.maxY) {
        areaReader.fail("bbox", "expected xmin < xmax and ymin < ymax");
      }
      selector.bbox_ = bbox;
    }
    if (const Value* polygon = areaReader.optionalArray("polygon")) {
      geo::Ring ring;
      for (const Value& point : polygon->items()) ring.push_back(readPoint(point, "polygon"));
      if (ring.size() > 3 && ring.front() == ring.back()) ring.pop_back();
      if (ring.size() < 3) areaReader.fail("polygon", "expected at least three points [x, y]");
      selector.polygon_ = std::move(ring);
    }
    areaReader.rejectUnknownKeys("bbox, polygon");
    if (!selector.bbox_ && !selector.polygon_) reader.fail("area", "expected bbox or polygon");
  }
  selector.fraction_ = reader.optionalNumber("fraction");
  if (selector.fraction_ && !(*selector.fraction_ >= 0.0 && *selector.fraction_ <= 1.0)) {
    reader.fail("fraction", "expected a share between 0 and 1");
  }
  selector.all_ = reader.optionalBool("all").value_or(false);
  if (selector.all_ && (!selector.ids_.empty() || !selector.where_.empty() || selector.bbox_ || selector.polygon_)) {
    reader.fail("all", "all = true selects the whole layer; drop it or the other criteria");
  }
  if (!selector.all_ && selector.ids_.empty() && selector.where_.empty() && !selector.bbox_ && !selector.polygon_) {
    reader.fail("id", "say which objects: id, ids, where, area, or all = true");
  }
  return selector;
}

void EntitySelector::checkIds(const city::CityModel& city) const {
  if (ids_.empty()) return;
  std::unordered_map<std::string, std::size_t> known;
  const std::size_t count = entityCount(city, layer_);
  for (std::size_t i = 0; i < count; ++i) known.emplace(entityId(city, layer_, i), i);
  for (const std::string& id : ids_) {
    if (known.count(id) == 0) {
      throw InputError(idsLocation_, "no " + std::string(city::toString(layer_)) + " with id '" + id +
                                         "' in the city");
    }
  }
}

std::vector<std::uint32_t> EntitySelector::resolve(const city::CityModel& city, std::uint64_t seed) const {
  checkIds(city);
  const std::size_t count = entityCount(city, layer_);
  std::vector<std::uint32_t> selected;
  for (std::size_t i = 0; i < count; ++i) {
    if (!ids_.empty() && std::find(ids_.begin(), ids_.end(), entityId(city, layer_, i)) == ids_.end()) continue;
    bool ok = true;
    for (const PropertyTest& test : where_) {
      if (!matches(test, propertyOf(city, layer_, i, test.property))) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (bbox_ || polygon_) {
      const geo::Vec2 p = representativePoint(city, layer_, i);
      if (bbox_ && !bbox_->contains(p)) continue;
      if (polygon_ && !geo::contains(*polygon_, p)) continue;
    }
    selected.push_back(static_cast<std::uint32_t>(i));
  }
  if (fraction_) {
    // Rank the matches by a hash of (seed, id): the same objects are drawn for the same seed whatever
    // the order of the city's layers, and a larger fraction contains a smaller one.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> ranked;
    for (std::uint32_t index : selected) {
      Fingerprint hash;
      hash.add(&seed, sizeof seed);
      hash.add(entityId(city, layer_, index));
      ranked.emplace_back(hash.value(), index);
    }
    std::sort(ranked.begin(), ranked.end());
    const auto keep = static_cast<std::size_t>(std::llround(*fraction_ * static_cast<double>(ranked.size())));
    selected.clear();
    for (std::size_t i = 0; i < keep; ++i) selected.push_back(ranked[i].second);
    std::sort(selected.begin(), selected.end());
  }
  return selected;
}

}  // namespace citytwin::sim
