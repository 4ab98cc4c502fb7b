#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "citytwin/traffic/micro_network.hpp"
#include "citytwin/traffic/microsimulation.hpp"

namespace citytwin::traffic {

// A SUMO network (.net.xml) as a microsimulation network: normal edges become links (length and speed
// of their first lane, lane count), connections become movements, and tlLogic programs fixed-time
// signals (the state letter of a movement is that of its connection's linkIndex). A movement crosses
// its junction along its chain of internal lanes (their summed length, the first one's speed) and, where
// the chain has an internal junction, waits there to give way. Junction requests give the right of way:
// who gives way to whom, for minor greens ('g') and unsignalised minor links.
struct SumoNetwork {
  MicroNetwork network;
  std::map<std::string, std::int32_t> linkByEdgeId;
};
SumoNetwork readSumoNetwork(const std::filesystem::path& path);

// Vehicles of a SUMO route file (.rou.xml): <vehicle> with a nested <route edges=...> or a route="id"
// reference to a top-level <route>, and <vType> (accel, decel, length, minGap, tau, maxSpeed), whose
// SUMO defaults (2.6, 4.5, 5, 2.5, 1.0, 55.56) apply where an attribute is missing.
struct SumoDemand {
  std::vector<VehicleType> types;
  std::vector<TripRequest> trips;
};
SumoDemand readSumoRoutes(const std::filesystem::path& path, const SumoNetwork& network);

}  // namespace citytwin::traffic
