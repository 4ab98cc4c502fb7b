#include "citytwin/context/city_mapping.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "citytwin/city/city_index.hpp"
#include "citytwin/city/coupling_columns.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/geo/coordinate_transform.hpp"

namespace citytwin::context {

using nlohmann::json;
using city::Layer;
namespace columns = city::columns;

const std::vector<std::string>& mappedEntityTypes() {
  static const std::vector<std::string> types = {
      "Road", "RoadSegment", "Building", "BuildingOperation", "WeatherForecast", "WeatherObserved",
      "WaterObserved", "FloodMonitoring", "TrafficFlowObserved", "DeviceMeasurement", "ThreePhaseAcMeasurement",
      "SmartMeteringObservation"};
  return types;
}

std::string localName(const std::string& iri) {
  const auto cut = iri.find_last_of("/#");
  return cut == std::string::npos ? iri : iri.substr(cut + 1);
}

namespace {

// Attributes by local name, default instances only.
class Attributes {
 public:
  explicit Attributes(const Entity& entity) {
    for (const auto& [iri, instances] : entity.attributes) {
      if (instances.empty()) continue;
      const Attribute* chosen = &instances.front();
      for (const auto& instance : instances) {
        if (instance.datasetId.empty()) chosen = &instance;
      }
      byName_[localName(iri)] = chosen;
    }
  }
  const Attribute* find(const std::string& name) const {
    const auto found = byName_.find(name);
    return found == byName_.end() ? nullptr : found->second;
  }
  std::optional<double> number(const std::string& name) const {
    const Attribute* a = find(name);
    if (!a) return std::nullopt;
    json v = a->value;
    if (v.is_object() && v.contains("@value")) v = v["@value"];
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      char* end = nullptr;
      const std::string s = v.get<std::string>();
      const double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end && *end == '\0' && std::isfinite(d)) return d;
    }
    return std::nullopt;
  }
  std::string text(const std::string& name) const {
    const Attribute* a = find(name);
    if (!a) return {};
    json v = a->value;
    if (v.is_object() && v.contains("@value")) v = v["@value"];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array() && !v.empty() && v[0].is_string()) return v[0].get<std::string>();
    return {};
  }
  std::vector<std::string> references(const std::string& name) const {
    std::vector<std::string> out;
    const Attribute* a = find(name);
    if (!a) return out;
    const auto add = [&](const json& v) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    };
    if (a->value.is_array()) {
      for (const auto& v : a->value) add(v);
    } else {
      add(a->value);
    }
    return out;
  }
  std::string observedAt(const std::string& name) const {
    const Attribute* a = find(name);
    return a ? a->observedAt : std::string();
  }

 private:
  std::unordered_map<std::string, const Attribute*> byName_;
};

// "urn:ngsi-ld:RoadSegment:osm:way/1:0:f" -> "osm:way/1:0:f"; other ids unchanged.
std::string withoutUrnPrefix(const std::string& id) {
  if (!id.starts_with("urn:ngsi-ld:")) return id;
  const auto typeEnd = id.find(':', 12);
  return typeEnd == std::string::npos ? id : id.substr(typeEnd + 1);
}

std::optional<double> observationPeriodSeconds(const Attributes& attributes) {
  const auto from = parseDateTime(attributes.text("dateObservedFrom"));
  const auto to = parseDateTime(attributes.text("dateObservedTo"));
  if (from && to && *to > *from) return static_cast<double>(*to - *from) / 1000.0;
  const std::string interval = attributes.text("dateObserved");
  const auto slash = interval.find('/');
  if (slash != std::string::npos) {
    const auto a = parseDateTime(interval.substr(0, slash));
    const auto b = parseDateTime(interval.substr(slash + 1));
    if (a && b && *b > *a) return static_cast<double>(*b - *a) / 1000.0;
  }
  return std::nullopt;
}

// Watts unless the unit says kW (UN/CEFACT KWT) or MW (MAW).
double toKilowatts(double value, const std::string& unitCode) {
  if (unitCode == "KWT") return value;
  if (unitCode == "MAW") return value * 1000.0;
  return value / 1000.0;
}

}  // namespace

