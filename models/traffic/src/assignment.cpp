#include "citytwin/traffic/assignment.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/traffic/link_cost.hpp"
#include "citytwin/traffic/shortest_path.hpp"

namespace citytwin::traffic {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The links an origin's flow may use: acyclic, every reachable node reachable on it.
struct Bush {
  int origin = 0;
  std::vector<double> flow;           // this origin's flow per link
  std::vector<std::uint8_t> member;   // per link
  std::vector<std::int32_t> order;    // reachable nodes in topological order, origin first
  // Incoming bush links of every node in topological order (CSR by position), with their tails'
  // positions, so label passes stream through contiguous memory.
  std::vector<std::int32_t> inOffset, inLink, inTailPosition;
  std::vector<std::int32_t> position;  // per node: index in `order`, -1 when unreachable
};

// Few passes per bush before moving on: later bushes' shifts change the costs anyway, and the sweeps
// return to every bush, so more passes here mostly re-equilibrate against stale costs.
constexpr int kPassesPerBush = 3;
constexpr int kSweeps = 3;

class AlgorithmB {
 public:
  AlgorithmB(const TrafficNetwork& network, const OdDemand& demand)
      : network_(network), demand_(demand), costs_(network), tree_(network) {
    const auto n = static_cast<std::size_t>(network.nodeCount);
    const auto m = static_cast<std::size_t>(network.linkCount());
    x_.assign(m, 0.0);
    c_.resize(m);
    d_.resize(m);
    for (std::size_t a = 0; a < m; ++a) updateLink(static_cast<int>(a));
    minLabel_.resize(n);
    maxLabel_.resize(n);
    minPred_.resize(n);
    maxPred_.resize(n);
    inDegree_.assign(n, 0);
    nodeFlow_.assign(n, 0.0);
    // Flows below this are rounding noise of the shifts (1e-14 of all trips).
    flowEpsilon_ = 1e-14 * demand.total();
    for (int origin = 0; origin < static_cast<int>(demand.byOrigin.size()); ++origin)
      if (!demand.byOrigin[origin].empty()) origins_.push_back(origin);
  }

  void initialise() {
    bushes_.reserve(origins_.size());
    for (int origin : origins_) initialiseBush(origin);
  }

  // One main iteration: grow/prune every bush and equilibrate it, then extra equilibration sweeps.
  void iterate(double tolerance) {
    for (Bush& bush : bushes_) {
      setPositions(bush);
      updateBush(bush);
      for (int pass = 0; pass < kPassesPerBush; ++pass)
        if (!equilibrate(bush, tolerance)) break;
      clearPositions(bush);
    }
    for (int sweep = 0; sweep < kSweeps; ++sweep)
      for (Bush& bush : bushes_) {
        setPositions(bush);
        equilibrate(bush, tolerance);
        clearPositions(bush);
      }
  }

  // Gap measured with each bush's own shortest paths: never above the true gap (the bush may miss a
  // shorter path), so a bush gap above the target proves the target is not reached without Dijkstra.
  double bushGap() {
    double tstt = 0.0, shortest = 0.0;
    for (int a = 0; a < network_.linkCount(); ++a) {
      updateLink(a);
      tstt += x_[a] * c_[a];
    }
    for (Bush& bush : bushes_) {
      setPositions(bush);
      computeMinLabels(bush);
      for (const OdDemand::Entry& entry : demand_.byOrigin[bush.origin])
        shortest += entry.trips * minLabel_[position_[entry.destination]];
      clearPositions(bush);
    }
    return tstt > 0 ? (tstt - shortest) / tstt : 0.0;
  }

  FlowEvaluation evaluate() {
    for (int a = 0; a < network_.linkCount(); ++a) updateLink(a);
    return evaluateAt(x_);
  }

  FlowEvaluation evaluateAt(const std::vector<double>& flows) {
    FlowEvaluation result;
    std::vector<double> cost(flows.size());
    for (int a = 0; a < network_.linkCount(); ++a) {
      cost[a] = costs_.cost(a, flows[a]);
      result.tstt += flows[a] * cost[a];
      result.beckmann += costs_.integral(a, flows[a]);
    }
    double shortest = 0.0;
    for (int origin : origins_) {
      tree_.compute(origin, cost);
      for (const OdDemand::Entry& entry : demand_.byOrigin[origin]) {
        const double distance = tree_.distance()[entry.destination];
        if (!std::isfinite(distance)) unreachable(origin, entry.destination);
        shortest += entry.trips * distance;
      }
    }
    result.relativeGap = result.tstt > 0 ? (result.tstt - shortest) / result.tstt : 0.0;
    return result;
  }

