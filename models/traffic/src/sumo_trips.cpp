#include "citytwin/traffic/sumo_trips.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/traffic/strong_components.hpp"

namespace citytwin::traffic {

namespace {

// The piece number and direction of an id "osm:way/<way>:<piece>:f|b"; piece -1 when it has another form.
std::pair<int, bool> osmPiece(const std::string& id) {
  const std::string prefix = "osm:way/";
  if (id.rfind(prefix, 0) != 0) return {-1, false};
  const std::size_t first = id.find(':', prefix.size());
  const std::size_t second = first == std::string::npos ? first : id.find(':', first + 1);
  if (second == std::string::npos || second == first + 1) return {-1, false};
  int piece = 0;
  for (std::size_t k = first + 1; k < second; ++k) {
    if (id[k] < '0' || id[k] > '9') return {-1, false};
    piece = piece * 10 + (id[k] - '0');
  }
  return {piece, id.compare(second + 1, std::string::npos, "b") == 0};
}

}  // namespace

std::string sumoEdgeId(const city::RoadLink& link, int piecesOfWay) {
  const auto [piece, backward] = osmPiece(link.id);
  if (link.osmWayId == 0 || piece < 0) return link.id;
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on chained std::string concatenation.
  std::string id;
  if (backward) id.push_back('-');
  id.append(std::to_string(link.osmWayId));
  if (piecesOfWay > 1) {
    id.push_back('#');
    id.append(std::to_string(piece));
  }
  return id;
}

std::size_t writeSumoTrips(const std::filesystem::path& path, const city::CityModel& city,
                           BuildingDemandOptions options) {
  const city::RoadNetwork& roads = city.roads;
  const std::vector<std::uint8_t> connected = largestStronglyConnectedLinks(buildCityNetwork(roads));
  options.usableLinks = connected;
  std::vector<GeneratedTrip> trips = generateBuildingDemand(city, options);
  std::vector<std::size_t> order(trips.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return trips[a].departS < trips[b].departS; });
  std::map<std::int64_t, int> pieces;  // per OSM way: its number of pieces (highest piece number + 1)
  for (const city::RoadLink& link : roads.links) {
    const int piece = osmPiece(link.id).first;
    if (link.osmWayId != 0 && piece >= 0) pieces[link.osmWayId] = std::max(pieces[link.osmWayId], piece + 1);
  }
  auto piecesOf = [&](const city::RoadLink& link) {
    const auto it = pieces.find(link.osmWayId);
    return it == pieces.end() ? 1 : it->second;
  };
  const auto outgoing = roads.outgoingLinks();
  const auto incoming = roads.incomingLinks();
  auto firstConnected = [&](const std::vector<std::uint32_t>& links) -> const city::RoadLink* {
    for (std::uint32_t l : links)
      if (connected[l]) return &roads.links[l];
    return nullptr;
  };
  AtomicOutput output(path);
  std::size_t written = 0;
  {
    std::ofstream out(output.temporaryPath());
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- citytwin building demand: " << trips.size()
        << " trips; edge ids as netconvert names OSM ways -->\n<routes>\n";
    char depart[32];
    for (std::size_t k : order) {
      const city::RoadLink* from = firstConnected(outgoing[static_cast<std::size_t>(trips[k].originNode)]);
      const city::RoadLink* to = firstConnected(incoming[static_cast<std::size_t>(trips[k].destinationNode)]);
      if (!from || !to) continue;
      std::snprintf(depart, sizeof depart, "%.2f", trips[k].departS);
      out << "    <trip id=\"trip" << k << "\" depart=\"" << depart << "\" from=\""
          << sumoEdgeId(*from, piecesOf(*from)) << "\" to=\"" << sumoEdgeId(*to, piecesOf(*to)) << "\"/>\n";
      ++written;
    }
    out << "</routes>\n";
    if (!out) throw Error("cannot write '" + path.string() + "'");
  }
  output.commit();
  return written;
}

}  // namespace citytwin::traffic
