#include "citytwin/context/live_overlay.hpp"

#include <algorithm>
#include <map>

#include "citytwin/context/live_state_client.hpp"

namespace citytwin::context {

LiveOverlay::LiveOverlay(const city::CityModel& city, std::vector<Entity> entities)
    : city_(city), entities_(std::move(entities)), mapper_(std::make_unique<CityContextMapper>(city)) {}

LiveOverlay::~LiveOverlay() = default;

LiveSnapshot LiveOverlay::applyTo(city::CityState& state) const {
  LiveSnapshot snapshot;
  snapshot.entities = entities_.size();
  for (const auto& entity : entities_) {
    MappingOutcome outcome = mapper_->apply(entity, state);
    if (outcome.mapped) ++snapshot.mapped;
    snapshot.outcomes.push_back(std::move(outcome));
  }
  if (!state.has(city::Layer::Sensor, "value")) return snapshot;
  const auto& values = state.column(city::Layer::Sensor, "value");
  // A gauge counts only when an observation wrote it: a column value left from elsewhere is no reading.
  const auto written = [&](const std::string& id) {
    return std::any_of(snapshot.outcomes.begin(), snapshot.outcomes.end(), [&](const MappingOutcome& o) {
      return std::find(o.objects.begin(), o.objects.end(), id) != o.objects.end();
    });
  };
  for (std::size_t i = 0; i < city_.sensors.size() && i < values.size(); ++i) {
    const auto& sensor = city_.sensors[i];
    if (sensor.type != "RainGauge" && sensor.type != "RiverGauge") continue;
    if (!written(sensor.id)) continue;
    (sensor.type == "RainGauge" ? snapshot.rainfallMmPerH : snapshot.riverLevelM) = values[i];
  }
  return snapshot;
}

std::vector<Entity> liveEntities(const EntityRepository& store) {
  const auto& types = mappedEntityTypes();
  std::map<std::string, std::size_t> rank;
  for (std::size_t i = 0; i < types.size(); ++i) rank.emplace(types[i], i);
  std::vector<std::pair<std::size_t, Entity>> selected;
  // forEach visits in id order, so a stable sort by type rank keeps ids ordered within a type.
  store.forEach([&](const Entity& entity) {
    for (const auto& type : entity.types) {
      const auto found = rank.find(localName(type));
      if (found == rank.end()) continue;
      selected.emplace_back(found->second, entity);
      break;
    }
    return true;
  });
  std::stable_sort(selected.begin(), selected.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Entity> entities;
  entities.reserve(selected.size());
  for (auto& [rankOfType, entity] : selected) entities.push_back(std::move(entity));
  return entities;
}

}  // namespace citytwin::context
