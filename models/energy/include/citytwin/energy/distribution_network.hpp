#pragma once

#include <cstdint>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/energy/ac_network.hpp"

namespace citytwin::energy {

// The electric network behind one substation, generated from the city's GridAssets: bus 0 is the upstream grid
// (reference, 1.0 p.u.), bus 1 the substation busbar behind its transformer, and each feeder a radial chain of
// nodes along its route, one node per group of served buildings at the same distance along the route.
// Per unit on 1 MVA.
struct SubstationNetwork {
  std::uint32_t substation = 0;
  AcNetwork network;
  std::vector<std::uint32_t> buildings;     // served buildings (indices into CityModel::buildings)
  std::vector<int> busOfBuilding;           // parallel to `buildings`
  std::vector<double> branchRatingPu;       // current rating of each branch in p.u. (0: unrated)
};

inline constexpr double kNetworkBaseMva = 1.0;

// Feeders without impedance data get 0.32 + j0.08 ohm/km (a 240 mm2 Al cable) and 300 A; without a voltage, the
// substation's secondary voltage or 0.4 kV. The transformer has 1 % + j6 % on its rating (1 MVA when unknown).
std::vector<SubstationNetwork> buildDistributionNetworks(const city::CityModel& city);

}  // namespace citytwin::energy
