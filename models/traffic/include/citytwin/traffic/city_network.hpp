#pragma once

#include <cstdint>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/traffic/micro_network.hpp"

namespace citytwin::traffic {

// The city's road links as a microsimulation network (link i is RoadLink i). Every turn is allowed
// except U-turns (kept where a U-turn is the only way on); nodes tagged with traffic signals get a
// fixed-time two-phase program (approaches closer to north-south, then the others; green, then 3 s
// amber); elsewhere approaches of a higher rank (approachPriority) have the right of way.
struct CitySignalTiming {
  double greenS = 27.0;
  double amberS = 3.0;
};
MicroNetwork buildCityNetwork(const city::RoadNetwork& roads, const CitySignalTiming& timing = {});

// Right-of-way rank of an OSM highway class (motorway highest).
int roadPriority(const std::string& highwayClass);
// Right-of-way rank of a link at the node it ends in: its class's rank, raised above every class on a
// roundabout (OSM junction=roundabout/circular: circulating traffic has priority, entries give way), lowered
// below every class where a stop or give-way sign stands at its end.
int approachPriority(const city::RoadLink& road);

// Trips generated from building uses: every residential building sends trips in proportion to its floor
// area to workplaces (offices, commercial, industrial), shops (retail) and schools (education), chosen
// with probability proportional to floor area. Deterministic for a seed.
struct BuildingDemandOptions {
  double tripsPer100M2 = 0.5;    // of residential gross floor area
  double workShare = 0.6;
  double shopShare = 0.25;
  double schoolShare = 0.15;
  double startS = 0.0;  // departures in [startS, startS + durationS)
  double durationS = 7200.0;
  // Clock time of startS in seconds after midnight: departures follow DepartureProfile's weekday rates
  // over the window. Negative: uniform over the window.
  double startClockS = -1.0;
  double scale = 1.0;
  std::uint64_t seed = 1;
  // Links trips may start and end on (e.g. the largest strongly connected component); buildings attach to
  // the nearest node with both an outgoing and an incoming such link. Empty: every link.
  std::vector<std::uint8_t> usableLinks;
};
struct GeneratedTrip {
  std::int32_t originNode = 0;       // RoadNetwork node nearest the origin building
  std::int32_t destinationNode = 0;
  double departS = 0.0;
};
std::vector<GeneratedTrip> generateBuildingDemand(const city::CityModel& city, const BuildingDemandOptions& options);

}  // namespace citytwin::traffic
