#pragma once

#include <memory>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/context/city_state_write.hpp"
#include "citytwin/context/entity.hpp"

namespace citytwin::context {

// How far an observation may lie from the city object it is matched to (metres, in the city CRS).
struct MappingTolerances {
  double roadLinkM = 30.0;      // traffic observations and road segments -> road links
  double buildingM = 25.0;      // building observations and meters -> buildings (0 inside the footprint)
  double substationM = 50.0;    // meters -> substations
  double gaugeM = 250.0;        // water level observations -> RiverGauge sensors
  double sensorM = 10.0;        // any observation -> the sensor at its location
  double weatherM = 20000.0;    // weather observations apply city-wide within this distance of the city
};

// What one entity changed in the city state.
struct MappingOutcome {
  bool mapped = false;
  std::string rule;                        // "TrafficFlowObserved -> RoadLink", ...
  std::vector<std::string> objects;        // city object ids written
  std::vector<std::string> columns;        // "RoadLink.observed_flow_veh_per_h", ...
  std::string reason;                      // why nothing was mapped
};

// The Smart Data Models -> city model mapping (documented in engine/context/README.md). Entities are matched
// by reference first (the entity id, refDevice, refBuilding, refRoadSegment naming a sensor or city object)
// and by location within MappingTolerances otherwise. Attribute and type names are compared by their local
// name (the IRI's last segment), so any context that keeps the Smart Data Models terms works.
class CityContextMapper {
 public:
  explicit CityContextMapper(const city::CityModel& city, MappingTolerances tolerances = {});
  ~CityContextMapper();
  CityContextMapper(const CityContextMapper&) = delete;
  CityContextMapper& operator=(const CityContextMapper&) = delete;

  // Appends what `entity` sets in the city state to `writes`, in the order the values are set. Thread-safe
  // (the coordinate transform is guarded).
  MappingOutcome map(const Entity& entity, std::vector<CityStateWrite>& writes) const;
  // map() and its writes applied to `state` at once.
  MappingOutcome apply(const Entity& entity, city::CityState& state) const;

  const city::CityModel& city() const { return city_; }

 private:
  struct Impl;
  const city::CityModel& city_;
  MappingTolerances tolerances_;
  std::unique_ptr<Impl> impl_;
};

// The Smart Data Models types the mapping understands, in the order a set of them is committed to a city
// state (see inCommitOrder in live_state.hpp).
const std::vector<std::string>& mappedEntityTypes();

// The local name of an IRI: "https://smartdatamodels.org/dataModel.Transportation/intensity" -> "intensity".
std::string localName(const std::string& iri);

}  // namespace citytwin::context
