#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace citytwin::traffic {

// A fixed-time signal program: phases of a duration and one state letter per controlled movement
// (SUMO's convention: 'G'/'g' go, 'y' amber, 'r' stop, 'O' off/go).
struct SignalProgram {
  struct Phase {
    double durationS = 30.0;
    std::string state;
  };
  std::vector<Phase> phases;
  double offsetS = 0.0;
  double cycleS() const;
  // The phase shown at time t (-1: no program).
  int phaseAt(double t) const;
  // The state letter of movement `index` in `phase` ('O' for no phase or an index past the state string).
  char state(int phase, int index) const;
};

// A permitted movement from the end of one link to the start of another at their common node.
struct Movement {
  std::int32_t fromLink = 0;
  std::int32_t toLink = 0;
  std::int32_t signal = -1;        // index into MicroNetwork::signals, -1 unsignalised
  std::int32_t signalIndex = -1;   // position in that program's state strings
  double lengthM = 0.0;            // distance across the junction (SUMO's internal lanes), driven at
  double speed = 0.0;              // at most this speed (0: the next link's limit)
  // Where a vehicle that must give way waits: this far into the junction (a turn that crosses oncoming
  // traffic waits in the middle, SUMO's internal junction), or at the stop line when 0.
  double waitM = 0.0;
  // Unsignalised: it has right of way. A minor movement gives way to its foes (MicroNetwork::foes).
  bool major = true;
  std::uint32_t fromLanes = 0xFFFFFFFFu;  // lanes of fromLink that may take it (bit k: lane k, 0 = rightmost)
  std::uint32_t toLanes = 0xFFFFFFFFu;    // lanes of toLink it arrives in
  // The lane of toLink a vehicle from lane k of fromLink arrives in (SUMO's fromLane -> toLane), -1: any of
  // toLanes.
  std::array<std::int8_t, 8> arrivalLane{-1, -1, -1, -1, -1, -1, -1, -1};
  // The lanes of toLink a vehicle from lane `fromLane` may arrive in (bit k: lane k).
  std::uint32_t arrivalLanes(int fromLane) const {
    if (fromLane >= 0 && fromLane < static_cast<int>(arrivalLane.size()) && arrivalLane[fromLane] >= 0)
      return 1u << arrivalLane[fromLane];
    return toLanes;
  }
};

// The movement (fromLink, toLink) gives way to the movement (foeFromLink, foeToLink) at their node.
struct YieldRule {
  std::int32_t fromLink = 0, toLink = 0;
  std::int32_t foeFromLink = 0, foeToLink = 0;
};

struct MicroLink {
  std::string id;
  std::int32_t from = 0;  // node indices
  std::int32_t to = 0;
  double lengthM = 100.0;
  double speedLimit = 13.89;  // m/s
  int lanes = 1;
  int priority = 0;           // right of way at unsignalised nodes: higher goes first
  bool closed = false;
};

// The road network the microsimulation drives on.
struct MicroNetwork {
  int nodeCount = 0;
  std::vector<MicroLink> links;
  std::vector<Movement> movements;  // sorted by (fromLink, toLink) after finalise()
  std::vector<SignalProgram> signals;
  // Who gives way to whom (SUMO's junction requests). Where a network has none, finalise() derives them
  // from link priority: at an unsignalised node a movement gives way to every movement from an approach of
  // higher priority, and is minor when there is one.
  std::vector<YieldRule> yieldRules;
  bool yieldsFromPriority = true;

  // Sorts movements and builds the per-link index; call after filling.
  void finalise();
  // The movement from `fromLink` to `toLink`, or nullptr when turning there is not allowed.
  const Movement* movement(std::int32_t fromLink, std::int32_t toLink) const;
  // Movements leaving the end of a link.
  const Movement* movementsBegin(std::int32_t fromLink) const { return movements.data() + movementStart_[fromLink]; }
  const Movement* movementsEnd(std::int32_t fromLink) const { return movements.data() + movementStart_[fromLink + 1]; }
  // Indices (into `movements`) of the movements `m` gives way to when it is minor.
  std::span<const std::int32_t> foes(const Movement& m) const {
    const auto index = static_cast<std::size_t>(&m - movements.data());
    return {foes_.data() + foeStart_[index], foes_.data() + foeStart_[index + 1]};
  }
  // Links entering each node.
  std::vector<std::int32_t> incomingStart, incoming;

 private:
  void deriveYieldRulesFromPriority();
  std::vector<std::int32_t> movementStart_;
  std::vector<std::int32_t> foeStart_, foes_;
};

}  // namespace citytwin::traffic
