#include "citytwin/traffic/assignment_routes.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "citytwin/traffic/assignment.hpp"
#include "citytwin/traffic/network.hpp"
#include "citytwin/core/splitmix64.hpp"

namespace citytwin::traffic {

namespace {

// SplitMix64's finaliser spreads consecutive keys over the whole range.
constexpr std::uint64_t mix(std::uint64_t z) { return splitMix64(z); }

}  // namespace

AssignmentRoutes::AssignmentRoutes(const MicroNetwork& network, const std::vector<double>& capacityVehPerHour,
                                   const std::vector<Demand>& demand, double relativeGap) {
  TrafficNetwork assignment;
  assignment.nodeCount = network.nodeCount;
  assignment.zoneCount = network.nodeCount;  // every node may send and receive trips
  assignment.firstThroughNode = 0;
  std::vector<std::int32_t> microLink;  // assignment link -> network link
  for (std::size_t l = 0; l < network.links.size(); ++l) {
    const MicroLink& link = network.links[l];
    if (link.closed) continue;
    NetworkLink a;
    a.from = link.from;
    a.to = link.to;
    a.length = link.lengthM;
    a.freeFlowTime = link.lengthM / std::max(link.speedLimit, 0.1);
    a.capacity = std::max(capacityVehPerHour[l], 1.0);
    a.b = 0.15;
    a.power = 4.0;
    assignment.links.push_back(a);
    microLink.push_back(static_cast<std::int32_t>(l));
  }
  assignment.buildAdjacency();
  OdDemand od;
  od.byOrigin.resize(static_cast<std::size_t>(network.nodeCount));
  std::map<std::pair<std::int32_t, std::int32_t>, double>
      pairs;  // ordered: the demand is built the same way every time
  for (const Demand& d : demand)
    if (d.originNode != d.destinationNode && d.vehiclesPerHour > 0.0)
      pairs[{d.originNode, d.destinationNode}] += d.vehiclesPerHour;
  for (const auto& [pair, rate] : pairs) od.byOrigin[pair.first].push_back({pair.second, rate});

  AssignmentOptions options;
  options.targetRelativeGap = relativeGap;
  options.maxIterations = 200;
  options.keepOriginFlows = true;
  AssignmentResult result = assignUserEquilibrium(assignment, od, options);
  relativeGap_ = result.relativeGap;
  linkFlows_.assign(network.links.size(), 0.0);
  for (std::size_t a = 0; a < result.flows.size(); ++a) linkFlows_[microLink[a]] = result.flows[a];
  linkTail_.resize(network.links.size());
  for (std::size_t l = 0; l < network.links.size(); ++l) linkTail_[l] = network.links[l].from;

  originIndex_.assign(static_cast<std::size_t>(network.nodeCount), -1);
  for (const OriginFlows& flows : result.originFlows) {
    originIndex_[flows.origin] = static_cast<std::int32_t>(origins_.size());
    Origin& origin = origins_.emplace_back();
    std::vector<std::size_t> order(flows.links.size());
    std::iota(order.begin(), order.end(), 0);
    // By head node, then by link: a fixed order, so draws do not depend on how the solver listed them.
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      const std::int32_t hx = assignment.links[flows.links[x]].to, hy = assignment.links[flows.links[y]].to;
      return hx != hy ? hx < hy : flows.links[x] < flows.links[y];
    });
    for (std::size_t k : order) {
      origin.head.push_back(assignment.links[flows.links[k]].to);
      origin.link.push_back(microLink[flows.links[k]]);
      origin.flow.push_back(flows.flows[k]);
    }
  }
}

std::optional<std::vector<std::int32_t>> AssignmentRoutes::draw(std::int32_t originNode,
                                                                std::int32_t destinationNode,
                                                                std::uint64_t key) const {
  if (originNode < 0 || originNode >= static_cast<std::int32_t>(originIndex_.size()) ||
      originIndex_[originNode] < 0)
    return std::nullopt;
  const Origin& origin = origins_[originIndex_[originNode]];
  std::vector<std::int32_t> path;
  std::uint64_t state = mix(key);
  // A bush is acyclic, so the walk ends at the origin within as many steps as there are links.
  for (std::int32_t node = destinationNode; node != originNode;) {
    if (path.size() > origin.link.size()) return std::nullopt;
    const auto first = std::lower_bound(origin.head.begin(), origin.head.end(), node);
    const auto last = std::upper_bound(first, origin.head.end(), node);
    if (first == last) return std::nullopt;
    const auto begin = static_cast<std::size_t>(first - origin.head.begin());
    const auto end = static_cast<std::size_t>(last - origin.head.begin());
    double total = 0.0;
    for (std::size_t k = begin; k < end; ++k) total += origin.flow[k];
    state = mix(state);
    double target = unitInterval(state) * total;
    std::size_t chosen = end - 1;
    for (std::size_t k = begin; k < end; ++k) {
      if (target < origin.flow[k]) {
        chosen = k;
        break;
      }
      target -= origin.flow[k];
    }
    path.push_back(origin.link[chosen]);
    node = linkTail_[origin.link[chosen]];
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace citytwin::traffic
