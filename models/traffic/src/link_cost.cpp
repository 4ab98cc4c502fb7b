#include "citytwin/traffic/link_cost.hpp"

namespace citytwin::traffic {

LinkCosts::LinkCosts(const TrafficNetwork& network) {
  const std::size_t m = network.links.size();
  fixed_.resize(m);
  coefficient_.resize(m);
  power_.resize(m);
  for (std::size_t a = 0; a < m; ++a) {
    const NetworkLink& link = network.links[a];
    fixed_[a] = link.freeFlowTime + network.tollFactor * link.toll + network.distanceFactor * link.length;
    const bool congestible = link.b != 0.0 && link.freeFlowTime != 0.0;
    coefficient_[a] = congestible ? link.freeFlowTime * link.b / std::pow(link.capacity, link.power) : 0.0;
    power_[a] = link.power;
  }
}

}  // namespace citytwin::traffic
