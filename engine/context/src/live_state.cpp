#include "citytwin/context/live_state.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "citytwin/city/coupling_columns.hpp"

namespace citytwin::context {

namespace {

// The kind of input a write of the mapping observes (LiveObservation::inputs).
std::string inputOf(const city::CityModel& city, const CityStateWrite& write) {
  namespace columns = city::columns;
  const auto is = [&](const city::CouplingColumn& column) {
    return write.layer == column.layer && write.column == column.name;
  };
  if (is(columns::kSensorValue)) {
    const std::string& type = write.index < city.sensors.size() ? city.sensors[write.index].type : "";
    return type == "RainGauge" ? "rain" : type == "RiverGauge" ? "river_level" : "sensor";
  }
  if (is(columns::kBuildingObservedLoad) || is(columns::kSubstationObservedLoad)) return "load";
  if (is(columns::kRoadLinkObservedFlow) || is(columns::kRoadLinkObservedSpeed)) return "observed_flow";
  if (write.layer == city::Layer::RoadLink) return "road_status";
  return "building";
}

// The position in mappedEntityTypes() of the first of the entity's types that is mapped.
std::optional<std::size_t> typeRank(const Entity& entity) {
  static const std::map<std::string, std::size_t> ranks = [] {
    std::map<std::string, std::size_t> byName;
    const auto& types = mappedEntityTypes();
    for (std::size_t i = 0; i < types.size(); ++i) byName.emplace(types[i], i);
    return byName;
  }();
  for (const auto& type : entity.types) {
    const auto found = ranks.find(localName(type));
    if (found != ranks.end()) return found->second;
  }
  return std::nullopt;
}

}  // namespace

std::vector<Entity> inCommitOrder(std::vector<Entity> entities) {
  std::vector<std::pair<std::size_t, Entity>> ranked;
  ranked.reserve(entities.size());
  for (auto& entity : entities) {
    if (const auto rank = typeRank(entity)) ranked.emplace_back(*rank, std::move(entity));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.id < b.second.id;
  });
  std::vector<Entity> ordered;
  ordered.reserve(ranked.size());
  for (auto& [rank, entity] : ranked) ordered.push_back(std::move(entity));
  return ordered;
}

LiveState::LiveState(const city::CityModel& city, std::vector<Entity> entities,
                     MappingTolerances tolerances) {
  const CityContextMapper mapper(city, tolerances);
  const std::vector<Entity> ordered = inCommitOrder(std::move(entities));
  snapshot_.entities = ordered.size();
  for (const auto& entity : ordered) {
    const std::size_t first = writes_.size();
    if (!mapper.map(entity, writes_).mapped) continue;
    ++snapshot_.mapped;
    LiveObservation observation;
    observation.entity = entity.id;
    for (std::size_t w = first; w < writes_.size(); ++w) {
      const std::string input = inputOf(city, writes_[w]);
      if (std::find(observation.inputs.begin(), observation.inputs.end(), input) ==
          observation.inputs.end()) {
        observation.inputs.push_back(input);
      }
    }
    for (const auto& [name, instances] : entity.attributes) {
      for (const Attribute& attribute : instances) {
        if (!attribute.observedAt.empty())
          observation.observedMs = std::max(observation.observedMs, attribute.observedMs);
      }
    }
    observations_.push_back(std::move(observation));
  }
  // The latest value each gauge was given; a gauge no observation wrote has no reading.
  std::map<std::uint32_t, double> sensorValues;
  for (const CityStateWrite& write : writes_) {
    if (write.layer == city::columns::kSensorValue.layer && write.column == city::columns::kSensorValue.name)
      sensorValues[write.index] = write.value;
  }
  for (const auto& [index, value] : sensorValues) {
    const std::string& type = city.sensors[index].type;
    if (type == "RainGauge") snapshot_.rainfallMmPerH = value;
    if (type == "RiverGauge") snapshot_.riverLevelM = value;
  }
}

std::vector<Entity> liveEntities(const EntityRepository& store) {
  std::vector<Entity> entities;
  store.forEach([&](const Entity& entity) {
    if (typeRank(entity)) entities.push_back(entity);
    return true;
  });
  return inCommitOrder(std::move(entities));
}

}  // namespace citytwin::context
