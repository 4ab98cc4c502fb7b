#pragma once

#include <array>
#include <string_view>

#include "citytwin/city/city_state.hpp"

namespace citytwin::city {

// A column of the city state that more than one party knows by name: a model that writes it, the models
// that read it, the Smart Data Models mapping that fills it from live observations, the viewer that
// colours by it. Declared once here, so a name or unit is never retyped; the scheduler refuses a model
// that reads a column not declared here (sim::Scheduler::bind).
struct CouplingColumn {
  Layer layer;
  std::string_view name;
  std::string_view unit;     // "1" for flags and plain numbers
  std::string_view meaning;  // one line for people
  // Who may provide the values. A model's output is published by the one model of a branch that declares
  // it in ModelDescription::writes. An input of the city comes from outside the models: live observations
  // written by the Smart Data Models mapping (context::CityContextMapper) and interventions such as
  // set_attribute; a model may read it even when no model of the branch writes it.
  bool modelOutput = false;
  bool cityInput = false;

  friend constexpr bool operator==(const CouplingColumn&, const CouplingColumn&) = default;
};

namespace columns {

// Flood outputs.
inline constexpr CouplingColumn kRoadLinkFloodDepth{
    .layer = Layer::RoadLink, .name = "max_flood_depth_m", .unit = "m",
    .meaning = "deepest water on the road link so far in the run", .modelOutput = true};
inline constexpr CouplingColumn kBuildingFloodDepth{
    .layer = Layer::Building, .name = "max_flood_depth_m", .unit = "m",
    .meaning = "deepest water around the building so far in the run", .modelOutput = true};
inline constexpr CouplingColumn kSubstationFloodDepth{
    .layer = Layer::Substation, .name = "max_flood_depth_m", .unit = "m",
    .meaning = "deepest water at the substation so far in the run", .modelOutput = true};

// Traffic outputs; `closed` is also set by live road status and by interventions.
inline constexpr CouplingColumn kRoadLinkClosed{
    .layer = Layer::RoadLink, .name = "closed", .unit = "1",
    .meaning = "1 while the road link is closed to traffic, 0 while it is open", .modelOutput = true,
    .cityInput = true};
inline constexpr CouplingColumn kRoadLinkFlow{
    .layer = Layer::RoadLink, .name = "flow_veh_per_h", .unit = "veh/h",
    .meaning = "vehicles leaving the link during the last step, as an hourly rate", .modelOutput = true};
inline constexpr CouplingColumn kRoadLinkMeanSpeed{
    .layer = Layer::RoadLink, .name = "mean_speed_kph", .unit = "km/h",
    .meaning = "mean speed on the link during the last step (its speed limit while empty)",
    .modelOutput = true};

// Energy outputs.
inline constexpr CouplingColumn kBuildingElectricLoad{
    .layer = Layer::Building, .name = "electric_load_kw", .unit = "kW",
    .meaning = "the building's electric demand in the last hour", .modelOutput = true};
inline constexpr CouplingColumn kBuildingHeating{
    .layer = Layer::Building, .name = "heating_kw", .unit = "kW",
    .meaning = "heat delivered to the building in the last hour", .modelOutput = true};
inline constexpr CouplingColumn kBuildingCooling{
    .layer = Layer::Building, .name = "cooling_kw", .unit = "kW",
    .meaning = "heat removed from the building in the last hour", .modelOutput = true};
inline constexpr CouplingColumn kBuildingPv{
    .layer = Layer::Building, .name = "pv_kw", .unit = "kW",
    .meaning = "rooftop photovoltaic output in the last hour", .modelOutput = true};
inline constexpr CouplingColumn kBuildingSupplied{
    .layer = Layer::Building, .name = "supplied", .unit = "1",
    .meaning = "1 while the building has electricity, 0 while its substation is off", .modelOutput = true};
inline constexpr CouplingColumn kSubstationEnergized{
    .layer = Layer::Substation, .name = "energized", .unit = "1",
    .meaning = "1 while the substation is energised, 0 once it is switched off", .modelOutput = true};

// Inputs of the city: live observations mapped from Smart Data Models entities.
inline constexpr CouplingColumn kSensorValue{
    .layer = Layer::Sensor, .name = "value", .unit = "by sensor type",
    .meaning = "the sensor's latest reading: rain mm/h, river stage m, temperature degC, flow veh/h, power kW",
    .cityInput = true};
inline constexpr CouplingColumn kRoadLinkObservedFlow{
    .layer = Layer::RoadLink, .name = "observed_flow_veh_per_h", .unit = "veh/h",
    .meaning = "counted traffic flow on the link", .cityInput = true};
inline constexpr CouplingColumn kRoadLinkObservedSpeed{
    .layer = Layer::RoadLink, .name = "observed_speed_kph", .unit = "km/h",
    .meaning = "observed mean vehicle speed on the link", .cityInput = true};
inline constexpr CouplingColumn kRoadLinkObservedSpeedLimit{
    .layer = Layer::RoadLink, .name = "observed_speed_limit_kph", .unit = "km/h",
    .meaning = "speed limit reported for the road segment", .cityInput = true};
inline constexpr CouplingColumn kBuildingObservedHeight{
    .layer = Layer::Building, .name = "observed_height_m", .unit = "m",
    .meaning = "reported building height", .cityInput = true};
inline constexpr CouplingColumn kBuildingObservedLevels{
    .layer = Layer::Building, .name = "observed_levels", .unit = "1",
    .meaning = "reported floors above ground", .cityInput = true};
inline constexpr CouplingColumn kBuildingObservedOccupancy{
    .layer = Layer::Building, .name = "observed_occupancy", .unit = "1",
    .meaning = "reported occupancy of the building, as the feed gives it", .cityInput = true};
inline constexpr CouplingColumn kBuildingOperationActive{
    .layer = Layer::Building, .name = "operation_active", .unit = "1",
    .meaning = "1 while an operation on the building is ongoing, else 0", .cityInput = true};
inline constexpr CouplingColumn kBuildingObservedLoad{
    .layer = Layer::Building, .name = "observed_load_kw", .unit = "kW",
    .meaning = "metered electric load of the building", .cityInput = true};
inline constexpr CouplingColumn kSubstationObservedLoad{
    .layer = Layer::Substation, .name = "observed_load_kw", .unit = "kW",
    .meaning = "metered electric load at the substation", .cityInput = true};

}  // namespace columns

// Every declared column, for lookups by layer and name.
inline constexpr std::array kCouplingColumns{
    columns::kRoadLinkFloodDepth,      columns::kBuildingFloodDepth,     columns::kSubstationFloodDepth,
    columns::kRoadLinkClosed,          columns::kRoadLinkFlow,           columns::kRoadLinkMeanSpeed,
    columns::kBuildingElectricLoad,    columns::kBuildingHeating,        columns::kBuildingCooling,
    columns::kBuildingPv,              columns::kBuildingSupplied,       columns::kSubstationEnergized,
    columns::kSensorValue,             columns::kRoadLinkObservedFlow,   columns::kRoadLinkObservedSpeed,
    columns::kRoadLinkObservedSpeedLimit, columns::kBuildingObservedHeight, columns::kBuildingObservedLevels,
    columns::kBuildingObservedOccupancy, columns::kBuildingOperationActive, columns::kBuildingObservedLoad,
    columns::kSubstationObservedLoad,
};

}  // namespace citytwin::city
