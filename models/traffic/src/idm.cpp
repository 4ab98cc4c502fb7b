#include "citytwin/traffic/idm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::traffic {

namespace {
double powerOf(double x, double exponent) { return exponent == 4.0 ? (x * x) * (x * x) : std::pow(x, exponent); }
}  // namespace

double idmAcceleration(const IdmParameters& p, double desiredSpeed, double speed, double gap, double approachRate) {
  const double free = 1.0 - powerOf(speed / desiredSpeed, p.exponent);
  if (!(gap < std::numeric_limits<double>::infinity())) return p.acceleration * free;
  const double desiredGap = p.minimumGap + std::max(0.0, speed * p.timeHeadway + speed * approachRate /
                                                             (2.0 * std::sqrt(p.acceleration * p.comfortableDeceleration)));
  const double ratio = desiredGap / std::max(gap, 0.01);
  return p.acceleration * (free - ratio * ratio);
}

double idmEquilibriumGap(const IdmParameters& p, double speed) {
  const double free = 1.0 - powerOf(speed / p.desiredSpeed, p.exponent);
  if (free <= 0.0) return std::numeric_limits<double>::infinity();
  return (p.minimumGap + speed * p.timeHeadway) / std::sqrt(free);
}

double idmEquilibriumSpeed(const IdmParameters& p, double densityPerMetre) {
  const double gap = 1.0 / densityPerMetre - p.length;
  if (gap <= p.minimumGap) return 0.0;
  double low = 0.0, high = p.desiredSpeed;
  for (int i = 0; i < 200; ++i) {  // s(v) increases with v
    const double mid = 0.5 * (low + high);
    (idmEquilibriumGap(p, mid) < gap ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

double idmEquilibriumFlow(const IdmParameters& p, double densityPerMetre) {
  return densityPerMetre * idmEquilibriumSpeed(p, densityPerMetre);
}

IdmCapacity idmCapacity(const IdmParameters& p) {
  // Flow as a function of speed, v / (s(v) + length), is unimodal: golden-section search.
  auto flowAt = [&](double v) { return v / (idmEquilibriumGap(p, v) + p.length); };
  double low = 0.0, high = p.desiredSpeed * (1.0 - 1e-9);
  const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
  for (int i = 0; i < 200; ++i) {
    const double a = high - ratio * (high - low), b = low + ratio * (high - low);
    (flowAt(a) < flowAt(b) ? low : high) = (flowAt(a) < flowAt(b) ? a : b);
  }
  IdmCapacity capacity;
  capacity.speed = 0.5 * (low + high);
  capacity.flowPerSecond = flowAt(capacity.speed);
  capacity.densityPerMetre = 1.0 / (idmEquilibriumGap(p, capacity.speed) + p.length);
  return capacity;
}

}  // namespace citytwin::traffic
