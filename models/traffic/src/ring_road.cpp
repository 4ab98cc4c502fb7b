#include "citytwin/traffic/ring_road.hpp"

#include <algorithm>
#include <cmath>

#include "citytwin/core/error.hpp"

namespace citytwin::traffic {

RingRoadResult simulateRingRoad(const RingRoadOptions& options) {
  const int n = options.vehicles;
  if (n < 2 || options.lengthM <= n * options.idm.length) throw Error("ring road: too many vehicles for its length");
  std::vector<double> position(n), speed(n), nextPosition(n), nextSpeed(n);
  const double spacing = options.lengthM / n;
  const double startSpeed = idmEquilibriumSpeed(options.idm, 1.0 / spacing);
  for (int i = 0; i < n; ++i) {
    position[i] = spacing * (n - 1 - i);  // vehicle i-1 leads vehicle i; vehicle 0 is led by n-1
    speed[i] = startSpeed;
  }
  position[0] += options.perturbationM;
  const double dt = options.timeStep;
  const long warmup = std::lround(options.warmupSeconds / dt);
  const long total = warmup + std::lround(options.measureSeconds / dt);
  double speedSum = 0.0, stdSum = 0.0, minSpeed = 1e9, maxSpeed = 0.0;
  long samples = 0;
  for (long step = 0; step < total; ++step) {
    for (int i = 0; i < n; ++i) {
      const int leader = (i + n - 1) % n;
      double gap = position[leader] - position[i] - options.idm.length;
      if (gap < -options.idm.length) gap += options.lengthM;  // leader is past the seam
      if (gap > options.lengthM - options.idm.length) gap -= options.lengthM;
      const double a = idmAcceleration(options.idm, options.idm.desiredSpeed, speed[i], gap, speed[i] - speed[leader]);
      double v = speed[i] + a * dt;
      double advance;
      if (v < 0.0) {  // stops within the step
        advance = speed[i] > 0.0 ? -0.5 * speed[i] * speed[i] / a : 0.0;
        v = 0.0;
      } else {
        advance = 0.5 * (speed[i] + v) * dt;
      }
      nextSpeed[i] = v;
      nextPosition[i] = position[i] + advance;
    }
    position.swap(nextPosition);
    speed.swap(nextSpeed);
    if (step >= warmup) {
      double sum = 0.0, squares = 0.0;
      for (int i = 0; i < n; ++i) {
        sum += speed[i];
        squares += speed[i] * speed[i];
        minSpeed = std::min(minSpeed, speed[i]);
        maxSpeed = std::max(maxSpeed, speed[i]);
      }
      const double mean = sum / n;
      speedSum += mean;
      stdSum += std::sqrt(std::max(0.0, squares / n - mean * mean));
      ++samples;
    }
  }
  RingRoadResult result;
  result.densityPerKm = n / options.lengthM * 1000.0;
  result.meanSpeed = speedSum / samples;
  result.flowPerHour = n / options.lengthM * result.meanSpeed * 3600.0;
  result.minSpeed = minSpeed;
  result.maxSpeed = maxSpeed;
  result.speedStdDev = stdSum / samples;
  return result;
}

}  // namespace citytwin::traffic
