#include "citytwin/scenario/ensemble_statistics.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::scenario {

double quantileOfSorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0.0;
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

VariantDistribution summariseMembers(const std::string& variant,
                                     const std::vector<const std::map<std::string, sim::Kpis>*>& members,
                                     const std::vector<Threshold>& thresholds) {
  VariantDistribution result;
  result.variant = variant;
  std::map<std::pair<std::string, std::string>, std::vector<double>> values;  // in member order
  for (const auto* member : members) {
    for (const auto& [model, kpis] : *member) {
      for (const auto& [kpi, value] : kpis) values[{model, kpi}].push_back(value);
    }
  }
  for (const auto& [key, series] : values) {
    KpiDistribution distribution;
    distribution.model = key.first;
    distribution.kpi = key.second;
    distribution.members = series.size();
    double sum = 0.0;
    for (const double value : series) sum += value;
    distribution.mean = sum / static_cast<double>(series.size());
    double squares = 0.0;
    for (const double value : series) squares += (value - distribution.mean) * (value - distribution.mean);
    distribution.std = series.size() > 1 ? std::sqrt(squares / static_cast<double>(series.size() - 1)) : 0.0;
    std::vector<double> sorted = series;
    std::sort(sorted.begin(), sorted.end());
    distribution.p5 = quantileOfSorted(sorted, 0.05);
    distribution.p50 = quantileOfSorted(sorted, 0.50);
    distribution.p95 = quantileOfSorted(sorted, 0.95);
    result.kpis.push_back(distribution);
  }
  for (const Threshold& threshold : thresholds) {
    ThresholdProbability probability;
    probability.expression = threshold.text;
    const auto found = values.find({threshold.model, threshold.kpi});
    if (found != values.end()) {
      probability.members = found->second.size();
      for (const double value : found->second) probability.crossing += threshold.crossedBy(value) ? 1 : 0;
      probability.probability =
          static_cast<double>(probability.crossing) / static_cast<double>(probability.members);
    }
    result.thresholds.push_back(probability);
  }
  return result;
}

}  // namespace citytwin::scenario
