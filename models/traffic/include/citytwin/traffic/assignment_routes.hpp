#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "citytwin/traffic/micro_network.hpp"

namespace citytwin::traffic {

// Routes for a microsimulation drawn from a static user equilibrium of its demand: the node-to-node demand is
// assigned with Algorithm B on the open links (BPR times: free-flow time = length / speed limit, b = 0.15,
// power 4, the given capacities), and each vehicle's path is drawn backwards from its destination, choosing
// among the links that carry its origin's flow into a node in proportion to that flow. Path shares therefore
// follow the equilibrium's (proportional) path flows, and a draw depends only on the random key.
class AssignmentRoutes {
 public:
  struct Demand {
    std::int32_t originNode = 0, destinationNode = 0;
    double vehiclesPerHour = 0.0;
  };
  AssignmentRoutes(const MicroNetwork& network, const std::vector<double>& capacityVehPerHour,
                   const std::vector<Demand>& demand, double relativeGap = 1e-4);

  // Links from `originNode` to `destinationNode`, or nullopt when the origin has no equilibrium flow there.
  std::optional<std::vector<std::int32_t>> draw(std::int32_t originNode, std::int32_t destinationNode,
                                                std::uint64_t key) const;
  // Equilibrium flow (veh/h) on each network link (0 on closed links).
  const std::vector<double>& linkFlows() const { return linkFlows_; }
  double relativeGap() const { return relativeGap_; }

 private:
  // One origin's flow-carrying links, sorted by head node, for the backward walk.
  struct Origin {
    std::vector<std::int32_t> head, link;
    std::vector<double> flow;
  };
  std::vector<std::int32_t> originIndex_;  // per node, -1 when it sends no trips
  std::vector<Origin> origins_;
  std::vector<std::int32_t> linkTail_;
  std::vector<double> linkFlows_;
  double relativeGap_ = 0.0;
};

}  // namespace citytwin::traffic
