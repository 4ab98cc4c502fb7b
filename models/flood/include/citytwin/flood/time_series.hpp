#pragma once

#include <vector>

namespace citytwin::flood {

// A value sampled at increasing times (s), interpolated linearly between samples and held constant
// before the first and after the last one — as LISFLOOD-FP reads its .bdy and rainfall files.
struct TimeSeries {
  std::vector<double> times;
  std::vector<double> values;

  bool empty() const { return times.empty(); }
  double valueAt(double t) const;
  // Integral of the series over [t0, t1] (exact for the piecewise-linear series).
  double integral(double t0, double t1) const;
  static TimeSeries constant(double value) { return {{0.0}, {value}}; }
};

}  // namespace citytwin::flood
