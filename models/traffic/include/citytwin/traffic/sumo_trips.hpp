#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/traffic/city_network.hpp"

namespace citytwin::traffic {

// netconvert's edge id for an OSM road link: the way id, "#<piece>" when the way is split into several
// links, a leading '-' for the direction against the way ("osm:way/4097656:1:b" -> "-4097656#1"). It matches
// netconvert's edges where both split the way at the same nodes (junctions). Links not from OSM keep
// their own id.
std::string sumoEdgeId(const city::RoadLink& link, int piecesOfWay);

// The city's building demand (the traffic model's default rules: generateBuildingDemand on the largest
// strongly connected component) as SUMO trips: <trip id depart from to/> sorted by departure, from the
// origin node's first outgoing and to the destination node's first incoming link of the component.
// Returns the number of trips written.
std::size_t writeSumoTrips(const std::filesystem::path& path, const city::CityModel& city,
                           BuildingDemandOptions options);

}  // namespace citytwin::traffic
