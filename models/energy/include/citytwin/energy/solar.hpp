#pragma once

namespace citytwin::energy {

// Position of the sun. Angles in degrees; azimuth is a compass bearing (0 north, 90 east).
struct SunPosition {
  double zenithDeg = 90;
  double azimuthDeg = 180;
  double extraterrestrialNormal = 1367;   // W/m2 at the top of the atmosphere, normal to the beam
};

// The sun at `dayOfYear` (1..366) and `hourLocalStandard` (decimal hours of local standard time) at a site;
// NOAA's low-precision algorithm (Spencer's Fourier series for declination and the equation of time), good to
// about 0.1 degree, enough for hourly building and PV energy.
SunPosition sunPosition(int dayOfYear, double hourLocalStandard, double latitudeDeg, double longitudeDeg,
                        double timeZoneHours);

// Relative optical air mass (Kasten and Young 1989) for a zenith angle; infinite below the horizon.
double relativeAirmass(double zenithDeg);

// Day of year (1..365) of a non-leap month/day.
int dayOfYear(int month, int day);

}  // namespace citytwin::energy
