#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/context/city_mapping.hpp"
#include "citytwin/context/entity.hpp"
#include "citytwin/context/entity_repository.hpp"

namespace citytwin::context {

struct LiveSnapshot {
  std::size_t entities = 0;              // fetched
  std::size_t mapped = 0;                // that changed the state
  std::optional<double> rainfallMmPerH;  // latest precipitation (the RainGauge value), if any
  std::optional<double> riverLevelM;     // latest river level (a RiverGauge value), if any
  std::vector<MappingOutcome> outcomes;  // one per entity, in application order
};

// The live state taken once and written into any number of city states: a what-if runs several
// branches, each with its own state, and every one of them must start from the same observations even
// while the feeds keep updating the service.
class LiveOverlay {
 public:
  // `city` must outlive the overlay. Entities are applied in the order given.
  LiveOverlay(const city::CityModel& city, std::vector<Entity> entities);
  ~LiveOverlay();
  LiveOverlay(const LiveOverlay&) = delete;
  LiveOverlay& operator=(const LiveOverlay&) = delete;

  // Writes the observations into `state` (a CityState of the city). Thread-safe.
  LiveSnapshot applyTo(city::CityState& state) const;
  std::size_t entityCount() const { return entities_.size(); }

 private:
  const city::CityModel& city_;
  std::vector<Entity> entities_;
  std::unique_ptr<CityContextMapper> mapper_;
};

// The entities of the mapped types (mappedEntityTypes()) a store holds now, in type order, then by id:
// the same selection and order a client gets from fetchEntities.
std::vector<Entity> liveEntities(const EntityRepository& store);

}  // namespace citytwin::context
