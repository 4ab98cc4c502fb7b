#pragma once

#include <cmath>
#include <vector>

#include "citytwin/traffic/network.hpp"

namespace citytwin::traffic {

// The BPR generalized cost of every link in the form cost(v) = fixed + coefficient * v^power, with
// fixed = t0 + tollFactor*toll + distanceFactor*length and coefficient = t0*b/capacity^power, so the
// solver's inner loop evaluates one power per link.
class LinkCosts {
 public:
  explicit LinkCosts(const TrafficNetwork& network);

  double cost(int link, double flow) const {
    return fixed_[link] + coefficient_[link] * powerOf(link, flow);
  }
  // d cost / d flow.
  double derivative(int link, double flow) const {
    const double p = power_[link];
    if (coefficient_[link] == 0.0 || p == 0.0) return 0.0;
    if (p == 1.0) return coefficient_[link];
    if (flow <= 0.0) return 0.0;
    if (p == 4.0) return 4.0 * coefficient_[link] * flow * flow * flow;
    return p * coefficient_[link] * std::pow(flow, p - 1.0);
  }
  // Cost and derivative together: the solver needs both after every flow change, and for non-integer
  // powers one std::pow serves both (flow^power = flow^(power-1) * flow).
  void evaluate(int link, double flow, double& cost, double& derivative) const {
    const double p = power_[link];
    const double coefficient = coefficient_[link];
    if (coefficient == 0.0 || p == 0.0 || p == 1.0 || p == 4.0 || flow <= 0.0) {
      cost = this->cost(link, flow);
      derivative = this->derivative(link, flow);
      return;
    }
    const double below = std::pow(flow, p - 1.0);
    cost = fixed_[link] + coefficient * (below * flow);
    derivative = p * coefficient * below;
  }
  // Integral of the cost from 0 to flow (the link's share of the Beckmann objective).
  double integral(int link, double flow) const {
    return fixed_[link] * flow + coefficient_[link] * powerOf(link, flow) * flow / (power_[link] + 1.0);
  }
  // Whether the cost depends on flow at all.
  bool flowDependent(int link) const { return coefficient_[link] != 0.0; }

 private:
  double powerOf(int link, double flow) const {
    const double p = power_[link];
    if (p == 4.0) {
      const double f2 = flow * flow;
      return f2 * f2;
    }
    if (p == 1.0) return flow;
    if (p == 0.0) return 1.0;
    return flow <= 0.0 ? 0.0 : std::pow(flow, p);
  }

  std::vector<double> fixed_;
  std::vector<double> coefficient_;
  std::vector<double> power_;
};

}  // namespace citytwin::traffic
