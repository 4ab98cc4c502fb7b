#include "citytwin/energy/photovoltaics.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::energy {

double pvwattsDc(double g, double cellC, double pdc0, double gamma, double k, double refC) {
  double pdc = g * 0.001 * pdc0 * (1.0 + gamma * (cellC - refC));
  if (k > 0) {
    // Marion (2008) low-light efficiency loss, continuous at 200 W/m2 and zero at 1000 W/m2.
    const double loss = g <= 200.0 ? k * (1.0 - std::pow(1.0 - g / 200.0, 4)) : k * (1000.0 - g) / 800.0;
    pdc -= pdc0 * loss;
  }
  return pdc;
}

double pvwattsInverter(double pdc, double pdc0, double etaNominal, double etaReference) {
  if (pdc <= 0 || pdc0 <= 0) return 0.0;
  const double pac0 = etaNominal * pdc0;
  const double zeta = pdc / pdc0;
  const double eta = etaNominal / etaReference * (-0.0162 * zeta - 0.0059 / zeta + 0.9858);
  return std::clamp(eta * pdc, 0.0, pac0);
}

double pvwattsLossesPercent(const PvwattsLosses& l) {
  double kept = 1.0;
  for (double p : {l.soiling, l.shading, l.snow, l.mismatch, l.wiring, l.connections, l.lid, l.nameplate, l.age,
                   l.availability})
    kept *= 1.0 - p / 100.0;
  return 100.0 * (1.0 - kept);
}

double sapmCellTemperature(double poa, double airC, double windMs, const SapmThermal& p) {
  const double module = poa * std::exp(p.a + p.b * windMs) + airC;
  return module + poa / 1000.0 * p.deltaT;
}

double pvsystCellTemperature(double poa, double airC, double windMs, double uc, double uv, double eta, double alpha) {
  return airC + poa * alpha * (1.0 - eta) / (uc + uv * windMs);
}

}  // namespace citytwin::energy
