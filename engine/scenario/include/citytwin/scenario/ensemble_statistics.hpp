#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "citytwin/scenario/ensemble.hpp"
#include "citytwin/sim/model.hpp"

namespace citytwin::scenario {

// One final KPI over the members of one variant.
struct KpiDistribution {
  std::string model;
  std::string kpi;
  std::size_t members = 0;  // members that reported it
  double mean = 0.0;
  double std = 0.0;  // sample standard deviation (n - 1); 0 for one member
  double p5 = 0.0;   // percentiles by linear interpolation between order statistics (numpy's default)
  double p50 = 0.0;
  double p95 = 0.0;
};

// The share of a variant's members whose final KPI crosses a threshold.
struct ThresholdProbability {
  std::string expression;   // as written in the scenario
  std::size_t members = 0;  // members that reported the KPI
  std::size_t crossing = 0;
  double probability = 0.0;  // crossing / members (0 when no member reported it)
};

struct VariantDistribution {
  std::string variant;
  std::vector<KpiDistribution> kpis;             // by model, then KPI name
  std::vector<ThresholdProbability> thresholds;  // in file order
};

// The `q`-th quantile (0..1) of sorted values, interpolating linearly between order statistics.
double quantileOfSorted(const std::vector<double>& sorted, double q);

// The distribution of each final KPI over `members` (each member's KPIs by model, in member order: sums
// run in that order, so the figures do not depend on where or in which order members ran).
VariantDistribution summariseMembers(const std::string& variant,
                                     const std::vector<const std::map<std::string, sim::Kpis>*>& members,
                                     const std::vector<Threshold>& thresholds);

}  // namespace citytwin::scenario
