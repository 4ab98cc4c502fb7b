#pragma once

#include <cstddef>
#include <cstdint>

#include "citytwin/energy/irradiance.hpp"
#include "citytwin/energy/weather.hpp"

namespace citytwin::energy {

// A made-up but plausible weather year for a site without a weather file. Defaults: the generated sample town
// (45.15 N, 9.0 E, Po valley climate).
struct SyntheticWeatherOptions {
  double latitudeDeg = 45.15;
  double longitudeDeg = 9.0;            // east positive
  double elevationM = 100.0;
  double timeZoneHours = 1.0;           // local standard time offset from UTC
  double meanTemperatureC = 12.5;       // annual mean dry-bulb temperature
  double seasonalAmplitudeC = 10.0;     // half the difference between the warmest and coldest daily means
  double dailyAmplitudeC = 5.0;         // half the clear-day range between night minimum and afternoon maximum
  double temperatureNoiseC = 2.5;       // standard deviation of the day-to-day anomaly
  double meanCloudiness = 0.4;          // average cloud cover fraction in [0, 1]
  double linkeTurbidity = 3.0;          // clear-sky turbidity for the Ineichen-Perez model
  double relativeHumidity = 0.65;       // in (0, 1]
  double windSpeedMs = 2.5;             // mean 10 m wind speed
  int firstWeekday = 0;                 // weekday of 1 January, 0 = Monday
  std::uint64_t seed = 1;
};

// 8760 hours from 1 January 01:00 (non-leap), in the layout of readEpw's result. Deterministic: the same options
// give bit-identical hours. Temperature = annual mean + seasonal cosine (coldest mid-January in the northern
// hemisphere, mid-July in the southern) + daily cosine (warmest at 15:00 local) scaled by the day's clear fraction
// + a smooth seeded anomaly (an AR(1) series of daily values, cosine-interpolated, warmer under clear skies),
// with the anomaly's yearly mean removed so the annual mean equals the option. Sun: NOAA position at mid-hour,
// Ineichen-Perez clear sky reduced by a smooth seeded cloud cover N (Kasten-Czeplak: GHI = GHI_clear (1 - 0.75
// N^3.4), DNI = DNI_clear (1 - N), DHI = GHI - DNI cos z, so DHI >= 0 and the three components close exactly).
// Dew point from the constant relative humidity (Magnus), sky infrared from the Clark-Allen emissivity with
// its cloud correction (as EnergyPlus computes it), wind a smooth seeded series around the mean.
Weather syntheticWeather(const SyntheticWeatherOptions& options);

// The clear sky that syntheticWeather attenuates at an hour (0-based from 1 January 00:00; sun at mid-hour).
ClearSky syntheticClearSky(const SyntheticWeatherOptions& options, std::size_t hourIndex);

}  // namespace citytwin::energy
