#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace citytwin::energy {

// One hour of an EPW file; EPW hour h covers the interval [h-1, h) in local standard time.
struct WeatherHour {
  int month = 1, day = 1, hour = 1;
  double dryBulbC = 0;
  double dewPointC = 0;
  double pressurePa = 101325;
  double ghi = 0, dni = 0, dhi = 0;   // W/m2 averaged over the hour
  double horizontalInfraredWm2 = 0;
  double windSpeedMs = 0;
};

struct Weather {
  std::string source;
  std::string city;
  double latitudeDeg = 0;
  double longitudeDeg = 0;    // east positive
  double timeZoneHours = 0;   // offset of local standard time from UTC
  double elevationM = 0;
  int firstWeekday = 0;       // weekday of the first data day, 0 = Monday (EPW DATA PERIODS), for schedules
  std::vector<WeatherHour> hours;   // 8760 (or 8784) consecutive hours from 1 January 01:00
};

// Reads an EnergyPlus weather file. Throws InputError naming the line and field for a malformed LOCATION or
// data line, and Error when the file does not hold a full year of hourly data.
Weather readEpw(const std::filesystem::path& path);

// The same weather with `deltaC` added to every dry-bulb and dew-point temperature (a heat wave what-if).
Weather shiftedTemperature(const Weather& weather, double deltaC);

}  // namespace citytwin::energy
