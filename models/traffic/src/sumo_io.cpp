#include "citytwin/traffic/sumo_io.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

#include "citytwin/core/error.hpp"

namespace citytwin::traffic {

namespace {

// The line of an XML node, for error messages (pugixml gives byte offsets).
class LineIndex {
 public:
  explicit LineIndex(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') newlines_.push_back(i);
  }
  std::size_t lineOf(std::ptrdiff_t offset) const {
    return static_cast<std::size_t>(std::upper_bound(newlines_.begin(), newlines_.end(), static_cast<std::size_t>(offset)) -
                                    newlines_.begin()) + 1;
  }

 private:
  std::vector<std::size_t> newlines_;
};

pugi::xml_document loadXml(const std::filesystem::path& path, const LineIndex& lines) {
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_file(path.c_str());
  if (!parsed) {
    if (parsed.status == pugi::status_file_not_found || parsed.status == pugi::status_io_error)
      throw Error("cannot open '" + path.string() + "'");
    throw InputError({path.string(), lines.lineOf(parsed.offset), ""}, std::string("malformed XML: ") + parsed.description());
  }
  return document;
}

double numberAttribute(const pugi::xml_node& node, const char* name, double fallback, const std::filesystem::path& path,
                       const LineIndex& lines, bool required = false) {
  const pugi::xml_attribute attribute = node.attribute(name);
  if (!attribute) {
    if (required)
      throw InputError({path.string(), lines.lineOf(node.offset_debug()), name},
                       std::string("<") + node.name() + "> needs attribute '" + name + "'");
    return fallback;
  }
  const char* text = attribute.value();
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (end == text || *end != '\0')
    throw InputError({path.string(), lines.lineOf(node.offset_debug()), name},
                     std::string("expected a number, found '") + text + "'");
  return value;
}

}  // namespace

SumoNetwork readSumoNetwork(const std::filesystem::path& path) {
  const LineIndex lines(path);
  const pugi::xml_document document = loadXml(path, lines);
  const pugi::xml_node root = document.child("net");
  if (!root) throw InputError({path.string(), 1, ""}, "expected a SUMO network (<net> root element)");
  SumoNetwork result;
  MicroNetwork& network = result.network;
  std::map<std::string, std::int32_t> nodeById;
  auto nodeIndex = [&](const std::string& id) {
    const auto [it, inserted] = nodeById.emplace(id, static_cast<std::int32_t>(nodeById.size()));
    return it->second;
  };
  for (const pugi::xml_node edge : root.children("edge")) {
    if (std::string(edge.attribute("function").value()) == "internal") continue;
    const std::string id = edge.attribute("id").value();
    if (id.empty() || id.front() == ':') continue;
    const pugi::xml_node lane = edge.child("lane");
    if (!lane) throw InputError({path.string(), lines.lineOf(edge.offset_debug()), "lane"}, "edge '" + id + "' has no lane");
    MicroLink link;
    link.id = id;
    link.from = nodeIndex(edge.attribute("from").value());
    link.to = nodeIndex(edge.attribute("to").value());
    link.lengthM = numberAttribute(lane, "length", 0.0, path, lines, true);
    link.speedLimit = numberAttribute(lane, "speed", 13.89, path, lines, true);
    link.lanes = static_cast<int>(std::distance(edge.children("lane").begin(), edge.children("lane").end()));
    link.priority = static_cast<int>(numberAttribute(edge, "priority", 0.0, path, lines));
    if (!(link.lengthM > 0.0)) link.lengthM = 0.1;
    result.linkByEdgeId.emplace(id, static_cast<std::int32_t>(network.links.size()));
    network.links.push_back(std::move(link));
  }
  std::map<std::string, std::pair<double, double>> internalLanes;  // id -> (length, speed)
  for (const pugi::xml_node edge : root.children("edge")) {
    if (std::string(edge.attribute("function").value()) != "internal") continue;
    for (const pugi::xml_node lane : edge.children("lane"))
      internalLanes[lane.attribute("id").value()] = {numberAttribute(lane, "length", 0.0, path, lines),
                                                     numberAttribute(lane, "speed", 0.0, path, lines)};
  }
  std::map<std::string, std::int32_t> signalById;
  for (const pugi::xml_node logic : root.children("tlLogic")) {
    SignalProgram program;
    program.offsetS = numberAttribute(logic, "offset", 0.0, path, lines);
    for (const pugi::xml_node phase : logic.children("phase"))
      program.phases.push_back({numberAttribute(phase, "duration", 0.0, path, lines, true), phase.attribute("state").value()});
    signalById.emplace(logic.attribute("id").value(), static_cast<std::int32_t>(network.signals.size()));
    network.signals.push_back(std::move(program));
  }
  // A crossing may chain internal lanes: an internal connection continues it from one to the next, and a
  // chain of two means an internal junction, where a turn across oncoming traffic waits.
  std::map<std::string, std::string> nextInternalLane;
  for (const pugi::xml_node connection : root.children("connection")) {
    const std::string from = connection.attribute("from").value();
    if (!from.empty() && from.front() == ':' && connection.attribute("via"))
      nextInternalLane[from + "_" + connection.attribute("fromLane").value()] = connection.attribute("via").value();
  }
  // Connections by incoming lane, in file order: a junction numbers its links (its requests) this way.
  std::map<std::string, std::vector<std::pair<std::int32_t, std::int32_t>>> connectionsByLane;
  std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> firstConnection;
  for (const pugi::xml_node connection : root.children("connection")) {
    const auto from = result.linkByEdgeId.find(connection.attribute("from").value());
    const auto to = result.linkByEdgeId.find(connection.attribute("to").value());
    if (from == result.linkByEdgeId.end() || to == result.linkByEdgeId.end()) continue;  // internal lanes
    connectionsByLane[from->first + "_" + connection.attribute("fromLane").value()].emplace_back(from->second, to->second);
    Movement movement;
    movement.fromLink = from->second;
    movement.toLink = to->second;
    // Every connection of an edge pair adds its lanes to those allowed to turn there and those it arrives in
    // (kept on the first).
    const int fromLane = connection.attribute("fromLane").as_int(-1);
    const std::uint32_t laneBit = fromLane >= 0 && fromLane < 32 ? 1u << fromLane : 0xFFFFFFFFu;
    const int toLane = connection.attribute("toLane").as_int(-1);
    const std::uint32_t toLaneBit = toLane >= 0 && toLane < 32 ? 1u << toLane : 0xFFFFFFFFu;
    const auto [first, isFirst] = firstConnection.emplace(std::pair{from->second, to->second}, network.movements.size());
    Movement& kept = isFirst ? movement : network.movements[first->second];
    if (isFirst) kept.fromLanes = kept.toLanes = 0;
    kept.fromLanes |= laneBit;
    kept.toLanes |= toLaneBit;
    if (fromLane >= 0 && fromLane < static_cast<int>(kept.arrivalLane.size()) && toLane >= 0 && toLane < 128)
      kept.arrivalLane[fromLane] = static_cast<std::int8_t>(toLane);
    if (const auto via = internalLanes.find(connection.attribute("via").value()); via != internalLanes.end()) {
      movement.lengthM = via->second.first;
      movement.speed = via->second.second;
      std::string lane = via->first;
      for (int hop = 0; hop < 8; ++hop) {
        const auto next = nextInternalLane.find(lane);
        if (next == nextInternalLane.end()) break;
        const auto nextLane = internalLanes.find(next->second);
        if (nextLane == internalLanes.end()) break;
        if (hop == 0) movement.waitM = movement.lengthM;
        movement.lengthM += nextLane->second.first;
        lane = next->second;
      }
    }
    movement.major = std::string_view(connection.attribute("state").value()) == "M";
    if (const pugi::xml_attribute tl = connection.attribute("tl")) {
      const auto signal = signalById.find(tl.value());
      if (signal == signalById.end())
        throw InputError({path.string(), lines.lineOf(connection.offset_debug()), "tl"},
                         std::string("unknown traffic light '") + tl.value() + "'");
      movement.signal = signal->second;
      movement.signalIndex = static_cast<std::int32_t>(numberAttribute(connection, "linkIndex", 0.0, path, lines, true));
    }
    network.movements.push_back(movement);
  }
  // Right of way from the junctions' requests: bit j of request i's response (counted from the right)
  // says that link i gives way to link j.
  network.yieldsFromPriority = false;
  for (const pugi::xml_node junction : root.children("junction")) {
    if (std::string_view(junction.attribute("type").value()) == "internal") continue;
    std::vector<std::pair<std::int32_t, std::int32_t>> linkPairs;
    std::istringstream incomingLanes(junction.attribute("incLanes").value());
    for (std::string lane; incomingLanes >> lane;)
      if (const auto it = connectionsByLane.find(lane); it != connectionsByLane.end())
        linkPairs.insert(linkPairs.end(), it->second.begin(), it->second.end());
    for (const pugi::xml_node request : junction.children("request")) {
      const auto index = static_cast<std::size_t>(numberAttribute(request, "index", 0.0, path, lines, true));
      const std::string_view response = request.attribute("response").value();
      if (index >= linkPairs.size() || response.size() != linkPairs.size())
        throw InputError({path.string(), lines.lineOf(request.offset_debug()), "response"},
                         "junction '" + std::string(junction.attribute("id").value()) + "' has " +
                             std::to_string(linkPairs.size()) + " connections; expected a request of that many links");
      for (std::size_t j = 0; j < response.size(); ++j)
        if (response[response.size() - 1 - j] == '1')
          network.yieldRules.push_back(
              {linkPairs[index].first, linkPairs[index].second, linkPairs[j].first, linkPairs[j].second});
    }
  }
  network.nodeCount = static_cast<int>(nodeById.size());
  network.finalise();
  return result;
}

SumoDemand readSumoRoutes(const std::filesystem::path& path, const SumoNetwork& network) {
  const LineIndex lines(path);
  const pugi::xml_document document = loadXml(path, lines);
  const pugi::xml_node root = document.child("routes");
  if (!root) throw InputError({path.string(), 1, ""}, "expected a SUMO route file (<routes> root element)");
  SumoDemand demand;
  std::map<std::string, int> typeById;
  auto addType = [&](const pugi::xml_node& node) {
    VehicleType type;
    type.idm.acceleration = numberAttribute(node, "accel", 2.6, path, lines);
    type.idm.comfortableDeceleration = numberAttribute(node, "decel", 4.5, path, lines);
    type.idm.length = numberAttribute(node, "length", 5.0, path, lines);
    type.idm.minimumGap = numberAttribute(node, "minGap", 2.5, path, lines);
    type.idm.timeHeadway = numberAttribute(node, "tau", 1.0, path, lines);
    type.idm.desiredSpeed = numberAttribute(node, "maxSpeed", 55.56, path, lines);
    demand.types.push_back(type);
    return static_cast<int>(demand.types.size()) - 1;
  };
  typeById["DEFAULT_VEHTYPE"] = addType(pugi::xml_node());
  std::map<std::string, std::string> routeById;
  auto parseEdges = [&](const pugi::xml_node& node) {
    std::vector<std::int32_t> route;
    std::istringstream words(node.attribute("edges").value());
    std::string edge;
    while (words >> edge) {
      const auto it = network.linkByEdgeId.find(edge);
      if (it == network.linkByEdgeId.end())
        throw InputError({path.string(), lines.lineOf(node.offset_debug()), "edges"}, "unknown edge '" + edge + "'");
      route.push_back(it->second);
    }
    if (route.empty())
      throw InputError({path.string(), lines.lineOf(node.offset_debug()), "edges"}, "expected a list of edges");
    return route;
  };
  for (const pugi::xml_node node : root.children()) {
    const std::string name = node.name();
    if (name == "vType") {
      typeById[node.attribute("id").value()] = addType(node);
    } else if (name == "route") {
      routeById[node.attribute("id").value()] = node.attribute("edges").value();
    } else if (name == "vehicle") {
      TripRequest trip;
      trip.id = node.attribute("id").value();
      const char* departText = node.attribute("depart").value();
      char* end = nullptr;
      trip.departS = std::strtod(departText, &end);
      if (end == departText || *end != '\0')
        throw InputError({path.string(), lines.lineOf(node.offset_debug()), "depart"},
                         std::string("expected a departure time in seconds, found '") + departText + "'");
      const std::string typeId = node.attribute("type") ? node.attribute("type").value() : "DEFAULT_VEHTYPE";
      const auto type = typeById.find(typeId);
      if (type == typeById.end())
        throw InputError({path.string(), lines.lineOf(node.offset_debug()), "type"}, "unknown vType '" + typeId + "'");
      trip.type = type->second;
      if (const pugi::xml_node route = node.child("route")) {
        trip.route = parseEdges(route);
      } else if (const pugi::xml_attribute ref = node.attribute("route")) {
        const auto it = routeById.find(ref.value());
        if (it == routeById.end())
          throw InputError({path.string(), lines.lineOf(node.offset_debug()), "route"},
                           std::string("unknown route '") + ref.value() + "'");
        pugi::xml_document scratch;
        scratch.append_child("route").append_attribute("edges") = it->second.c_str();
        trip.route = parseEdges(scratch.child("route"));
      } else {
        throw InputError({path.string(), lines.lineOf(node.offset_debug()), "route"},
                         "vehicle '" + trip.id + "' has no route (trips and flows must be routed first, e.g. duarouter)");
      }
      for (std::size_t i = 1; i < trip.route.size(); ++i)
        if (!network.network.movement(trip.route[i - 1], trip.route[i]))
          throw InputError({path.string(), lines.lineOf(node.offset_debug()), "edges"},
                           "vehicle '" + trip.id + "': edges '" + network.network.links[trip.route[i - 1]].id + "' and '" +
                               network.network.links[trip.route[i]].id + "' are not connected");
      demand.trips.push_back(std::move(trip));
    } else if (name == "trip" || name == "flow" || name == "person") {
      throw InputError({path.string(), lines.lineOf(node.offset_debug()), name},
                       "<" + name + "> is not supported; route the file with duarouter first");
    }
  }
  return demand;
}

}  // namespace citytwin::traffic
