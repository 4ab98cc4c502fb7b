#include "citytwin/energy/synthetic_weather.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "citytwin/energy/irradiance.hpp"
#include "citytwin/energy/solar.hpp"
#include "citytwin/core/splitmix64.hpp"

namespace citytwin::energy {
namespace {

constexpr std::size_t kHoursPerYear = 8760;
constexpr int kDaysInMonth[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
constexpr double kStefanBoltzmann = 5.670374419e-8;

// SplitMix64: a tiny generator whose output is fixed by its definition, unlike the standard distributions.
class Stream {
 public:
  explicit Stream(std::uint64_t seed) : random_(seed) {}
  std::uint64_t next() { return random_.next(); }
  double uniformOpen() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  double normal() {   // Box-Muller, one value per pair of draws
    const double u1 = uniformOpen(), u2 = uniformOpen();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  SplitMix64 random_;
};

// A smooth standard-normal series: a stationary AR(1) series of knots every `knotHours` hours, cosine-interpolated
// between knots, so that hourly values do not jump.
std::vector<double> smoothSeries(std::uint64_t seed, std::size_t hours, std::size_t knotHours, double phi) {
  Stream stream(seed);
  std::vector<double> knots(hours / knotHours + 2);
  knots[0] = stream.normal();
  const double innovation = std::sqrt(1.0 - phi * phi);
  for (std::size_t k = 1; k < knots.size(); ++k) knots[k] = phi * knots[k - 1] + innovation * stream.normal();
  std::vector<double> out(hours);
  for (std::size_t h = 0; h < hours; ++h) {
    const std::size_t k = h / knotHours;
    const double f = static_cast<double>(h % knotHours) / static_cast<double>(knotHours);
    const double w = 0.5 * (1.0 - std::cos(std::numbers::pi * f));
    out[h] = (1.0 - w) * knots[k] + w * knots[k + 1];
  }
  return out;
}

std::uint64_t streamSeed(std::uint64_t seed, std::uint64_t purpose) {
  Stream mix(seed ^ (purpose * 0xd1b54a32d192ed03ULL));
  return mix.next();
}

double dewPointC(double airC, double relativeHumidity) {   // Magnus formula (Sonntag 1990 coefficients)
  const double g = std::log(relativeHumidity) + 17.62 * airC / (243.12 + airC);
  return 243.12 * g / (17.62 - g);
}

// Position in the seasonal cycle: +1 at midsummer, -1 at midwinter of the site's hemisphere, for a fractional
// day of the year counted from 0. The coldest day is taken 25 days after the solstice (mid-January / mid-July).
double summerness(double day, double latitudeDeg) {
  const double north = -std::cos(2.0 * std::numbers::pi * (day - 14.5) / 365.0);
  return latitudeDeg >= 0 ? north : -north;
}

}  // namespace

ClearSky syntheticClearSky(const SyntheticWeatherOptions& o, std::size_t hourIndex) {
  const int doy = static_cast<int>(hourIndex / 24) + 1;
  const double hourMid = static_cast<double>(hourIndex % 24) + 0.5;
  const SunPosition sun = sunPosition(doy, hourMid, o.latitudeDeg, o.longitudeDeg, o.timeZoneHours);
  if (sun.zenithDeg >= 90.0) return {};
  const double pressureRatio = std::pow(1.0 - 2.25577e-5 * o.elevationM, 5.25588);
  return ineichenClearSky(sun.zenithDeg, relativeAirmass(sun.zenithDeg) * pressureRatio, o.linkeTurbidity,
                          o.elevationM, sun.extraterrestrialNormal);
}

Weather syntheticWeather(const SyntheticWeatherOptions& o) {
  Weather w;
  w.source = "synthetic weather (seed " + std::to_string(o.seed) + ")";
  w.city = "synthetic";
  w.latitudeDeg = o.latitudeDeg;
  w.longitudeDeg = o.longitudeDeg;
  w.timeZoneHours = o.timeZoneHours;
  w.elevationM = o.elevationM;
  w.firstWeekday = o.firstWeekday;

  const std::vector<double> cloudNoise = smoothSeries(streamSeed(o.seed, 1), kHoursPerYear, 6, 0.85);
  const std::vector<double> temperatureNoise = smoothSeries(streamSeed(o.seed, 2), kHoursPerYear, 24, 0.7);
  const std::vector<double> windNoise = smoothSeries(streamSeed(o.seed, 3), kHoursPerYear, 6, 0.8);

  // Cloud cover: more in winter, a smooth random part, within [0, 1].
  std::vector<double> cloud(kHoursPerYear);
  for (std::size_t h = 0; h < kHoursPerYear; ++h) {
    const double day = static_cast<double>(h) / 24.0;
    cloud[h] = std::clamp(o.meanCloudiness - 0.12 * summerness(day, o.latitudeDeg) + 0.35 * cloudNoise[h], 0.0, 1.0);
  }
  std::vector<double> dailyCloud(kHoursPerYear / 24, 0.0);
  for (std::size_t h = 0; h < kHoursPerYear; ++h) dailyCloud[h / 24] += cloud[h] / 24.0;

  // The temperature anomaly: random, plus warmer clear days in summer and colder clear nights in winter; its
  // yearly mean is removed so the annual mean temperature is the option's.
  std::vector<double> anomaly(kHoursPerYear);
  double anomalySum = 0;
  for (std::size_t h = 0; h < kHoursPerYear; ++h) {
    const double day = static_cast<double>(h) / 24.0;
    anomaly[h] = o.temperatureNoiseC * temperatureNoise[h] -
                 3.0 * summerness(day, o.latitudeDeg) * (dailyCloud[h / 24] - o.meanCloudiness);
    anomalySum += anomaly[h];
  }
  const double anomalyMean = anomalySum / static_cast<double>(kHoursPerYear);

  const double pressurePa = 101325.0 * std::pow(1.0 - 2.25577e-5 * o.elevationM, 5.25588);
  w.hours.reserve(kHoursPerYear);
  std::size_t h = 0;
  for (int month = 1; month <= 12; ++month)
    for (int day = 1; day <= kDaysInMonth[month - 1]; ++day)
      for (int hour = 1; hour <= 24; ++hour, ++h) {
        const double hourMid = hour - 0.5;
        const double dayFraction = static_cast<double>(h / 24) + hourMid / 24.0;
        const double dailyRange = o.dailyAmplitudeC * (1.0 - 0.6 * dailyCloud[h / 24]);
        WeatherHour wh;
        wh.month = month;
        wh.day = day;
        wh.hour = hour;
        wh.dryBulbC = o.meanTemperatureC + o.seasonalAmplitudeC * summerness(dayFraction, o.latitudeDeg) +
                      dailyRange * std::cos(2.0 * std::numbers::pi * (hourMid - 15.0) / 24.0) + anomaly[h] -
                      anomalyMean;
        wh.dewPointC = dewPointC(wh.dryBulbC, o.relativeHumidity);
        wh.pressurePa = pressurePa;

        const ClearSky clear = syntheticClearSky(o, h);
        if (clear.ghi > 0) {
          const SunPosition sun = sunPosition(static_cast<int>(h / 24) + 1, hourMid, o.latitudeDeg, o.longitudeDeg,
                                              o.timeZoneHours);
          const double cosZenith = std::cos(sun.zenithDeg * std::numbers::pi / 180.0);
          const double n = cloud[h];
          wh.ghi = clear.ghi * (1.0 - 0.75 * std::pow(n, 3.4));
          wh.dni = clear.dni * (1.0 - n);
          wh.dhi = std::max(wh.ghi - wh.dni * cosZenith, 0.0);
        }
        // Sky emissivity of Clark and Allen with the cloud-cover correction (cover in tenths), as in EnergyPlus.
        const double tenths = 10.0 * cloud[h];
        const double emissivity = (0.787 + 0.764 * std::log((wh.dewPointC + 273.15) / 273.0)) *
                                  (1.0 + 0.0224 * tenths - 0.0035 * tenths * tenths + 0.00028 * tenths * tenths * tenths);
        wh.horizontalInfraredWm2 = std::min(emissivity, 1.0) * kStefanBoltzmann * std::pow(wh.dryBulbC + 273.15, 4);
        wh.windSpeedMs = o.windSpeedMs * std::exp(0.4 * windNoise[h] - 0.08);
        w.hours.push_back(wh);
      }
  return w;
}

}  // namespace citytwin::energy
