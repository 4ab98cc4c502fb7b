#pragma once

namespace citytwin::energy {

// PVWatts v5 DC power (pvlib.pvsystem.pvwatts_dc); `lowIrradianceK` > 0 applies Marion's low-light correction.
double pvwattsDc(double effectiveIrradiance, double cellTemperatureC, double pdc0, double gammaPdc,
                 double lowIrradianceK = 0.0, double referenceTemperatureC = 25.0);

// PVWatts inverter (pvlib.inverter.pvwatts): AC power from DC power, DC rating pdc0 = P_ac0 / eta_nom.
double pvwattsInverter(double pdc, double pdc0, double etaNominal = 0.96, double etaReference = 0.9637);

// PVWatts system losses in percent from the ten loss categories (defaults give 14.08 %).
struct PvwattsLosses {
  double soiling = 2, shading = 3, snow = 0, mismatch = 2, wiring = 2, connections = 0.5, lid = 1.5,
         nameplate = 1, age = 0, availability = 3;
};
double pvwattsLossesPercent(const PvwattsLosses& losses = {});

// Cell temperature (C) from plane-of-array irradiance, air temperature and wind speed.
struct SapmThermal {
  double a = -3.56, b = -0.075, deltaT = 3.0;   // open rack, glass/polymer
};
double sapmCellTemperature(double poa, double airC, double windMs, const SapmThermal& p = {});
// PVsyst: T = T_air + E * alpha * (1 - eta) / (U_c + U_v * wind).
double pvsystCellTemperature(double poa, double airC, double windMs, double uc = 29.0, double uv = 0.0,
                             double moduleEfficiency = 0.1, double alphaAbsorption = 0.9);

}  // namespace citytwin::energy