  const std::vector<double>& flows() const { return x_; }

  std::vector<OriginFlows> originFlows() const {
    std::vector<OriginFlows> result;
    result.reserve(bushes_.size());
    for (const Bush& bush : bushes_) {
      OriginFlows& origin = result.emplace_back();
      origin.origin = bush.origin;
      for (std::size_t a = 0; a < bush.flow.size(); ++a)
        if (bush.flow[a] > flowEpsilon_) {
          origin.links.push_back(static_cast<std::int32_t>(a));
          origin.flows.push_back(bush.flow[a]);
        }
    }
    return result;
  }
  const std::vector<double>& costs() const { return c_; }

 private:
  [[noreturn]] static void unreachable(int origin, int destination) {
    throw Error("zone " + std::to_string(destination + 1) + " cannot be reached from zone " +
                std::to_string(origin + 1) + " but has trips from it");
  }

  void updateLink(int a) {
    costs_.evaluate(a, x_[a], c_[a], d_[a]);
  }

  void initialiseBush(int origin) {
    tree_.compute(origin, c_);
    Bush bush;
    bush.origin = origin;
    const auto m = static_cast<std::size_t>(network_.linkCount());
    bush.flow.assign(m, 0.0);
    bush.member.assign(m, 0);
    bush.order = tree_.settledOrder();
    const auto& pred = tree_.predecessorLink();
    for (std::int32_t node : bush.order)
      if (pred[node] >= 0) bush.member[pred[node]] = 1;
    for (const OdDemand::Entry& entry : demand_.byOrigin[origin]) {
      if (pred[entry.destination] < 0) unreachable(origin, entry.destination);
      nodeFlow_[entry.destination] += entry.trips;
    }
    for (auto it = bush.order.rbegin(); it != bush.order.rend(); ++it) {
      const std::int32_t node = *it;
      const double flow = nodeFlow_[node];
      nodeFlow_[node] = 0.0;
      if (flow == 0.0 || pred[node] < 0) continue;
      const std::int32_t link = pred[node];
      bush.flow[link] += flow;
      x_[link] += flow;
      updateLink(link);
      nodeFlow_[network_.links[link].from] += flow;
    }
    numberNodes(bush, network_.nodeCount);
    setPositions(bush);
    indexBush(bush);
    clearPositions(bush);
    bushes_.push_back(std::move(bush));
  }

  void setPositions(Bush& bush) { position_ = bush.position.data(); }
  void clearPositions(const Bush&) { position_ = nullptr; }
  static void numberNodes(Bush& bush, int nodeCount) {
    bush.position.assign(static_cast<std::size_t>(nodeCount), -1);
    for (std::size_t i = 0; i < bush.order.size(); ++i) bush.position[bush.order[i]] = static_cast<std::int32_t>(i);
  }

  // Shortest and longest path labels over the bush in topological order, indexed by position. The longest
  // path uses only links carrying flow when `usedOnly`, else every bush link.
  void computeLabels(const Bush& bush, bool usedOnly) {
    minLabel_[0] = 0.0;
    maxLabel_[0] = 0.0;
    minPred_[0] = -1;
    maxPred_[0] = -1;
    const std::size_t count = bush.order.size();
    const std::int32_t* offset = bush.inOffset.data();
    const std::int32_t* links = bush.inLink.data();
    const std::int32_t* tails = bush.inTailPosition.data();
    const double* flow = bush.flow.data();
    const double* cost = c_.data();
    for (std::size_t p = 1; p < count; ++p) {
      double best = kInf, worst = -kInf;
      std::int32_t bestLink = -1, worstLink = -1;
      for (std::int32_t k = offset[p]; k < offset[p + 1]; ++k) {
        const std::int32_t link = links[k];
        const std::int32_t tail = tails[k];
        const double viaMin = minLabel_[tail] + cost[link];
        if (viaMin < best) {
          best = viaMin;
          bestLink = link;
        }
        if (!usedOnly || flow[link] > flowEpsilon_) {
          const double viaMax = maxLabel_[tail] + cost[link];
          if (viaMax > worst) {
            worst = viaMax;
            worstLink = link;
          }
        }
      }
      minLabel_[p] = best;
      minPred_[p] = bestLink;
      if (worstLink < 0) {
        maxLabel_[p] = best;
        maxPred_[p] = bestLink;
      } else {
        maxLabel_[p] = worst;
        maxPred_[p] = worstLink;
      }
    }
  }

