#pragma once

#include <cstddef>
#include <vector>

#include "citytwin/flood/domain.hpp"

namespace citytwin::flood {

// A river level read at a gauge: the water surface stands `stageM` above the ground of the gauge's cell
// (gauges report stage over their datum, which the DEM's cell under the gauge stands for).
struct ObservedLevel {
  std::size_t cell = 0;
  double stageM = 0.0;
};

// Raises `depths` so that still water stands at each observed level around its gauge: every open cell
// reachable from the gauge's cell through open 4-neighbours whose ground lies below that surface, and
// within `reachM` of the gauge, gets at least surface − ground. This is how a run forked from live
// observations starts with the river as high as it is now, rather than empty. Returns the volume added (m³).
double fillToObservedLevels(const Domain& domain, const std::vector<ObservedLevel>& levels, double reachM,
                            std::vector<double>& depths);

}  // namespace citytwin::flood
