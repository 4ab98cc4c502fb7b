#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/context/city_mapping.hpp"
#include "citytwin/context/city_state_write.hpp"
#include "citytwin/context/entity.hpp"
#include "citytwin/context/entity_repository.hpp"

namespace citytwin::context {

struct LiveSnapshot {
  std::size_t entities = 0;              // of the mapped types
  std::size_t mapped = 0;                // that changed the state
  std::optional<double> rainfallMmPerH;  // latest precipitation (the RainGauge value), if any
  std::optional<double> riverLevelM;     // latest river level (a RiverGauge value), if any
};

// What one live entity fed into the city state: which inputs it observed and when, so a run can say
// which of them the scenario overrides and which are too old for its start time.
struct LiveObservation {
  std::string entity;               // its NGSI-LD id
  std::vector<std::string> inputs;  // "rain", "river_level", "sensor", "load", "observed_flow",
                                    // "road_status", "building": the kinds of the columns it wrote
  std::int64_t observedMs = 0;      // the latest observedAt of its attributes; 0 when none has one
};

// The entities of a mapped type (mappedEntityTypes(), judged by the first of an entity's types that is
// one) in commit order: type order, then id. Entities of other types are left out.
std::vector<Entity> inCommitOrder(std::vector<Entity> entities);

// The live state taken once: the city-state writes a set of entities maps to, recorded in commit order and
// replayed into any number of city states. A what-if runs several branches, each with its own state, and
// every one of them must start from the same observations even while the feeds keep updating the service.
class LiveState {
 public:
  // Maps the entities onto `city` (which need not outlive the live state).
  LiveState(const city::CityModel& city, std::vector<Entity> entities, MappingTolerances tolerances = {});

  // Writes the observations into `state` (a CityState of the city). Thread-safe.
  void applyTo(city::CityState& state) const { applyWrites(writes_, state); }
  const std::vector<CityStateWrite>& writes() const { return writes_; }
  const LiveSnapshot& snapshot() const { return snapshot_; }
  // Every entity that changed the state, in commit order.
  const std::vector<LiveObservation>& observations() const { return observations_; }

 private:
  std::vector<CityStateWrite> writes_;
  std::vector<LiveObservation> observations_;
  LiveSnapshot snapshot_;
};

// The entities of the mapped types a store holds now, in commit order: the same selection and order a
// client of the service gets by fetching each mapped type.
std::vector<Entity> liveEntities(const EntityRepository& store);

}  // namespace citytwin::context
