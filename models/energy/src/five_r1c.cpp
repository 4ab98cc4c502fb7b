#include "citytwin/energy/five_r1c.hpp"

#include <algorithm>
#include <cmath>

#include "citytwin/core/error.hpp"

namespace citytwin::energy {

double massToOutdoorConductance(double hOpaque, double hSurfaceMass) {
  if (hOpaque <= 0) return 0.0;
  if (hOpaque >= hSurfaceMass) throw Error("5R1C: opaque conductance must be below the surface-mass conductance");
  return 1.0 / (1.0 / hOpaque - 1.0 / hSurfaceMass);
}

FiveR1CZone::FiveR1CZone(const FiveR1CParameters& p, double stepSeconds) : p_(p), dt_(stepSeconds) {
  if (!(p.hVentilation > 0) || !(p.hAirSurface > 0) || !(p.hSurfaceMass > 0) || !(p.capacity > 0) ||
      !(p.totalArea > 0))
    throw Error("5R1C: ventilation, air-surface and surface-mass conductances, capacity and area must be positive");
  h1_ = 1.0 / (1.0 / p.hVentilation + 1.0 / p.hAirSurface);
  h2_ = h1_ + p.hWindow;
  h3_ = 1.0 / (1.0 / h2_ + 1.0 / p.hSurfaceMass);
  const auto probe = [&](double m, double e, double s, double i, double sol, double hvac) {
    return step(m, ZoneInputs{e, s, i, sol}, hvac);
  };
  const ZoneStep zero = probe(0, 0, 0, 0, 0, 0);
  const ZoneStep pm = probe(1, 0, 0, 0, 0, 0), pe = probe(0, 1, 0, 0, 0, 0), ps = probe(0, 0, 1, 0, 0, 0),
                 pi = probe(0, 0, 0, 1, 0, 0), psol = probe(0, 0, 0, 0, 1, 0), ph = probe(0, 0, 0, 0, 0, 1);
  air_ = {pm.airC - zero.airC, pe.airC - zero.airC, ps.airC - zero.airC,
          pi.airC - zero.airC, psol.airC - zero.airC, ph.airC - zero.airC};
  mass_ = {pm.massEndC - zero.massEndC, pe.massEndC - zero.massEndC, ps.massEndC - zero.massEndC,
           pi.massEndC - zero.massEndC, psol.massEndC - zero.massEndC, ph.massEndC - zero.massEndC};
}

ZoneStep FiveR1CZone::step(double massStartC, const ZoneInputs& in, double hvacW) const {
  // Gains split over the three nodes (ISO 13790 C.1): half the internal gains to the air, the rest and the solar
  // gains between surface and mass in proportion to their areas.
  const double phiIa = 0.5 * in.internalW;
  const double radiant = 0.5 * in.internalW + in.solarW;
  const double phiM = p_.massArea / p_.totalArea * radiant;
  const double phiSt = (1.0 - p_.massArea / p_.totalArea - p_.hWindow / (9.1 * p_.totalArea)) * radiant;
  const double phiMTot = phiM + p_.hMassOutdoor * in.outdoorC +
                         h3_ * (phiSt + p_.hWindow * in.outdoorC + h1_ * ((phiIa + hvacW) / p_.hVentilation + in.supplyC)) / h2_;
  const double c = p_.capacity / dt_;
  const double hSum = 0.5 * (h3_ + p_.hMassOutdoor);
  ZoneStep out;
  out.hvacW = hvacW;
  out.massEndC = (massStartC * (c - hSum) + phiMTot) / (c + hSum);
  out.meanMassC = 0.5 * (out.massEndC + massStartC);
  out.surfaceC = (p_.hSurfaceMass * out.meanMassC + phiSt + p_.hWindow * in.outdoorC +
                  h1_ * (in.supplyC + (phiIa + hvacW) / p_.hVentilation)) /
                 (p_.hSurfaceMass + p_.hWindow + h1_);
  out.airC = (p_.hAirSurface * out.surfaceC + p_.hVentilation * in.supplyC + phiIa + hvacW) /
             (p_.hAirSurface + p_.hVentilation);
  return out;
}

ZoneStep FiveR1CZone::controlledStep(double massStartC, const ZoneInputs& in, const ZoneControl& control) const {
  const ZoneStep free = step(massStartC, in, 0.0);
  double power = 0.0;
  if (free.airC < control.heatingSetpointC)
    power = std::min((control.heatingSetpointC - free.airC) / air_.hvac, control.maxHeatingW);
  else if (free.airC > control.coolingSetpointC)
    power = -std::min((free.airC - control.coolingSetpointC) / air_.hvac, control.maxCoolingW);
  if (power == 0.0) return free;
  return step(massStartC, in, power);
}

}  // namespace citytwin::energy
