#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::traffic {

// One directed link of an assignment network with a BPR volume-delay function:
// time(v) = freeFlowTime * (1 + b * (v / capacity)^power); the generalized cost adds
// tollFactor * toll + distanceFactor * length (factors live on the network).
struct NetworkLink {
  std::int32_t from = 0;  // 0-based node index
  std::int32_t to = 0;
  double capacity = 1.0;
  double length = 0.0;
  double freeFlowTime = 0.0;
  double b = 0.0;
  double power = 4.0;
  double speed = 0.0;
  double toll = 0.0;
  int type = 0;
};

// A directed network in compressed sparse row form (forward and backward stars), the layout the
// assignment and shortest-path code walk millions of times.
class TrafficNetwork {
 public:
  int zoneCount = 0;          // zones are nodes 0 .. zoneCount-1
  int nodeCount = 0;
  int firstThroughNode = 0;   // 0-based: nodes below it carry no through traffic
  double tollFactor = 0.0;
  double distanceFactor = 0.0;
  std::vector<NetworkLink> links;

  // Builds the forward and backward stars; call after changing `links`.
  void buildAdjacency();

  int linkCount() const { return static_cast<int>(links.size()); }
  // Whether paths may pass through `node` (not only start or end there).
  bool allowsThrough(int node) const { return node >= firstThroughNode; }

  // Links leaving / entering a node: outLinks[outStart[n] .. outStart[n+1]).
  std::vector<std::int32_t> outStart, outLinks;
  std::vector<std::int32_t> inStart, inLinks;
};

// Trips between zones; intrazonal trips are dropped when read.
struct OdDemand {
  struct Entry {
    std::int32_t destination = 0;  // 0-based zone index
    double trips = 0.0;
  };
  std::vector<std::vector<Entry>> byOrigin;  // one list per zone
  double total() const;
  void scale(double factor);
};

}  // namespace citytwin::traffic
