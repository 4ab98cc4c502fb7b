#pragma once

#include <functional>
#include <vector>

#include "citytwin/traffic/network.hpp"

namespace citytwin::traffic {

struct AssignmentOptions {
  double targetRelativeGap = 1e-8;
  int maxIterations = 1000;
  double maxSeconds = 3600.0;
  // Called after every iteration with (iteration, relative gap, seconds); return false to stop.
  std::function<bool(int, double, double)> onIteration;
  // Also return every origin's link flows (its bush), from which paths can be drawn.
  bool keepOriginFlows = false;
};

// The flows of one origin's trips: links carrying them (ascending) and the flow on each.
struct OriginFlows {
  int origin = 0;
  std::vector<std::int32_t> links;
  std::vector<double> flows;
};

struct AssignmentResult {
  std::vector<double> flows;  // per link
  std::vector<double> costs;  // generalized cost per link at `flows`
  double tstt = 0.0;          // total system travel time: sum flow * cost
  double beckmann = 0.0;      // sum of cost integrals
  double relativeGap = 0.0;   // 1 - (shortest-path cost of all trips) / tstt
  int iterations = 0;
  double seconds = 0.0;       // solver wall time (initial loading included)
  bool converged = false;
  std::vector<OriginFlows> originFlows;  // by ascending origin, when AssignmentOptions::keepOriginFlows
};

// Static user equilibrium by Algorithm B (Dial 2006): one acyclic bush per origin, Newton flow shifts
// between the longest used and the shortest path segments to every node, nodes visited in topological
// order. Deterministic (single-threaded). Throws Error when a demanded destination is unreachable.
AssignmentResult assignUserEquilibrium(const TrafficNetwork& network, const OdDemand& demand,
                                       const AssignmentOptions& options = {});

// Evaluates TSTT, Beckmann objective and relative gap of given link flows (e.g. a published solution).
struct FlowEvaluation {
  double tstt = 0.0;
  double beckmann = 0.0;
  double relativeGap = 0.0;
};
FlowEvaluation evaluateFlows(const TrafficNetwork& network, const OdDemand& demand, const std::vector<double>& flows);

}  // namespace citytwin::traffic
