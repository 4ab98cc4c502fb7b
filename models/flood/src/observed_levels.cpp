#include "citytwin/flood/observed_levels.hpp"

#include <algorithm>
#include <cmath>
#include <deque>

#include "citytwin/core/error.hpp"

namespace citytwin::flood {

double fillToObservedLevels(const Domain& domain, const std::vector<ObservedLevel>& levels, double reachM,
                            std::vector<double>& depths) {
  if (depths.size() != domain.cellCount()) throw Error("depth grid does not match the flood domain");
  const double cellArea = domain.cellSize * domain.cellSize;
  double added = 0.0;
  std::vector<unsigned char> visited(domain.cellCount(), 0);
  for (const ObservedLevel& level : levels) {
    if (level.cell >= domain.cellCount() || domain.isBlocked(level.cell) || !std::isfinite(level.stageM) ||
        level.stageM <= 0.0) {
      continue;
    }
    const double surface = domain.elevation[level.cell] + level.stageM;
    const std::size_t gaugeColumn = level.cell % domain.columns;
    const std::size_t gaugeRow = level.cell / domain.columns;
    const double reachCells = reachM / domain.cellSize;
    std::fill(visited.begin(), visited.end(), 0);
    // Breadth-first from the gauge: the order never changes the result (each cell's depth depends only on
    // whether it is reached), and a queue keeps memory to the wet front.
    std::deque<std::size_t> queue{level.cell};
    visited[level.cell] = 1;
    while (!queue.empty()) {
      const std::size_t cell = queue.front();
      queue.pop_front();
      const double depth = surface - domain.elevation[cell];
      if (depth > depths[cell]) {
        added += (depth - depths[cell]) * cellArea;
        depths[cell] = depth;
      }
      const std::size_t column = cell % domain.columns;
      const std::size_t row = cell / domain.columns;
      const auto visit = [&](std::size_t c, std::size_t r) {
        const std::size_t next = r * domain.columns + c;
        if (visited[next] != 0 || domain.isBlocked(next)) return;
        visited[next] = 1;
        const double dc = static_cast<double>(c) - static_cast<double>(gaugeColumn);
        const double dr = static_cast<double>(r) - static_cast<double>(gaugeRow);
        if (std::hypot(dc, dr) > reachCells) return;
        if (!(domain.elevation[next] < surface)) return;
        queue.push_back(next);
      };
      if (column > 0) visit(column - 1, row);
      if (column + 1 < domain.columns) visit(column + 1, row);
      if (row > 0) visit(column, row - 1);
      if (row + 1 < domain.rows) visit(column, row + 1);
    }
  }
  return added;
}

}  // namespace citytwin::flood
