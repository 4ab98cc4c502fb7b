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

int SignalProgram::phaseAt(double t) const {
  const double cycle = cycleS();
  if (phases.empty() || cycle <= 0.0) return -1;
  double inCycle = std::fmod(t + offsetS, cycle);
  if (inCycle < 0) inCycle += cycle;
  for (std::size_t p = 0; p < phases.size(); ++p) {
    if (inCycle < phases[p].durationS) return static_cast<int>(p);
    inCycle -= phases[p].durationS;
  }
  return static_cast<int>(phases.size()) - 1;
}

char SignalProgram::state(int phase, int index) const {
  if (phase < 0) return 'O';
  const std::string& letters = phases[static_cast<std::size_t>(phase)].state;
  return index >= 0 && index < static_cast<int>(letters.size()) ? letters[index] : 'O';
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
  if (yieldsFromPriority) deriveYieldRulesFromPriority();
  std::vector<std::pair<std::int32_t, std::int32_t>> pairs;  // (movement, foe movement)
  for (const YieldRule& rule : yieldRules) {
    const Movement* own = movement(rule.fromLink, rule.toLink);
    const Movement* foe = movement(rule.foeFromLink, rule.foeToLink);
    if (own && foe && own != foe)
      pairs.emplace_back(static_cast<std::int32_t>(own - movements.data()), static_cast<std::int32_t>(foe - movements.data()));
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  foeStart_.assign(movements.size() + 1, 0);
  foes_.clear();
  for (const auto& [own, foe] : pairs) {
    ++foeStart_[own + 1];
    foes_.push_back(foe);
  }
  for (std::size_t i = 0; i < movements.size(); ++i) foeStart_[i + 1] += foeStart_[i];
}

void MicroNetwork::deriveYieldRulesFromPriority() {
  yieldRules.clear();
  for (Movement& m : movements) {
    if (m.signal >= 0) continue;
    const int priority = links[m.fromLink].priority;
    const std::int32_t node = links[m.fromLink].to;
    m.major = true;
    for (std::int32_t k = incomingStart[node]; k < incomingStart[node + 1]; ++k) {
      const std::int32_t other = incoming[k];
      if (other == m.fromLink || links[other].priority <= priority) continue;
      for (std::int32_t f = movementStart_[other]; f < movementStart_[other + 1]; ++f) {
        yieldRules.push_back({m.fromLink, m.toLink, other, movements[f].toLink});
        m.major = false;
      }
    }
  }
}

const Movement* MicroNetwork::movement(std::int32_t fromLink, std::int32_t toLink) const {
  const auto begin = movements.begin() + movementStart_[fromLink];
  const auto end = movements.begin() + movementStart_[fromLink + 1];
  const auto it = std::lower_bound(begin, end, toLink, [](const Movement& m, std::int32_t to) { return m.toLink < to; });
  return it != end && it->toLink == toLink ? &*it : nullptr;
}

}  // namespace citytwin::traffic
