#include "citytwin/traffic/strong_components.hpp"

#include <algorithm>
#include <utility>

namespace citytwin::traffic {

// Tarjan's algorithm with an explicit stack (street networks are deep enough to overflow recursion).
std::vector<std::uint8_t> largestStronglyConnectedLinks(const MicroNetwork& network) {
  const auto m = static_cast<std::int32_t>(network.links.size());
  std::vector<std::int32_t> index(m, -1), low(m, 0), component(m, -1);
  std::vector<std::uint8_t> onStack(m, 0);
  std::vector<std::int32_t> stack;
  std::vector<std::pair<std::int32_t, const Movement*>> calls;  // link and its next movement to explore
  std::vector<std::int32_t> sizes;
  std::int32_t counter = 0;
  for (std::int32_t root = 0; root < m; ++root) {
    if (index[root] >= 0 || network.links[root].closed) continue;
    calls.emplace_back(root, network.movementsBegin(root));
    index[root] = low[root] = counter++;
    stack.push_back(root);
    onStack[root] = 1;
    while (!calls.empty()) {
      auto& [link, next] = calls.back();
      const Movement* end = network.movementsEnd(link);
      while (next != end && network.links[next->toLink].closed) ++next;
      if (next != end) {
        const std::int32_t to = next->toLink;
        ++next;
        if (index[to] < 0) {
          index[to] = low[to] = counter++;
          stack.push_back(to);
          onStack[to] = 1;
          calls.emplace_back(to, network.movementsBegin(to));
        } else if (onStack[to]) {
          low[link] = std::min(low[link], index[to]);
        }
        continue;
      }
      const std::int32_t done = link;
      calls.pop_back();
      if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[done]);
      if (low[done] != index[done]) continue;
      const auto id = static_cast<std::int32_t>(sizes.size());
      sizes.push_back(0);
      std::int32_t member;
      do {
        member = stack.back();
        stack.pop_back();
        onStack[member] = 0;
        component[member] = id;
        ++sizes.back();
      } while (member != done);
    }
  }
  std::vector<std::uint8_t> mask(m, 0);
  if (sizes.empty()) return mask;
  // The largest component; on a tie the one of the lowest link index (components are found in that order
  // of their first link only loosely, so compare explicitly).
  std::int32_t best = -1;
  for (std::int32_t l = 0; l < m; ++l) {
    const std::int32_t c = component[l];
    if (c < 0) continue;
    if (best < 0 || sizes[c] > sizes[best]) best = c;
  }
  for (std::int32_t l = 0; l < m; ++l) mask[l] = component[l] == best ? 1 : 0;
  return mask;
}

}  // namespace citytwin::traffic
