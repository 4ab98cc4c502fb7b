#include "citytwin/energy/ac_network.hpp"

#include <cmath>
#include <numbers>
#include <unordered_map>

namespace citytwin::energy {

CaseNetwork buildCaseNetwork(const PowerCase& pc) {
  CaseNetwork out;
  AcNetwork& net = out.network;
  net.baseMva = pc.baseMva;
  std::unordered_map<int, int> indexOfId;
  out.busIndexOfCaseRow.assign(pc.buses.size(), -1);
  for (std::size_t i = 0; i < pc.buses.size(); ++i) {
    const CaseBus& bus = pc.buses[i];
    if (bus.type == BusType::Isolated) continue;
    const int index = static_cast<int>(net.roles.size());
    indexOfId[bus.id] = index;
    out.busIndexOfCaseRow[i] = index;
    net.roles.push_back(bus.type == BusType::Reference ? BusRole::Reference
                        : bus.type == BusType::PV     ? BusRole::PV
                                                      : BusRole::PQ);
    net.shunt.emplace_back(bus.gsMw / pc.baseMva, bus.bsMvar / pc.baseMva);
    net.injection.emplace_back(-bus.pdMw / pc.baseMva, -bus.qdMvar / pc.baseMva);
    net.voltage.push_back(std::polar(bus.vm, bus.vaDeg * std::numbers::pi / 180.0));
  }
  std::vector<bool> hasGenerator(net.roles.size(), false);
  for (const CaseGenerator& gen : pc.generators) {
    const auto it = indexOfId.find(gen.bus);
    if (!gen.inService || it == indexOfId.end()) continue;
    const int b = it->second;
    net.injection[b] += Complex(gen.pgMw / pc.baseMva, gen.qgMvar / pc.baseMva);
    hasGenerator[b] = true;
  }
  // A voltage-controlled bus needs a generator in service (MATPOWER's bustypes); the set point of the
  // generator fixes the starting magnitude.
  bool haveReference = false;
  for (std::size_t b = 0; b < net.roles.size(); ++b) {
    if (net.roles[b] != BusRole::PQ && !hasGenerator[b]) net.roles[b] = BusRole::PQ;
    if (net.roles[b] == BusRole::Reference) haveReference = true;
  }
  if (!haveReference)
    for (std::size_t b = 0; b < net.roles.size(); ++b)
      if (net.roles[b] == BusRole::PV) {
        net.roles[b] = BusRole::Reference;
        break;
      }
  for (const CaseGenerator& gen : pc.generators) {
    const auto it = indexOfId.find(gen.bus);
    if (!gen.inService || it == indexOfId.end()) continue;
    const int b = it->second;
    if (net.roles[b] != BusRole::PQ) net.voltage[b] = gen.vgSetpoint * net.voltage[b] / std::abs(net.voltage[b]);
  }
  for (const CaseBranch& br : pc.branches) {
    if (!br.inService) continue;
    const auto f = indexOfId.find(br.from);
    const auto t = indexOfId.find(br.to);
    if (f == indexOfId.end() || t == indexOfId.end()) continue;
    net.branches.push_back({f->second, t->second, br.r, br.x, br.b, br.ratio == 0 ? 1.0 : br.ratio, br.shiftDeg});
  }
  return out;
}

namespace {
Complex complexTap(const AcBranch& br) { return std::polar(br.ratio, br.shiftDeg * std::numbers::pi / 180.0); }
}  // namespace

Complex branchSeriesCurrent(const AcBranch& br, const std::vector<Complex>& v) {
  return (v[br.from] / complexTap(br) - v[br.to]) / Complex(br.r, br.x);
}

double seriesLossesMw(const AcNetwork& net, const std::vector<Complex>& v) {
  double total = 0;
  for (const AcBranch& br : net.branches) {
    const Complex drop = v[br.from] / complexTap(br) - v[br.to];
    total += (std::norm(drop) / Complex(br.r, -br.x)).real();
  }
  return total * net.baseMva;
}

}  // namespace citytwin::energy
