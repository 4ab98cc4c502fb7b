#include "citytwin/energy/building_stock.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>

#include "citytwin/core/splitmix64.hpp"
#include "citytwin/energy/building_simulation.hpp"
#include "citytwin/energy/five_r1c.hpp"
#include "citytwin/energy/photovoltaics.hpp"
#include "citytwin/energy/solar_series.hpp"

namespace citytwin::energy {

double selectionDraw(std::uint64_t seed, std::uint64_t index, std::uint64_t purpose) {
  // SplitMix64's output function of the three values combined.
  return unitInterval(splitMix64Finalise(seed * 0x9E3779B97F4A7C15ull + index * 0xBF58476D1CE4E5B9ull +
                                         purpose * 0x94D049BB133111EBull));
}

HourlyDrivers computeDrivers(const Weather& weather, SkyDiffuseModel skyModel, double shiftC) {
  const std::vector<SkyState> sky = skyStates(weather);
  HourlyDrivers d;
  d.hours = sky.size();
  d.outdoorC.resize(d.hours);
  d.irradiance.resize(d.hours);
  d.pvAcPerKwp.resize(d.hours);
  d.electricPerHeat.resize(d.hours);
  d.schedule.resize(d.hours);
  d.evKw.resize(d.hours);
  const double dcLosses = 1.0 - pvwattsLossesPercent() / 100.0;
  const double inverterDc0 = 1.0 / 1.2 / 0.96;   // DC/AC ratio 1.2 at 96 % nominal efficiency, per kWp
  for (std::size_t t = 0; t < d.hours; ++t) {
    const WeatherHour& h = weather.hours[t];
    const double e = hourMeanOutdoorC(weather, t) + shiftC;
    d.outdoorC[t] = e;
    for (int o = 0; o < kFacadeOrientations; ++o)
      d.irradiance[t][o] = planeOfArray({90.0, 45.0 * o}, sky[t], skyModel).total();
    d.irradiance[t][kFacadeOrientations] = planeOfArray({0.0, 180.0}, sky[t], skyModel).total();
    const double poa = planeOfArray({30.0, 180.0}, sky[t], skyModel).total();
    const double cell = sapmCellTemperature(poa, e, h.windSpeedMs, {-2.98, -0.0471, 1.0});
    const double dc = std::max(pvwattsDc(poa, cell, 1.0, -0.0037), 0.0) * dcLosses;
    d.pvAcPerKwp[t] = pvwattsInverter(dc, inverterDc0);
    d.electricPerHeat[t] = {0.0, 1.0 / heatPumpCop(e, 35.0, 0.45), 1.0 / heatPumpCop(e, 55.0, 0.45)};
    const int day = static_cast<int>(t / 24);
    const int hourOfDay = static_cast<int>(t % 24);
    const bool weekend = (weather.firstWeekday + day) % 7 >= 5;
    for (int k = 0; k < kScheduleKinds; ++k)
      d.schedule[t][k] = scheduleFraction(static_cast<ScheduleKind>(k), hourOfDay, weekend);
    // One car: 10 kWh a day charged evenly from 18:00 to midnight.
    d.evKw[t] = hourOfDay >= 18 ? 10.0 / 6.0 : 0.0;
  }
  return d;
}

BuildingStock buildStock(std::span<const city::Building> buildings, const StockOptions& o) {
  BuildingStock s;
  const std::size_t n = buildings.size();
  for (auto* v : {&s.airMass, &s.airOutdoor, &s.airInternal, &s.airSolar, &s.airHvac, &s.massMass, &s.massOutdoor,
                  &s.massInternal, &s.massSolar, &s.massHvac, &s.heatingSetpointC, &s.coolingSetpointC, &s.skyLossW,
                  &s.internalPeakW, &s.electricPeakW, &s.pvKwp, &s.evCount, &s.floorAreaM2, &s.wattsPerKelvinAir})
    v->resize(n);
  for (auto& w : s.solarWeight) w.resize(n);
  s.schedule.resize(n);
  s.heatingKind.resize(n);
  s.retrofitted.resize(n);
  s.boilerEfficiency = o.boilerEfficiency;
  s.coolingEer = o.coolingEer;
  for (std::size_t i = 0; i < n; ++i) {
    const city::Building& b = buildings[i];
    EnvelopeOverride envelope = o.retrofitEnvelope;
    envelope.retrofitted = selectionDraw(o.seed, i, 1) < o.retrofitShare;
    const BuildingThermalModel m = deriveThermalModel(b, envelope);
    const FiveR1CZone zone(m.zone);
    const auto air = zone.airResponse();
    const auto mass = zone.massResponse();
    s.airMass[i] = air.massStart;
    s.airOutdoor[i] = air.outdoor + air.supply;
    s.airInternal[i] = air.internal;
    s.airSolar[i] = air.solar;
    s.airHvac[i] = air.hvac;
    s.wattsPerKelvinAir[i] = 1.0 / air.hvac;
    s.massMass[i] = mass.massStart;
    s.massOutdoor[i] = mass.outdoor + mass.supply;
    s.massInternal[i] = mass.internal;
    s.massSolar[i] = mass.solar;
    s.massHvac[i] = mass.hvac;
    s.heatingSetpointC[i] = m.use->heatingSetpointC;
    s.coolingSetpointC[i] = m.use->cooled ? m.use->coolingSetpointC : 1e9;
    for (int k = 0; k < kSolarSurfaces; ++k) s.solarWeight[k][i] = m.windowAperture[k] + m.opaqueAbsorption[k];
    s.skyLossW[i] = m.skyRadiationLossW;
    s.internalPeakW[i] = m.use->internalGainsWPerM2 * m.floorAreaM2;
    s.electricPeakW[i] = m.use->electricityWPerM2 * m.floorAreaM2;
    s.schedule[i] = static_cast<std::uint8_t>(m.use->schedule);
    const bool heatPump = selectionDraw(o.seed, i, 2) < o.heatPumpShare;
    s.heatingKind[i] = heatPump ? (m.modernHeating ? 1 : 2) : 0;
    const bool pv = selectionDraw(o.seed, i, 3) < o.pvShare;
    s.pvKwp[i] = pv ? o.usableRoofShare * m.footprintAreaM2 * o.pvKwpPerM2 : 0.0;
    const bool ev = b.use == city::BuildingUse::Residential && selectionDraw(o.seed, i, 4) < o.evShare;
    // One car per dwelling of roughly 80 m2.
    s.evCount[i] = ev ? std::max(1.0, std::floor(m.floorAreaM2 / 80.0)) : 0.0;
    s.floorAreaM2[i] = m.floorAreaM2;
    s.retrofitted[i] = envelope.retrofitted ? 1 : 0;
  }
  return s;
}

void stepBuildings(const BuildingStock& s, const HourlyDrivers& d, std::size_t t, std::size_t begin, std::size_t end,
                   double* massC, const HourOutputs& out) {
  const double e = d.outdoorC[t];
  const auto& irr = d.irradiance[t];
  const auto& sched = d.schedule[t];
  const auto& perHeat = d.electricPerHeat[t];
  const double pvPerKwp = d.pvAcPerKwp[t] * 1000.0;
  const double evW = d.evKw[t] * 1000.0;
  const double invEer = 1.0 / s.coolingEer;
  const double invBoiler = 1.0 / s.boilerEfficiency;
  for (std::size_t i = begin; i < end; ++i) {
    double solar = -s.skyLossW[i];
    for (int k = 0; k < kSolarSurfaces; ++k) solar += s.solarWeight[k][i] * irr[k];
    const double fraction = sched[s.schedule[i]];
    const double internal = s.internalPeakW[i] * fraction;
    const std::size_t j = i - begin;
    const double m0 = massC[j];
    const double airFree = s.airMass[i] * m0 + s.airOutdoor[i] * e + s.airInternal[i] * internal + s.airSolar[i] * solar;
    const double heat = std::max(s.heatingSetpointC[i] - airFree, 0.0) * s.wattsPerKelvinAir[i];
    const double cool = std::max(airFree - s.coolingSetpointC[i], 0.0) * s.wattsPerKelvinAir[i];
    massC[j] = s.massMass[i] * m0 + s.massOutdoor[i] * e + s.massInternal[i] * internal + s.massSolar[i] * solar +
               s.massHvac[i] * (heat - cool);
    const double heatElectric = perHeat[s.heatingKind[i]];
    out.heatingW[j] = heat;
    out.coolingW[j] = cool;
    out.fuelW[j] = s.heatingKind[i] == 0 ? heat * invBoiler : 0.0;
    out.electricW[j] = s.electricPeakW[i] * fraction + heat * heatElectric + cool * invEer + s.evCount[i] * evW;
    out.pvW[j] = s.pvKwp[i] * pvPerKwp;
  }
}

namespace {

// The coefficients of buildings [begin, end) in freshly allocated short arrays. The stock's full-length arrays start
// at the same offset within a page, so a tile's slices of 30-odd of them fall into the same L1 cache sets and evict
// each other; small separate copies do not.
BuildingStock slice(const BuildingStock& s, std::size_t begin, std::size_t end) {
  BuildingStock t;
  const auto copy = [&](auto& to, const auto& from) { to.assign(from.begin() + static_cast<std::ptrdiff_t>(begin), from.begin() + static_cast<std::ptrdiff_t>(end)); };
  copy(t.airMass, s.airMass);
  copy(t.airOutdoor, s.airOutdoor);
  copy(t.airInternal, s.airInternal);
  copy(t.airSolar, s.airSolar);
  copy(t.airHvac, s.airHvac);
  copy(t.massMass, s.massMass);
  copy(t.massOutdoor, s.massOutdoor);
  copy(t.massInternal, s.massInternal);
  copy(t.massSolar, s.massSolar);
  copy(t.massHvac, s.massHvac);
  copy(t.wattsPerKelvinAir, s.wattsPerKelvinAir);
  copy(t.heatingSetpointC, s.heatingSetpointC);
  copy(t.coolingSetpointC, s.coolingSetpointC);
  for (int k = 0; k < kSolarSurfaces; ++k) copy(t.solarWeight[k], s.solarWeight[k]);
  copy(t.skyLossW, s.skyLossW);
  copy(t.internalPeakW, s.internalPeakW);
  copy(t.electricPeakW, s.electricPeakW);
  copy(t.schedule, s.schedule);
  copy(t.heatingKind, s.heatingKind);
  copy(t.pvKwp, s.pvKwp);
  copy(t.evCount, s.evCount);
  t.boilerEfficiency = s.boilerEfficiency;
  t.coolingEer = s.coolingEer;
  return t;
}

}  // namespace

CityYearSummary simulateCityYear(const BuildingStock& stock, const HourlyDrivers& d, std::size_t chunkSize) {
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpuStart = std::clock();
  const std::size_t n = stock.size();
  // Blocks of buildings run in parallel, each with its own hourly totals; inside a block, tiles of a few dozen
  // buildings run through the whole year so that their coefficients stay in the L1 cache. Blocks are fixed by
  // `chunkSize` alone and combined in order, so the sums do not depend on the thread count.
  constexpr std::size_t kTile = 64;
  const std::size_t chunks = (n + chunkSize - 1) / chunkSize;
  struct ChunkTotals {
    double heating = 0, cooling = 0, electric = 0, pv = 0, fuel = 0;
    std::vector<double> hourlyElectric;
  };
  std::vector<ChunkTotals> totals(chunks);
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, chunks, 1),
      [&](const tbb::blocked_range<std::size_t>& range) {
        std::array<double, kTile> mass{}, heat{}, cool{}, elec{}, pv{}, fuel{};
        for (std::size_t c = range.begin(); c != range.end(); ++c) {
          const std::size_t blockBegin = c * chunkSize, blockEnd = std::min(n, blockBegin + chunkSize);
          ChunkTotals& tot = totals[c];
          tot.hourlyElectric.assign(d.hours, 0.0);
          for (std::size_t begin = blockBegin; begin < blockEnd; begin += kTile) {
            const std::size_t end = std::min(blockEnd, begin + kTile), count = end - begin;
            for (std::size_t i = 0; i < count; ++i) mass[i] = stock.heatingSetpointC[begin + i];
            const HourOutputs out{heat.data(), cool.data(), elec.data(), pv.data(), fuel.data()};
            const BuildingStock tile = slice(stock, begin, end);
            for (std::size_t t = 0; t < d.hours; ++t) {
              stepBuildings(tile, d, t, 0, count, mass.data(), out);
              double hourElectric = 0;
              for (std::size_t i = 0; i < count; ++i) {
                tot.heating += heat[i];
                tot.cooling += cool[i];
                tot.pv += pv[i];
                tot.fuel += fuel[i];
                hourElectric += elec[i];
              }
              tot.electric += hourElectric;
              tot.hourlyElectric[t] += hourElectric;
            }
          }
        }
      },
      tbb::simple_partitioner());
  CityYearSummary summary;
  summary.hourlyElectricMw.assign(d.hours, 0.0);
  for (const ChunkTotals& tot : totals) {
    summary.heatingMwh += tot.heating * 1e-6;
    summary.coolingMwh += tot.cooling * 1e-6;
    summary.electricityMwh += tot.electric * 1e-6;
    summary.pvMwh += tot.pv * 1e-6;
    summary.fuelMwh += tot.fuel * 1e-6;
    for (std::size_t t = 0; t < d.hours; ++t) summary.hourlyElectricMw[t] += tot.hourlyElectric[t] * 1e-6;
  }
  for (double v : summary.hourlyElectricMw) summary.peakElectricMw = std::max(summary.peakElectricMw, v);
  summary.buildingHours = static_cast<double>(n) * static_cast<double>(d.hours);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.cpuSeconds = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
  return summary;
}

}  // namespace citytwin::energy
