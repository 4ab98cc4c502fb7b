#include "citytwin/flood/time_series.hpp"

#include <algorithm>

namespace citytwin::flood {

namespace {

// Value just after t (after a step of two samples at the same time) or just before it.
double sampleAt(const TimeSeries& s, double t, bool justBefore) {
  if (s.times.empty()) return 0.0;
  const auto it = justBefore ? std::lower_bound(s.times.begin(), s.times.end(), t) : std::upper_bound(s.times.begin(), s.times.end(), t);
  const std::size_t i = static_cast<std::size_t>(it - s.times.begin());
  if (i == 0) return s.values.front();
  if (i == s.times.size()) return s.values.back();
  const double t0 = s.times[i - 1], t1 = s.times[i];
  const double f = t1 > t0 ? (t - t0) / (t1 - t0) : 1.0;
  return s.values[i - 1] + f * (s.values[i] - s.values[i - 1]);
}

}  // namespace

double TimeSeries::valueAt(double t) const { return sampleAt(*this, t, false); }

double TimeSeries::integral(double t0, double t1) const {
  if (times.empty() || !(t1 > t0)) return 0.0;
  // Trapezoids between t0, every sample time inside (t0, t1), and t1: exact for piecewise-linear data.
  double total = 0.0;
  double previousT = t0, previousV = valueAt(t0);
  auto it = std::upper_bound(times.begin(), times.end(), t0);
  for (; it != times.end() && *it < t1; ++it) {
    const double v = values[static_cast<std::size_t>(it - times.begin())];
    total += 0.5 * (previousV + v) * (*it - previousT);
    previousT = *it;
    previousV = v;
  }
  total += 0.5 * (previousV + sampleAt(*this, t1, true)) * (t1 - previousT);
  return total;
}

}  // namespace citytwin::flood