  // Shortest path labels only (the gap needs no longest paths): half the work of computeLabels.
  void computeMinLabels(const Bush& bush) {
    minLabel_[0] = 0.0;
    const std::size_t count = bush.order.size();
    const std::int32_t* offset = bush.inOffset.data();
    const std::int32_t* links = bush.inLink.data();
    const std::int32_t* tails = bush.inTailPosition.data();
    const double* cost = c_.data();
    for (std::size_t p = 1; p < count; ++p) {
      double best = kInf;
      for (std::int32_t k = offset[p]; k < offset[p + 1]; ++k)
        best = std::min(best, minLabel_[tails[k]] + cost[links[k]]);
      minLabel_[p] = best;
    }
  }

  // Rebuilds the incoming-link lists after the bush's links or order changed (positions must be set).
  void indexBush(Bush& bush) {
    const std::size_t count = bush.order.size();
    bush.inOffset.assign(count + 1, 0);
    bush.inLink.clear();
    bush.inTailPosition.clear();
    for (std::size_t p = 0; p < count; ++p) {
      const std::int32_t node = bush.order[p];
      for (std::int32_t k = network_.inStart[node]; k < network_.inStart[node + 1]; ++k) {
        const std::int32_t link = network_.inLinks[k];
        if (!bush.member[link]) continue;
        bush.inLink.push_back(link);
        bush.inTailPosition.push_back(position_[network_.links[link].from]);
      }
      bush.inOffset[p + 1] = static_cast<std::int32_t>(bush.inLink.size());
    }
  }

  // Drops unused links (keeping the shortest-path tree) and adds links that shorten both the shortest
  // and the longest path to their head; the longest-path condition keeps the bush acyclic.
  void updateBush(Bush& bush) {
    computeLabels(bush, false);
    bool changed = false;
    const int m = network_.linkCount();
    for (int a = 0; a < m; ++a) {
      if (bush.member[a] && bush.flow[a] <= flowEpsilon_ && minPred_[position_[network_.links[a].to]] != a) {
        bush.member[a] = 0;
        removeFlow(bush, a, bush.flow[a]);
        changed = true;
      }
    }
    if (changed) {
      indexBush(bush);
      computeLabels(bush, false);
    }
    for (int a = 0; a < m; ++a) {
      if (bush.member[a]) continue;
      const NetworkLink& link = network_.links[a];
      if (position_[link.from] < 0 || position_[link.to] < 0 || link.to == bush.origin) continue;
      if (link.from != bush.origin && !network_.allowsThrough(link.from)) continue;
      const std::int32_t from = position_[link.from], to = position_[link.to];
      if (maxLabel_[from] + c_[a] < maxLabel_[to] && minLabel_[from] + c_[a] < minLabel_[to]) {
        bush.member[a] = 1;
        changed = true;
      }
    }
    if (changed) {
      sortTopologically(bush);
      numberNodes(bush, network_.nodeCount);
      setPositions(bush);
      indexBush(bush);
    }
  }

  void sortTopologically(Bush& bush) {
    const std::size_t reachable = bush.order.size();
    const int m = network_.linkCount();
    for (int a = 0; a < m; ++a)
      if (bush.member[a]) ++inDegree_[network_.links[a].to];
    bush.order.clear();
    bush.order.push_back(bush.origin);
    for (std::size_t head = 0; head < bush.order.size(); ++head) {
      const std::int32_t node = bush.order[head];
      for (std::int32_t k = network_.outStart[node]; k < network_.outStart[node + 1]; ++k) {
        const std::int32_t link = network_.outLinks[k];
        if (!bush.member[link]) continue;
        const std::int32_t next = network_.links[link].to;
        if (--inDegree_[next] == 0) bush.order.push_back(next);
      }
    }
    if (bush.order.size() != reachable) throw std::logic_error("Algorithm B: a bush became cyclic");
  }

  // One sweep of Newton shifts over the bush's nodes from last to first; returns whether any node
  // still had a cost difference above the tolerance.
  bool equilibrate(Bush& bush, double tolerance) {
    computeLabels(bush, true);
    bool shifted = false;
    for (std::size_t i = bush.order.size(); i-- > 1;) {
      if (minPred_[i] == maxPred_[i]) continue;
      if (maxLabel_[i] - minLabel_[i] <= tolerance * maxLabel_[i]) continue;
      shifted |= shiftToShortest(bush, static_cast<std::int32_t>(i));
    }
    return shifted;
  }

