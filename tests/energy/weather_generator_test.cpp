// The synthetic weather year: determinism, the annual mean and the seasons it is asked for, and a sun that
// obeys the clear sky and the night.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "citytwin/energy/solar.hpp"
#include "citytwin/energy/synthetic_weather.hpp"

using namespace citytwin::energy;

namespace {

double monthlyMean(const Weather& w, int month) {
  double sum = 0;
  int count = 0;
  for (const WeatherHour& h : w.hours)
    if (h.month == month) {
      sum += h.dryBulbC;
      ++count;
    }
  return sum / count;
}

bool sameHour(const WeatherHour& a, const WeatherHour& b) {
  return a.month == b.month && a.day == b.day && a.hour == b.hour && a.dryBulbC == b.dryBulbC &&
         a.dewPointC == b.dewPointC && a.pressurePa == b.pressurePa && a.ghi == b.ghi && a.dni == b.dni &&
         a.dhi == b.dhi && a.horizontalInfraredWm2 == b.horizontalInfraredWm2 && a.windSpeedMs == b.windSpeedMs;
}

SyntheticWeatherOptions southern() {
  SyntheticWeatherOptions o;
  o.latitudeDeg = -33.9;
  o.longitudeDeg = 18.4;
  o.timeZoneHours = 2;
  o.meanTemperatureC = 17.0;
  o.seasonalAmplitudeC = 5.0;
  o.seed = 42;
  return o;
}

}  // namespace

TEST_CASE("same options give bit-identical years; another seed another year") {
  SyntheticWeatherOptions o;
  const Weather a = syntheticWeather(o), b = syntheticWeather(o);
  REQUIRE(a.hours.size() == 8760);
  REQUIRE(b.hours.size() == 8760);
  bool identical = true;
  for (std::size_t i = 0; i < a.hours.size(); ++i) identical = identical && sameHour(a.hours[i], b.hours[i]);
  CHECK(identical);
  o.seed = 2;
  const Weather c = syntheticWeather(o);
  int differing = 0;
  for (std::size_t i = 0; i < a.hours.size(); ++i) differing += a.hours[i].dryBulbC != c.hours[i].dryBulbC;
  CHECK(differing > 8000);
  CHECK(a.hours.front().month == 1);
  CHECK(a.hours.back().month == 12);
  CHECK(a.hours.back().day == 31);
  CHECK(a.hours.back().hour == 24);
}

TEST_CASE("annual mean as asked; summer warmer than winter in either hemisphere") {
  for (const SyntheticWeatherOptions& o : {SyntheticWeatherOptions{}, southern()}) {
    const Weather w = syntheticWeather(o);
    double sum = 0;
    for (const WeatherHour& h : w.hours) sum += h.dryBulbC;
    CHECK(std::abs(sum / 8760.0 - o.meanTemperatureC) < 0.5);
    const double january = monthlyMean(w, 1), july = monthlyMean(w, 7);
    if (o.latitudeDeg > 0) {
      CHECK(july > january + o.seasonalAmplitudeC);
    } else {
      CHECK(january > july + o.seasonalAmplitudeC);
    }
    // Afternoons warmer than the small hours, over the year.
    double afternoon = 0, night = 0;
    for (const WeatherHour& h : w.hours) {
      if (h.hour == 15) afternoon += h.dryBulbC;
      if (h.hour == 5) night += h.dryBulbC;
    }
    CHECK(afternoon > night + 365.0 * o.dailyAmplitudeC * 0.5);
  }
}

TEST_CASE("no sun at night; irradiance within the clear sky and its components closed") {
  for (const SyntheticWeatherOptions& o : {SyntheticWeatherOptions{}, southern()}) {
    const Weather w = syntheticWeather(o);
    int nightHours = 0, badNight = 0, aboveClear = 0, unclosed = 0, implausible = 0;
    double annualGhiWh = 0;
    for (std::size_t i = 0; i < w.hours.size(); ++i) {
      const WeatherHour& h = w.hours[i];
      const SunPosition sun = sunPosition(static_cast<int>(i / 24) + 1, h.hour - 0.5, o.latitudeDeg, o.longitudeDeg,
                                          o.timeZoneHours);
      if (sun.zenithDeg >= 90) {
        ++nightHours;
        badNight += h.ghi != 0 || h.dni != 0 || h.dhi != 0;
        continue;
      }
      const ClearSky clear = syntheticClearSky(o, i);
      aboveClear += h.ghi > clear.ghi + 1e-9 || h.dni > clear.dni + 1e-9;
      const double cosZenith = std::cos(sun.zenithDeg * std::numbers::pi / 180);
      unclosed += std::abs(h.ghi - (h.dhi + h.dni * cosZenith)) > 1e-6;
      implausible += h.ghi < 0 || h.dni < 0 || h.dhi < 0 || h.dewPointC > h.dryBulbC + 1e-9 || h.windSpeedMs <= 0 ||
                     h.horizontalInfraredWm2 < 150 || h.horizontalInfraredWm2 > 500;
      annualGhiWh += h.ghi;
    }
    CHECK(nightHours > 3500);
    CHECK(nightHours < 5000);
    CHECK(badNight == 0);
    CHECK(aboveClear == 0);
    CHECK(unclosed == 0);
    CHECK(implausible == 0);
    // Sunny mid-latitude sites receive roughly 1,200-2,000 kWh/m2 a year.
    CHECK(annualGhiWh / 1000 > 1200);
    CHECK(annualGhiWh / 1000 < 2100);
  }
}
