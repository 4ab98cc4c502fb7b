#pragma once

// Analytical solutions of the shallow-water equations used as references (formulas from
// ../shared/data/flood/PROVENANCE.md: Hunter 2005, Ritter 1892, Stoker 1957, Thacker 1981).

#include <cmath>

namespace citytwin::flood::testing {

inline constexpr double kG = 9.81;

// Ritter dry-bed dam break: depth at x and t > 0 for a dam at x0 holding h0.
inline double ritterDepth(double x, double t, double x0, double h0) {
  const double c0 = std::sqrt(kG * h0);
  const double xi = (x - x0) / t;
  if (xi <= -c0) return h0;
  if (xi >= 2 * c0) return 0.0;
  return (2 * c0 - xi) * (2 * c0 - xi) / (9 * kG);
}

struct StokerState {
  double cm = 0, hm = 0, um = 0, shockSpeed = 0;
};

// Stoker wet-bed dam break: the middle state by bisection on the characteristic polynomial.
inline StokerState stokerState(double h0, double h1) {
  const double c0 = std::sqrt(kG * h0);
  auto f = [&](double cm) {
    return -8 * kG * h1 * cm * cm * (c0 - cm) * (c0 - cm) + (cm * cm - kG * h1) * (cm * cm - kG * h1) * (cm * cm + kG * h1);
  };
  double lo = std::sqrt(kG * h1), hi = c0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if ((f(lo) < 0) == (f(mid) < 0)) lo = mid; else hi = mid;
  }
  StokerState s;
  s.cm = 0.5 * (lo + hi);
  s.hm = s.cm * s.cm / kG;
  s.um = 2 * (c0 - s.cm);
  s.shockSpeed = 2 * s.cm * s.cm * (c0 - s.cm) / (s.cm * s.cm - kG * h1);
  return s;
}

inline double stokerDepth(double x, double t, double x0, double h0, double h1) {
  const StokerState s = stokerState(h0, h1);
  const double c0 = std::sqrt(kG * h0);
  const double head = x0 - t * c0;
  const double tail = x0 + t * (2 * c0 - 3 * s.cm);
  const double shock = x0 + t * s.shockSpeed;
  if (x <= head) return h0;
  if (x <= tail) {
    const double xi = (x - x0) / t;
    return (2 * c0 - xi) * (2 * c0 - xi) / (9 * kG);
  }
  if (x <= shock) return s.hm;
  return h1;
}

// Thacker's planar surface in a paraboloid (SWASHES parameters a = 1, h0 = 0.1, eta = 0.5).
struct Thacker {
  double a = 1.0, h0 = 0.1, eta = 0.5;
  double omega() const { return std::sqrt(2 * kG * h0) / a; }
  double bed(double x, double y) const { return -h0 * (1 - (x * x + y * y) / (a * a)); }
  double depth(double x, double y, double t) const {
    const double w = omega();
    const double h = eta * h0 / (a * a) * (2 * x * std::cos(w * t) + 2 * y * std::sin(w * t) - eta) - bed(x, y);
    return h > 0 ? h : 0.0;
  }
  double u(double t) const { return -eta * omega() * std::sin(omega() * t); }
  double v(double t) const { return eta * omega() * std::cos(omega() * t); }
};

// Hunter et al. (2005) travelling wave on a flat plane.
inline double hunterDepth(double x, double t, double n, double u) {
  const double s = u * t - x;
  return s > 0 ? std::pow(7.0 / 3.0 * n * n * u * u * s, 3.0 / 7.0) : 0.0;
}

}  // namespace citytwin::flood::testing