struct CityContextMapper::Impl {
  explicit Impl(const city::CityModel& city) : index(city) {
    for (std::uint32_t i = 0; i < city.sensors.size(); ++i) sensors[city.sensors[i].id] = i;
    for (std::uint32_t i = 0; i < city.roads.links.size(); ++i) links[city.roads.links[i].id] = i;
    for (std::uint32_t i = 0; i < city.buildings.size(); ++i) buildings[city.buildings[i].id] = i;
    for (std::uint32_t i = 0; i < city.grid.substations.size(); ++i) substations[city.grid.substations[i].id] = i;
    if (city.crsEpsg != 0) {
      try {
        transform = std::make_unique<geo::CoordinateTransform>(city.crsName());
      } catch (const std::exception&) {
        transform.reset();  // location matching off; references still work
      }
    }
    extent = city.extent();
  }

  std::optional<std::uint32_t> lookup(const std::unordered_map<std::string, std::uint32_t>& table,
                                      const std::string& id) const {
    for (const std::string& key : {id, withoutUrnPrefix(id)}) {
      const auto found = table.find(key);
      if (found != table.end()) return found->second;
    }
    return std::nullopt;
  }

  // The entity's geometry projected into the city CRS; empty when it has none or the city has no CRS.
  std::vector<geo::Vec2> project(const Entity& entity) const {
    std::vector<geo::Vec2> points;
    const Attribute* location = entity.find("https://uri.etsi.org/ngsi-ld/location");
    if (!location || location->kind != AttributeKind::GeoProperty || !transform) return points;
    std::vector<const json*> positions;
    const std::function<void(const json&)> walk = [&](const json& c) {
      if (c.is_array() && c.size() >= 2 && c[0].is_number() && c[1].is_number()) {
        positions.push_back(&c);
      } else if (c.is_array()) {
        for (const auto& child : c) walk(child);
      }
    };
    const json coordinates = location->value.value("coordinates", json());
    walk(coordinates);
    std::lock_guard lock(transformMutex);
    for (const json* p : positions) {
      points.push_back(transform->fromWgs84({(*p)[0].get<double>(), (*p)[1].get<double>()}));
    }
    return points;
  }

  city::CityIndex index;
  std::unordered_map<std::string, std::uint32_t> sensors, links, buildings, substations;
  std::unique_ptr<geo::CoordinateTransform> transform;
  mutable std::mutex transformMutex;
  geo::BBox extent;
};

CityContextMapper::CityContextMapper(const city::CityModel& city, MappingTolerances tolerances)
    : city_(city), tolerances_(tolerances), impl_(std::make_unique<Impl>(city)) {}

CityContextMapper::~CityContextMapper() = default;

MappingOutcome CityContextMapper::apply(const Entity& entity, city::CityState& state) const {
  std::vector<CityStateWrite> writes;
  MappingOutcome outcome = map(entity, writes);
  applyWrites(writes, state);
  return outcome;
}

