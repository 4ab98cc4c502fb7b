#pragma once

#include <cmath>
#include <filesystem>
#include <fstream>

#include "citytwin/energy/irradiance.hpp"
#include "citytwin/energy/solar.hpp"

// A year of made-up weather at 48 N, 11 E as an EPW file: a seasonal and daily temperature wave and clear-sky
// irradiance (Ineichen, Linke turbidity 3), so model tests need no reference data.
inline std::filesystem::path writeSyntheticEpw(const std::filesystem::path& path, double meanC = 10.0) {
  std::ofstream out(path);
  out << "LOCATION,Testville,,,synthetic,0,48.0,11.0,1.0,500.0\n";
  out << "DESIGN CONDITIONS,0\nTYPICAL/EXTREME PERIODS,0\nGROUND TEMPERATURES,0\nHOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0\n";
  out << "COMMENTS 1,synthetic\nCOMMENTS 2,synthetic\nDATA PERIODS,1,1,Data,Monday, 1/ 1,12/31\n";
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int doy = 0;
  for (int month = 1; month <= 12; ++month)
    for (int day = 1; day <= kDays[month - 1]; ++day) {
      ++doy;
      for (int hour = 1; hour <= 24; ++hour) {
        const double t = meanC - 10.0 * std::cos(2 * M_PI * (doy - 15) / 365.0) - 4.0 * std::cos(2 * M_PI * (hour - 4) / 24.0);
        const auto sun = citytwin::energy::sunPosition(doy, hour - 0.5, 48.0, 11.0, 1.0);
        const double am = citytwin::energy::relativeAirmass(sun.zenithDeg);
        const auto sky = sun.zenithDeg < 89 ? citytwin::energy::ineichenClearSky(sun.zenithDeg, am, 3.0, 500.0)
                                            : citytwin::energy::ClearSky{};
        out << "2001," << month << ',' << day << ',' << hour << ",0,flags," << t << ',' << t - 5 << ",70,95000,0,0,300,"
            << sky.ghi << ',' << sky.dni << ',' << sky.dhi << ",0,0,0,0,180," << 3.0 << ",5,5,20000,99999,9,999999999,0\n";
      }
    }
  return path;
}
