#include "citytwin/flood/spill_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <utility>

#include "citytwin/core/error.hpp"

namespace citytwin::flood {

double SpillAnalysis::pocketDepth(const Domain& domain, std::size_t cell) const {
  return spillLevel[cell] - domain.elevation[cell];
}

double SpillAnalysis::deepestPocket(const Domain& domain) const {
  double deepest = 0.0;
  for (std::size_t i = 0; i < spillLevel.size(); ++i)
    if (std::isfinite(spillLevel[i])) deepest = std::max(deepest, pocketDepth(domain, i));
  return deepest;
}

SpillAnalysis analyseSpill(const Domain& d, std::span<const double> outletLevel, bool freeEdges) {
  const std::size_t n = d.cellCount();
  if (!outletLevel.empty() && outletLevel.size() != n)
    throw Error("spill analysis: outlet levels for " + std::to_string(outletLevel.size()) +
                " cells, grid has " + std::to_string(n));
  SpillAnalysis result;
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  result.spillLevel.assign(n, kInfinity);
  // (level, cell): ties go to the lower cell index, so the result does not depend on insertion order.
  using Entry = std::pair<double, std::size_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> open;
  std::vector<unsigned char> done(n, 0);
  auto seed = [&](std::size_t i, double level) {
    if (d.isBlocked(i)) return;
    level = std::max(level, d.elevation[i]);
    if (level < result.spillLevel[i]) {
      result.spillLevel[i] = level;
      open.push({level, i});
    }
  };
  for (std::size_t i = 0; i < outletLevel.size(); ++i)
    if (!std::isnan(outletLevel[i])) seed(i, outletLevel[i]);
  if (freeEdges)
    for (std::size_t r = 0; r < d.rows; ++r)
      for (std::size_t c = 0; c < d.columns; ++c)
        if (r == 0 || c == 0 || r + 1 == d.rows || c + 1 == d.columns)
          seed(r * d.columns + c, d.elevation[r * d.columns + c]);
  while (!open.empty()) {
    // Plain names rather than a structured binding: the lambda below captures them, which clang 14 refuses.
    const double level = open.top().first;
    const std::size_t i = open.top().second;
    open.pop();
    if (done[i]) continue;
    done[i] = 1;
    const std::size_t r = i / d.columns, c = i % d.columns;
    auto visit = [&](std::size_t j) {
      if (done[j] || d.isBlocked(j)) return;
      const double reached = std::max(level, d.elevation[j]);
      if (reached < result.spillLevel[j]) {
        result.spillLevel[j] = reached;
        open.push({reached, j});
      }
    };
    if (c > 0) visit(i - 1);
    if (c + 1 < d.columns) visit(i + 1);
    if (r > 0) visit(i - d.columns);
    if (r + 1 < d.rows) visit(i + d.columns);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (d.isBlocked(i))
      result.spillLevel[i] = std::numeric_limits<double>::quiet_NaN();
    else if (result.spillLevel[i] == kInfinity)
      ++result.enclosedCells;
  }
  return result;
}

}  // namespace citytwin::flood