  void removeFlow(Bush& bush, std::int32_t link, double amount) {
    if (amount == 0.0) return;
    bush.flow[link] = amount >= bush.flow[link] ? 0.0 : bush.flow[link] - amount;
    x_[link] = std::max(0.0, x_[link] - amount);
    updateLink(link);
  }

  // Moves flow from the longest used to the shortest path segment ending at the node at `position`.
  bool shiftToShortest(Bush& bush, std::int32_t position) {
    shortSegment_.clear();
    longSegment_.clear();
    std::int32_t onShort = position, onLong = position;
    double shortCost = 0.0, longCost = 0.0, slope = 0.0, room = kInf;
    do {
      if (onShort >= onLong) {
        const std::int32_t link = minPred_[onShort];
        shortSegment_.push_back(link);
        shortCost += c_[link];
        slope += d_[link];
        onShort = position_[network_.links[link].from];
      } else {
        const std::int32_t link = maxPred_[onLong];
        longSegment_.push_back(link);
        longCost += c_[link];
        slope += d_[link];
        room = std::min(room, bush.flow[link]);
        onLong = position_[network_.links[link].from];
      }
    } while (onShort != onLong);
    const double difference = longCost - shortCost;
    if (!(difference > 0.0) || !(room > 0.0)) return false;
    const double delta = slope > 0.0 ? std::min(room, difference / slope) : room;
    for (std::int32_t link : longSegment_) {
      // Flows left below the noise floor are dropped so they cannot pin the longest-path labels.
      removeFlow(bush, link, bush.flow[link] - delta <= flowEpsilon_ ? bush.flow[link] : delta);
    }
    for (std::int32_t link : shortSegment_) {
      bush.flow[link] += delta;
      x_[link] += delta;
      updateLink(link);
    }
    return true;
  }

  const TrafficNetwork& network_;
  const OdDemand& demand_;
  LinkCosts costs_;
  ShortestPathTree tree_;
  std::vector<int> origins_;
  std::vector<Bush> bushes_;
  std::vector<double> x_, c_, d_;
  double flowEpsilon_ = 0.0;
  std::vector<double> minLabel_, maxLabel_, nodeFlow_;
  std::vector<std::int32_t> minPred_, maxPred_, inDegree_;
  std::int32_t* position_ = nullptr;  // the bush being worked on
  std::vector<std::int32_t> shortSegment_, longSegment_;
};

}  // namespace

AssignmentResult assignUserEquilibrium(const TrafficNetwork& network, const OdDemand& demand,
                                       const AssignmentOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  AlgorithmB solver(network, demand);
  solver.initialise();
  AssignmentResult result;
  FlowEvaluation evaluation = solver.evaluate();
  // Whether `evaluation` describes the current flows, so the final evaluation need not repeat Dijkstra.
  bool evaluated = true;
  while (evaluation.relativeGap > options.targetRelativeGap && result.iterations < options.maxIterations &&
         elapsed() < options.maxSeconds) {
    // Shift only where a node's cost spread matters at the current gap; tighten as the gap closes.
    const double tolerance = std::max(std::min(evaluation.relativeGap * 1e-2, 1e-4), options.targetRelativeGap * 1e-3);
    solver.iterate(tolerance);
    ++result.iterations;
    const double lowerBound = solver.bushGap();
    if (lowerBound > options.targetRelativeGap) {
      evaluation.relativeGap = lowerBound;
      evaluated = false;
    } else {
      evaluation = solver.evaluate();
      evaluated = true;
    }
    if (options.onIteration && !options.onIteration(result.iterations, evaluation.relativeGap, elapsed())) break;
  }
  if (!evaluated) evaluation = solver.evaluate();
  result.flows = solver.flows();
  result.costs = solver.costs();
  result.tstt = evaluation.tstt;
  result.beckmann = evaluation.beckmann;
  result.relativeGap = evaluation.relativeGap;
  result.converged = evaluation.relativeGap <= options.targetRelativeGap;
  if (options.keepOriginFlows) result.originFlows = solver.originFlows();
  result.seconds = elapsed();
  return result;
}

FlowEvaluation evaluateFlows(const TrafficNetwork& network, const OdDemand& demand, const std::vector<double>& flows) {
  if (flows.size() != network.links.size()) throw Error("flow vector does not match the network's links");
  AlgorithmB evaluator(network, demand);
  return evaluator.evaluateAt(flows);
}

}  // namespace citytwin::traffic
