#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/energy/ac_network.hpp"
#include "citytwin/energy/network_file.hpp"

namespace citytwin::energy {

// The electric network behind one substation: bus 0 is the upstream grid (reference, 1.0 p.u.), bus 1 the
// substation busbar behind its transformer, the other buses its feeders' nodes. Per unit on 1 MVA.
struct SubstationNetwork {
  std::string id;                    // the substation's id
  std::int32_t citySubstation = -1;  // the city substation whose flood depth applies; -1: none
  double floodThresholdM = 0.3;
  AcNetwork network;
  std::vector<std::uint32_t> buildings;     // served buildings (indices into CityModel::buildings)
  std::vector<int> busOfBuilding;           // parallel to `buildings`
  // Parallel to `buildings`: the city substation between the building and this network that it also depends
  // on (the nearest substation standing on its feeder's route), or -1.
  std::vector<std::int32_t> secondaryOfBuilding;
  std::vector<double> branchRatingPu;       // current rating of each branch in p.u. (0: unrated)
  // Parallel to the branches: the city feeder (index into GridAssets::feeders) the branch is a segment of;
  // -1 for the transformers and for the lines of a network file.
  std::vector<std::int32_t> feederOfBranch;
  // Parallel to the branches: the city substation whose transformer the branch is; -1 for a line (and for the
  // transformer of a network file's substation that is not a city substation).
  std::vector<std::int32_t> substationOfBranch;
};

inline constexpr double kNetworkBaseMva = 1.0;

// Feeders without impedance data get 0.32 + j0.08 ohm/km (a 240 mm2 Al cable) and 300 A; without a voltage,
// the substation's secondary voltage or 0.4 kV. A transformer of a standard type (Substation::transformer,
// standard_types.hpp) has its type's short-circuit impedance, else 1 % + j6 % on its rating (1 MVA when
// unknown), and its tap (Substation::tapPercent) as off-nominal ratio. A substation supplied by a feeder of
// another (Substation::supplyFeeder: a secondary on a medium-voltage feeder) heads no network: its
// transformer joins the feeder's node nearest its site to a busbar its own feeders leave, inside the network
// of the substation at the top of the chain (one reference bus per primary), and its buildings depend on it
// (secondaryOfBuilding). Generated from the city's GridAssets: each feeder a radial chain of nodes along its
// route, one node per group of served buildings at the same distance along the route. Substations feeding no
// building themselves whose site is a vertex of a feeder's route (the generated town's MV/LV substations)
// stand between it and the served buildings nearest them: a building also loses supply when its nearest such
// substation is switched off. A feeder with a parent feeder leaves the parent's node nearest its route's
// first vertex (a branch of a radial tree); feeders of no substation (mapped lines) must serve no building
// and are left out.
std::vector<SubstationNetwork> buildDistributionNetworks(const city::CityModel& city);

// From a network file: one network per substation feature holding every bus its lines reach. Buildings take
// the bus of their service feature, or else the nearest bus within `serviceRadiusM` of their footprint's
// point-on-surface (ties to the bus listed first); the others are on no network. A substation whose id is a
// city substation's takes that site's flood depth. Errors name the file and the feature.
std::vector<SubstationNetwork> buildDistributionNetworks(const NetworkFile& file, const city::CityModel& city,
                                                         double serviceRadiusM);

}  // namespace citytwin::energy
