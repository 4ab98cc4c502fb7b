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
      {"max_depth_m", "m", "deepest water on any cell of the domain at any time", KpiDirection::LowerIsBetter,
       worstSoFar},
      {"volume_balance_error", "1",
       "relative mass-balance error of the solver: a check of the numerics, not an outcome for the city",
       KpiDirection::Neutral, runSoFar},
      {"rain_volume_m3", "m3", "rain fallen on the domain", KpiDirection::Neutral, runSoFar},
      {"stored_volume_m3", "m3", "water on the domain now", KpiDirection::Neutral,
       "at the time of the value"},
      {"inflow_volume_m3", "m3", "water that entered through boundary and point inflows",
       KpiDirection::Neutral, runSoFar},
      {"initial_river_water_m3", "m3", "water put in the rivers at the start from observed gauge levels",
       KpiDirection::Neutral, "start of the run"},
  };
}

}  // namespace citytwin::flood
