#include "traffic_kpi_definitions.hpp"

namespace citytwin::traffic {

std::vector<sim::KpiDefinition> trafficKpiDefinitions() {
  using sim::KpiDirection;
  const char* runSoFar = "trips requested so far";
  return {
      {"vehicle_hours_delay", "h",
       "time lost by all trips: delay in the network, waiting to depart, and for a trip that cannot be made "
       "its "
       "whole time since its requested departure plus its free-flow time",
       KpiDirection::LowerIsBetter, runSoFar},
      {"mean_travel_time_s", "s",
       "mean time from requested departure to arrival; a trip not arrived counts its time so far plus its "
       "remaining "
       "free-flow time, a trip that cannot be made its time so far plus its whole free-flow time",
       KpiDirection::LowerIsBetter, runSoFar},
      {"trip_completion_rate", "1", "share of the trips requested so far that have arrived",
       KpiDirection::HigherIsBetter, runSoFar},
      {"trips_not_completed", "trips", "trips not arrived: waiting, driving, stranded or never routable",
       KpiDirection::LowerIsBetter, "all trips of the run"},
      {"trips_stranded", "trips",
       "trips left without any open route (stranded by closures or never routable)",
       KpiDirection::LowerIsBetter, "all trips of the run"},
      {"jam_teleports", "vehicles", "vehicles moved on after standing 300 s at the head of a lane (gridlock)",
       KpiDirection::LowerIsBetter, "run so far"},
      {"vehicle_hours_travelled", "h",
       "vehicle-hours driven in the network: exposure, not an outcome (fewer can mean trips not made)",
       KpiDirection::Neutral, "run so far"},
      {"trips", "trips", "trips of the demand, routable or not", KpiDirection::Neutral,
       "all trips of the run"},
      {"route_relative_gap", "1",
       "relative gap of the routes to the dynamic user equilibrium (0: nobody could be faster on another "
       "route; 0 also when routing is not \"dynamic_equilibrium\")",
       KpiDirection::Neutral, "start of the run"},
      {"demand_calibration_factor", "1", "factor applied to the demand to match observed link flows",
       KpiDirection::Neutral, "start of the run"},
  };
}

}  // namespace citytwin::traffic
