#pragma once

// The medium-voltage stage of the grid synthesis (internal to the energy model; models/energy/README.md,
// "Grid synthesis").

#include <cstdint>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/energy/grid_synthesis.hpp"
#include "street_graph.hpp"

namespace citytwin::energy {

// Supplies the given secondary (MV/LV) substations, each with its design load in kVA, from primary (HV/MV)
// substations: mapped ones (OSM, above 36 kV) within reach, else synthesised at the load centre of groups
// bisected by load and span; medium-voltage feeders follow the shortest street paths from each primary to its
// secondaries, sized to their downstream design load and reinforced, with the primary's transformer and tap,
// until an AC power flow of the primary's whole network (MV and LV) at the design peak keeps the
// medium-voltage cables and the primary transformer within the design utilisation.
void synthesiseMediumVoltage(city::CityModel& city, const StreetGraph& streets,
                             const std::vector<std::uint32_t>& secondaries,
                             const std::vector<double>& secondaryKva, const std::vector<double>& buildingKva,
                             const GridSynthesisOptions& options, GridSynthesisReport& report);

}  // namespace citytwin::energy
