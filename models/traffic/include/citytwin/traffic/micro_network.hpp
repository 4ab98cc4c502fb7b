#pragma once

#include <cstdint>
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
  // The state letter of movement `index` at time t.
  char stateAt(double t, int index) const;
};

// A permitted movement from the end of one link to the start of another at their common node.
struct Movement {
  std::int32_t fromLink = 0;
  std::int32_t toLink = 0;
  std::int32_t signal = -1;        // index into MicroNetwork::signals, -1 unsignalised
  std::int32_t signalIndex = -1;   // position in that program's state strings
  double lengthM = 0.0;            // distance across the junction (SUMO's internal lane), driven at
  double speed = 0.0;              // at most this speed (0: the next link's limit)
  std::uint32_t fromLanes = 0xFFFFFFFFu;  // lanes of fromLink that may take it (bit k: lane k, 0 = rightmost)
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

  // Sorts movements and builds the per-link index; call after filling.
  void finalise();
  // The movement from `fromLink` to `toLink`, or nullptr when turning there is not allowed.
  const Movement* movement(std::int32_t fromLink, std::int32_t toLink) const;
  // Movements leaving the end of a link.
  const Movement* movementsBegin(std::int32_t fromLink) const { return movements.data() + movementStart_[fromLink]; }
  const Movement* movementsEnd(std::int32_t fromLink) const { return movements.data() + movementStart_[fromLink + 1]; }
  // Links entering each node (for right-of-way checks).
  std::vector<std::int32_t> incomingStart, incoming;

 private:
  std::vector<std::int32_t> movementStart_;
};

}  // namespace citytwin::traffic