MappingOutcome CityContextMapper::map(const Entity& entity, std::vector<CityStateWrite>& writes) const {
  MappingOutcome outcome;
  const Attributes attributes(entity);
  std::string type;
  for (const auto& t : entity.types) type = type.empty() ? localName(t) : type;
  const std::vector<geo::Vec2> points = impl_->project(entity);
  geo::Vec2 centre{};
  for (const auto& p : points) centre = {centre.x + p.x / static_cast<double>(points.size()), centre.y + p.y / static_cast<double>(points.size())};

  // Every column the mapping fills is an input of the city declared in coupling_columns.hpp.
  const auto write = [&](const city::CouplingColumn& column, std::uint32_t index, double value,
                         const std::string& objectId) {
    writes.push_back({column.layer, std::string(column.name), index, value});
    outcome.mapped = true;
    const std::string qualified = std::string(city::toString(column.layer)) + "." + std::string(column.name);
    if (std::find(outcome.columns.begin(), outcome.columns.end(), qualified) == outcome.columns.end()) {
      outcome.columns.push_back(qualified);
    }
    if (std::find(outcome.objects.begin(), outcome.objects.end(), objectId) == outcome.objects.end()) {
      outcome.objects.push_back(objectId);
    }
  };
  // The sensor this observation comes from: by id, by refDevice, or at the same place.
  const auto findSensor = [&](const std::string& sensorType) -> std::optional<std::uint32_t> {
    if (auto s = impl_->lookup(impl_->sensors, entity.id)) return s;
    for (const auto& ref : attributes.references("refDevice")) {
      if (auto s = impl_->lookup(impl_->sensors, ref)) return s;
    }
    if (points.empty()) return std::nullopt;
    std::optional<std::uint32_t> best;
    double bestDistance = sensorType.empty() ? tolerances_.sensorM : tolerances_.gaugeM;
    for (std::uint32_t i = 0; i < city_.sensors.size(); ++i) {
      if (!sensorType.empty() && city_.sensors[i].type != sensorType) continue;
      const double d = geo::distance(city_.sensors[i].position, centre);
      if (d <= bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    return best;
  };
  const auto writeSensor = [&](std::uint32_t sensor, double value) {
    write(columns::kSensorValue, sensor, value, city_.sensors[sensor].id);
  };
  const auto nearCity = [&] {
    if (points.empty()) return true;  // no location: a city-wide observation
    return impl_->extent.empty() || std::sqrt(impl_->extent.squaredDistanceTo(centre)) <= tolerances_.weatherM;
  };

  if (type == "TrafficFlowObserved") {
    outcome.rule = "TrafficFlowObserved -> RoadLink";
    const auto intensity = attributes.number("intensity");
    const auto speed = attributes.number("averageVehicleSpeed");
    if (!intensity && !speed) {
      outcome.reason = "no intensity or averageVehicleSpeed";
      return outcome;
    }
    double flow = intensity.value_or(0.0);
    if (const auto period = observationPeriodSeconds(attributes); period && intensity) flow = *intensity * 3600.0 / *period;
    std::optional<std::uint32_t> link;
    const auto sensor = findSensor("");
    if (sensor) link = impl_->lookup(impl_->links, city_.sensors[*sensor].refEntity);
    for (const auto& ref : attributes.references("refRoadSegment")) {
      if (!link) link = impl_->lookup(impl_->links, ref);
    }
    if (!link && !points.empty()) {
      // The nearest link whose direction agrees with the observation's geometry (first -> last point).
      geo::Vec2 direction{0, 0};
      if (points.size() >= 2) direction = {points.back().x - points.front().x, points.back().y - points.front().y};
      if (attributes.find("reversedLane") && attributes.find("reversedLane")->value == json(true)) {
        direction = {-direction.x, -direction.y};
      }
      double best = tolerances_.roadLinkM;
      for (const std::uint32_t candidate : impl_->index.nearestRoadLinks(centre, 8)) {
        const auto& geometry = city_.roads.links[candidate].geometry;
        const double d = geo::distanceToPolyline(geometry, centre);
        if (d > best || geometry.size() < 2) continue;
        const geo::Vec2 linkDirection{geometry.back().x - geometry.front().x, geometry.back().y - geometry.front().y};
        if (direction.x * linkDirection.x + direction.y * linkDirection.y < 0) continue;
        best = d;
        link = candidate;
      }
    }
    if (sensor && intensity) writeSensor(*sensor, flow);
    if (!link) {
      outcome.reason = outcome.mapped ? "" : "no road link within " + std::to_string(tolerances_.roadLinkM) + " m";
      return outcome;
    }
    const std::string& linkId = city_.roads.links[*link].id;
    if (intensity) write(columns::kRoadLinkObservedFlow, *link, flow, linkId);
    if (speed) write(columns::kRoadLinkObservedSpeed, *link, *speed, linkId);
    return outcome;
  }

  if (type == "WeatherObserved" || type == "WeatherForecast") {
    outcome.rule = type + " -> RainGauge / Thermometer sensors";
    if (!nearCity()) {
      outcome.reason = "observed more than " + std::to_string(tolerances_.weatherM) + " m from the city";
      return outcome;
    }
    const auto precipitation = attributes.number("precipitation");
    const auto temperature = attributes.number("temperature");
    const auto sensor = findSensor("");
    for (std::uint32_t i = 0; i < city_.sensors.size(); ++i) {
      const auto& s = city_.sensors[i];
      const bool chosen = !sensor || *sensor == i;
      if (precipitation && s.type == "RainGauge" && (chosen || city_.sensors[*sensor].type != "RainGauge")) {
        writeSensor(i, *precipitation);
      }
      if (temperature && (s.type == "Thermometer" || s.type == "WeatherStation")) writeSensor(i, *temperature);
    }
    if (!outcome.mapped) outcome.reason = "no precipitation/temperature or no RainGauge/Thermometer sensor";
    return outcome;
  }

  if (type == "WaterObserved" || type == "FloodMonitoring") {
    outcome.rule = type + " -> RiverGauge sensor";
    auto level = type == "FloodMonitoring" ? attributes.number("currentLevel") : attributes.number("waterLevel");
    if (!level) level = attributes.number("height");
    const auto sensor = findSensor("RiverGauge");
    if (!level || !sensor) {
      outcome.reason = !level ? "no water level" : "no RiverGauge sensor matched";
      return outcome;
    }
    writeSensor(*sensor, *level);
    return outcome;
  }

  const auto findBuilding = [&](const std::vector<std::string>& refs) -> std::optional<std::uint32_t> {
    for (const auto& ref : refs) {
      if (auto b = impl_->lookup(impl_->buildings, ref)) return b;
    }
    if (points.empty()) return std::nullopt;
    if (auto inside = impl_->index.buildingAt(centre)) return inside;
    for (const std::uint32_t candidate : impl_->index.nearestBuildings(centre, 1)) {
      const auto& footprint = city_.buildings[candidate].footprint;
      double d = std::numeric_limits<double>::infinity();
      for (const auto& polygon : footprint) {
        geo::Polyline ring = polygon.outer;
        if (!ring.empty()) ring.push_back(ring.front());
        d = std::min(d, geo::distanceToPolyline(ring, centre));
      }
      if (d <= tolerances_.buildingM) return candidate;
    }
    return std::nullopt;
  };

  if (type == "Building") {
    outcome.rule = "Building -> Building";
    std::vector<std::string> refs{entity.id};
    const auto building = findBuilding(refs);
    if (!building) {
      outcome.reason = "no building matched";
      return outcome;
    }
    const std::string& id = city_.buildings[*building].id;
    if (const auto height = attributes.number("height")) write(columns::kBuildingObservedHeight, *building, *height, id);
    if (const auto floors = attributes.number("floorsAboveGround")) write(columns::kBuildingObservedLevels, *building, *floors, id);
    if (const auto occupancy = attributes.number("occupancy")) write(columns::kBuildingObservedOccupancy, *building, *occupancy, id);
    if (!outcome.mapped) outcome.reason = "no height, floorsAboveGround or occupancy";
    return outcome;
  }

  if (type == "BuildingOperation") {
    outcome.rule = "BuildingOperation -> Building";
    const auto building = findBuilding(attributes.references("refBuilding"));
    if (!building) {
      outcome.reason = "refBuilding names no building of the city";
      return outcome;
    }
    const std::string status = attributes.text("status");
    write(columns::kBuildingOperationActive, *building, status == "ongoing" ? 1.0 : 0.0, city_.buildings[*building].id);
    return outcome;
  }

  if (type == "DeviceMeasurement" || type == "ThreePhaseAcMeasurement" || type == "SmartMeteringObservation") {
    outcome.rule = type + " -> Building / Substation load";
    std::optional<double> loadKw;
    if (type == "ThreePhaseAcMeasurement") {
      if (const auto p = attributes.number("totalActivePower")) {
        const Attribute* a = attributes.find("totalActivePower");
        loadKw = toKilowatts(*p, a ? a->unitCode : std::string());
      }
    } else if (type == "DeviceMeasurement") {
      const std::string property = attributes.text("controlledProperty");
      const auto value = attributes.number("numValue");
      if (value && (property == "power" || property == "electricPower" || property == "activePower")) {
        std::string unit = attributes.text("unit");
        const Attribute* a = attributes.find("numValue");
        if (a && !a->unitCode.empty()) unit = a->unitCode;
        loadKw = toKilowatts(*value, unit);
      }
    } else if (const auto consumption = attributes.number("totalConsumption")) {
      // kWh over the observation period when it is known, else taken as the mean power of one hour.
      const auto period = observationPeriodSeconds(attributes);
      loadKw = period ? *consumption * 3600.0 / *period : *consumption;
    }
    const auto sensor = findSensor("");
    if (!loadKw) {
      if (sensor) {
        if (const auto value = attributes.number("numValue")) writeSensor(*sensor, *value);
      }
      if (!outcome.mapped) outcome.reason = "no electric power in the measurement";
      return outcome;
    }
    if (sensor) writeSensor(*sensor, *loadKw);
    std::vector<std::string> refs;
    if (sensor && !city_.sensors[*sensor].refEntity.empty()) refs.push_back(city_.sensors[*sensor].refEntity);
    for (const auto& r : attributes.references("refDevice")) refs.push_back(r);
    for (const auto& ref : refs) {
      if (const auto sub = impl_->lookup(impl_->substations, ref)) {
        write(columns::kSubstationObservedLoad, *sub, *loadKw, city_.grid.substations[*sub].id);
        return outcome;
      }
    }
    if (!points.empty()) {
      for (std::uint32_t i = 0; i < city_.grid.substations.size(); ++i) {
        if (geo::distance(city_.grid.substations[i].position, centre) <= tolerances_.substationM) {
          write(columns::kSubstationObservedLoad, i, *loadKw, city_.grid.substations[i].id);
          return outcome;
        }
      }
    }
    if (const auto building = findBuilding(refs)) {
      write(columns::kBuildingObservedLoad, *building, *loadKw, city_.buildings[*building].id);
    }
    if (!outcome.mapped) outcome.reason = "no building or substation matched";
    return outcome;
  }

  if (type == "RoadSegment" || type == "Road") {
    outcome.rule = type + " -> RoadLink";
    std::vector<std::uint32_t> matched;
    if (auto link = impl_->lookup(impl_->links, entity.id)) matched.push_back(*link);
    if (matched.empty() && points.size() >= 2) {
      // Every link (both directions) whose middle lies within tolerance of the segment's line.
      geo::BBox box;
      for (const auto& p : points) box.expand(p);
      box.minX -= tolerances_.roadLinkM;
      box.minY -= tolerances_.roadLinkM;
      box.maxX += tolerances_.roadLinkM;
      box.maxY += tolerances_.roadLinkM;
      for (const std::uint32_t candidate : impl_->index.roadLinksIn(box)) {
        const auto& geometry = city_.roads.links[candidate].geometry;
        if (geometry.empty()) continue;
        const geo::Vec2 middle = geometry[geometry.size() / 2];
        const geo::Vec2 mid = geometry.size() % 2 == 0 && geometry.size() >= 2
                                  ? geo::Vec2{(geometry[geometry.size() / 2 - 1].x + middle.x) / 2,
                                              (geometry[geometry.size() / 2 - 1].y + middle.y) / 2}
                                  : middle;
        if (geo::distanceToPolyline(points, mid) <= tolerances_.roadLinkM) matched.push_back(candidate);
      }
    }
    if (matched.empty() && type == "Road") {
      const std::string name = attributes.text("name");
      for (std::uint32_t i = 0; i < city_.roads.links.size() && !name.empty(); ++i) {
        if (city_.roads.links[i].name == name) matched.push_back(i);
      }
    }
    if (matched.empty()) {
      outcome.reason = "no road link matched";
      return outcome;
    }
    std::sort(matched.begin(), matched.end());
    const std::string status = attributes.text("status");
    const auto maxSpeed = attributes.number("maximumAllowedSpeed");
    for (const std::uint32_t link : matched) {
      const std::string& id = city_.roads.links[link].id;
      if (!status.empty()) write(columns::kRoadLinkClosed, link, status == "closed" ? 1.0 : 0.0, id);
      if (maxSpeed) write(columns::kRoadLinkObservedSpeedLimit, link, *maxSpeed, id);
    }
    if (!outcome.mapped) outcome.reason = "no status or maximumAllowedSpeed";
    return outcome;
  }

  outcome.reason = "type " + type + " has no mapping (stored and queryable only)";
  return outcome;
}

}  // namespace citytwin::context
