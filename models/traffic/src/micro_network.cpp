#include "citytwin/traffic/micro_network.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace citytwin::traffic {

double SignalProgram::cycleS() const {
  double cycle = 0.0;
  for (const Phase& phase : phases) cycle += phase.durationS;
  return cycle;
}

char SignalProgram::stateAt(double t, int index) const {
  const double cycle = cycleS();
  if (phases.empty() || cycle <= 0.0) return 'O';
  double inCycle = std::fmod(t + offsetS, cycle);
  if (inCycle < 0) inCycle += cycle;
  for (const Phase& phase : phases) {
    if (inCycle < phase.durationS)
      return index >= 0 && index < static_cast<int>(phase.state.size()) ? phase.state[index] : 'O';
    inCycle -= phase.durationS;
  }
  const std::string& last = phases.back().state;
  return index >= 0 && index < static_cast<int>(last.size()) ? last[index] : 'O';
}

void MicroNetwork::finalise() {
  std::stable_sort(movements.begin(), movements.end(), [](const Movement& a, const Movement& b) {
    return std::tie(a.fromLink, a.toLink) < std::tie(b.fromLink, b.toLink);
  });
  movements.erase(std::unique(movements.begin(), movements.end(),
                              [](const Movement& a, const Movement& b) {
                                return a.fromLink == b.fromLink && a.toLink == b.toLink;
                              }),
                  movements.end());
  movementStart_.assign(links.size() + 1, 0);
  for (const Movement& m : movements) ++movementStart_[m.fromLink + 1];
  for (std::size_t i = 0; i < links.size(); ++i) movementStart_[i + 1] += movementStart_[i];
  incomingStart.assign(static_cast<std::size_t>(nodeCount) + 1, 0);
  for (const MicroLink& link : links) ++incomingStart[link.to + 1];
  for (int n = 0; n < nodeCount; ++n) incomingStart[n + 1] += incomingStart[n];
  incoming.assign(links.size(), 0);
  std::vector<std::int32_t> fill(incomingStart.begin(), incomingStart.end() - 1);
  for (std::size_t i = 0; i < links.size(); ++i) incoming[fill[links[i].to]++] = static_cast<std::int32_t>(i);
}

const Movement* MicroNetwork::movement(std::int32_t fromLink, std::int32_t toLink) const {
  const auto begin = movements.begin() + movementStart_[fromLink];
  const auto end = movements.begin() + movementStart_[fromLink + 1];
  const auto it = std::lower_bound(begin, end, toLink, [](const Movement& m, std::int32_t to) { return m.toLink < to; });
  return it != end && it->toLink == toLink ? &*it : nullptr;
}

}  // namespace citytwin::traffic
