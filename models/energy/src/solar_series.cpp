#include "citytwin/energy/solar_series.hpp"

#include <algorithm>
#include <cmath>

#include "citytwin/energy/solar.hpp"

namespace citytwin::energy {

std::vector<SkyState> skyStates(const Weather& weather) {
  std::vector<SkyState> out;
  out.reserve(weather.hours.size());
  for (std::size_t i = 0; i < weather.hours.size(); ++i) {
    const WeatherHour& h = weather.hours[i];
    // Consecutive hours from 1 January: the day index comes from the position, so leap-year files and
    // files with a February 29 both work.
    const int doy = static_cast<int>(i / 24) + 1;
    const SunPosition sun =
        sunPosition(std::min(doy, 366), h.hour - 0.5, weather.latitudeDeg, weather.longitudeDeg, weather.timeZoneHours);
    SkyState s;
    s.zenithDeg = sun.zenithDeg;
    s.sunAzimuthDeg = sun.azimuthDeg;
    s.ghi = h.ghi;
    s.dni = sun.zenithDeg < 90.0 ? h.dni : 0.0;
    s.dhi = h.dhi;
    s.dniExtra = sun.extraterrestrialNormal;
    s.airmass = relativeAirmass(sun.zenithDeg);
    out.push_back(s);
  }
  return out;
}

double incidenceFactor(const std::vector<double>& a, double c) {
  if (c <= 0) return 0.0;
  // Horner's rule for a_0 + a_1 theta + a_2 theta^2 + ... with theta the incidence angle in radians (the form
  // of the Modelica Buildings ISO 13790 glazing model, whose BESTEST coefficients give 1 at normal incidence
  // and about 0 at grazing incidence).
  const double theta = std::acos(std::min(c, 1.0));
  double value = 0;
  for (auto it = a.rbegin(); it != a.rend(); ++it) value = value * theta + *it;
  return std::clamp(value, 0.0, 1.0);
}

double heatPumpCop(double outdoorC, double supplyC, double eta) {
  const double lift = std::max(supplyC - outdoorC, 5.0);
  return std::clamp(eta * (supplyC + 273.15) / lift, 1.0, 7.0);
}

}  // namespace citytwin::energy
