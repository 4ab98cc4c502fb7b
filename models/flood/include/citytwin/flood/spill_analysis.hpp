#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "citytwin/flood/domain.hpp"

namespace citytwin::flood {

// Where still water on a grid would stand if every depression filled until it spills: the
// priority-flood depression filling of Barnes, Lehman & Mulla (2014) over the 4-neighbour faces the
// solvers use, started from the cells where water leaves the grid. Blocked cells are walls.
struct SpillAnalysis {
  // Lowest water level (m) at which water on the cell can run out of the grid without rising higher;
  // NaN on blocked cells, +infinity on open cells walled in with no way out at any level.
  std::vector<double> spillLevel;
  std::size_t enclosedCells = 0;  // open cells with spillLevel = +infinity

  // spillLevel − ground: the depth of the pocket the cell sits in (0 where it drains downhill); NaN
  // on blocked cells, +infinity on enclosed ones.
  double pocketDepth(const Domain& domain, std::size_t cell) const;
  double deepestPocket(const Domain& domain) const;  // over open, not enclosed cells
};

// `outletLevel[i]` is the level water leaves at through cell i (a fixed-level sea cell), or NaN where
// the cell is no outlet. With `freeEdges`, open cells on the domain's edge are outlets at their ground.
SpillAnalysis analyseSpill(const Domain& domain, std::span<const double> outletLevel, bool freeEdges);

}  // namespace citytwin::flood
