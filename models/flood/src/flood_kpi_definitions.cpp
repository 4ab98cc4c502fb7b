#include "flood_kpi_definitions.hpp"

namespace citytwin::flood {

std::vector<sim::KpiDefinition> floodKpiDefinitions() {
  using sim::KpiDirection;
  const char* worstSoFar = "worst moment of the run so far";
  const char* runSoFar = "total over the run so far";
  return {
      {"flooded_area_m2", "m2", "land area where water stood deeper than flooded_depth_m at any time",
       KpiDirection::LowerIsBetter, worstSoFar},
      {"buildings_over_0_3m", "buildings",
       "buildings with water against their walls deeper than impassable_depth_m", KpiDirection::LowerIsBetter,
       worstSoFar},
      {"impassable_links", "links", "road links under water deeper than impassable_depth_m at any time",
       KpiDirection::LowerIsBetter, worstSoFar},
      {"max_depth_m", "m", "deepest water on open land (sea and permanent water excluded) at any time",
       KpiDirection::LowerIsBetter, worstSoFar},
      {"volume_balance_error", "1",
       "relative mass-balance error of the solver: a check of the numerics, not an outcome for the city",
       KpiDirection::Neutral, runSoFar},
      {"rain_volume_m3", "m3", "rain fallen on the open cells of the domain", KpiDirection::Neutral,
       runSoFar},
      {"stored_volume_m3", "m3", "water on all cells of the domain now (for the mass balance)",
       KpiDirection::Neutral, "at the time of the value"},
      {"flood_volume_m3", "m3", "water standing on open land now (sea and permanent water excluded)",
       KpiDirection::LowerIsBetter, "at the time of the value"},
      {"roof_runoff_m3", "m3",
       "roof rain beyond the buildings' drainage, run onto the open cells around them",
       KpiDirection::LowerIsBetter, runSoFar},
      {"roof_drained_m3", "m3", "roof rain taken by the buildings' drainage", KpiDirection::Neutral,
       runSoFar},
      {"sea_outflow_m3", "m3", "water that left the land into the sea", KpiDirection::Neutral, runSoFar},
      {"inflow_volume_m3", "m3", "water the scenario's boundary and point inflows put in",
       KpiDirection::Neutral, runSoFar},
      {"initial_river_water_m3", "m3", "water put in the rivers at the start from observed gauge levels",
       KpiDirection::Neutral, "start of the run"},
  };
}

}  // namespace citytwin::flood
