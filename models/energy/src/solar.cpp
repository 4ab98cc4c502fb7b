#include "citytwin/energy/solar.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace citytwin::energy {
namespace {
constexpr double kDeg = std::numbers::pi / 180.0;
}

int dayOfYear(int month, int day) {
  static constexpr int kStart[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  return kStart[std::clamp(month, 1, 12) - 1] + day;
}

SunPosition sunPosition(int doy, double hourLocal, double latitudeDeg, double longitudeDeg, double timeZoneHours) {
  const double gamma = 2.0 * std::numbers::pi / 365.0 * (doy - 1 + (hourLocal - 12.0) / 24.0);
  const double eqTimeMin = 229.18 * (0.000075 + 0.001868 * std::cos(gamma) - 0.032077 * std::sin(gamma) -
                                     0.014615 * std::cos(2 * gamma) - 0.040849 * std::sin(2 * gamma));
  const double decl = 0.006918 - 0.399912 * std::cos(gamma) + 0.070257 * std::sin(gamma) -
                      0.006758 * std::cos(2 * gamma) + 0.000907 * std::sin(2 * gamma) -
                      0.002697 * std::cos(3 * gamma) + 0.00148 * std::sin(3 * gamma);
  const double solarTimeMin = hourLocal * 60.0 + eqTimeMin + 4.0 * longitudeDeg - 60.0 * timeZoneHours;
  const double hourAngle = (solarTimeMin / 4.0 - 180.0) * kDeg;
  const double lat = latitudeDeg * kDeg;
  const double cosZenith = std::clamp(
      std::sin(lat) * std::sin(decl) + std::cos(lat) * std::cos(decl) * std::cos(hourAngle), -1.0, 1.0);
  SunPosition sun;
  sun.zenithDeg = std::acos(cosZenith) / kDeg;
  // Azimuth from north, clockwise: atan2 of the east and north components of the sun vector.
  const double east = -std::cos(decl) * std::sin(hourAngle);
  const double north = std::cos(lat) * std::sin(decl) - std::sin(lat) * std::cos(decl) * std::cos(hourAngle);
  double azimuth = std::atan2(east, north) / kDeg;
  if (azimuth < 0) azimuth += 360.0;
  sun.azimuthDeg = azimuth;
  const double b = 2.0 * std::numbers::pi * doy / 365.0;
  sun.extraterrestrialNormal = 1367.0 * (1.00011 + 0.034221 * std::cos(b) + 0.00128 * std::sin(b) +
                                         0.000719 * std::cos(2 * b) + 0.000077 * std::sin(2 * b));
  return sun;
}

double relativeAirmass(double zenithDeg) {
  if (zenithDeg >= 90.0) return std::numeric_limits<double>::infinity();
  return 1.0 / (std::cos(zenithDeg * kDeg) + 0.50572 * std::pow(96.07995 - zenithDeg, -1.6364));
}

}  // namespace citytwin::energy
