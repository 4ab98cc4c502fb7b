#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "citytwin/city/building.hpp"
#include "citytwin/energy/irradiance.hpp"
#include "citytwin/energy/typology.hpp"
#include "citytwin/energy/weather.hpp"

namespace citytwin::energy {

// What-ifs applied when a stock is built. Shares select buildings by a hash of (seed, building index), so the same
// seed picks the same buildings whatever the thread count.
struct StockOptions {
  std::uint64_t seed = 1;
  double retrofitShare = 0.0;
  EnvelopeOverride retrofitEnvelope{true};
  double heatPumpShare = 0.0;      // the others heat with gas boilers
  double pvShare = 0.0;            // of buildings with rooftop PV
  double evShare = 0.0;            // of residential buildings with an electric car
  double usableRoofShare = 0.6;    // of the footprint covered by PV modules
  double pvKwpPerM2 = 0.2;         // module rating per m2 of module (20 % efficient)
  double boilerEfficiency = 0.9;
  double coolingEer = 3.0;
};

// Weather-driven quantities of each hour shared by every building.
struct HourlyDrivers {
  std::size_t hours = 0;
  std::vector<double> outdoorC;
  std::vector<std::array<double, kSolarSurfaces>> irradiance;   // on each façade orientation and the roof, W/m2
  std::vector<double> pvAcPerKwp;                               // kW AC per kWp DC of a 30-degree south roof array
  std::vector<std::array<double, 3>> electricPerHeat;           // per W heat: 0 (boiler), 1/COP at 35 C, 1/COP at 55 C
  std::vector<std::array<double, kScheduleKinds>> schedule;     // fraction of peak internal loads
  std::vector<double> evKw;                                     // charging power of one car
};
HourlyDrivers computeDrivers(const Weather& weather, SkyDiffuseModel skyModel = SkyDiffuseModel::Perez,
                             double temperatureShiftC = 0.0);

// The buildings of a city as structure-of-arrays coefficients of their 5R1C responses (see FiveR1CZone::Affine).
struct BuildingStock {
  std::size_t size() const { return heatingSetpointC.size(); }
  std::vector<double> airMass, airOutdoor, airInternal, airSolar, airHvac;
  std::vector<double> massMass, massOutdoor, massInternal, massSolar, massHvac;
  std::vector<double> wattsPerKelvinAir;   // 1 / airHvac: heating power per kelvin below the setpoint
  std::vector<double> heatingSetpointC, coolingSetpointC;   // cooling 1e9 when not cooled
  std::array<std::vector<double>, kSolarSurfaces> solarWeight;   // W per W/m2
  std::vector<double> skyLossW;
  std::vector<double> internalPeakW, electricPeakW;
  std::vector<std::uint8_t> schedule;
  std::vector<std::uint8_t> heatingKind;                 // index into HourlyDrivers::electricPerHeat
  std::vector<double> pvKwp, evCount;
  std::vector<double> floorAreaM2;
  std::vector<std::uint8_t> retrofitted;
  double boilerEfficiency = 0.9;
  double coolingEer = 3.0;
};
BuildingStock buildStock(std::span<const city::Building> buildings, const StockOptions& options);

// A deterministic uniform number in [0, 1) for (seed, index, purpose).
double selectionDraw(std::uint64_t seed, std::uint64_t index, std::uint64_t purpose);

// One hour for buildings [begin, end): advances their mass temperatures and writes their powers (W). `massC` and
// the outputs hold the range's buildings from index 0 (building begin + j at index j).
struct HourOutputs {
  double* heatingW;
  double* coolingW;
  double* electricW;     // appliances, lighting, heat pump, chiller, EV (not net of PV)
  double* pvW;
  double* fuelW;
};
void stepBuildings(const BuildingStock& stock, const HourlyDrivers& drivers, std::size_t hour, std::size_t begin,
                   std::size_t end, double* massC, const HourOutputs& out);

struct CityYearSummary {
  double heatingMwh = 0, coolingMwh = 0, electricityMwh = 0, pvMwh = 0, fuelMwh = 0;
  double peakElectricMw = 0;           // city-wide, before PV
  std::vector<double> hourlyElectricMw;
  double buildingHours = 0;
  double seconds = 0;
  double cpuSeconds = 0;   // process CPU time over the run (all threads)
};
// The whole year for every building, in parallel over fixed chunks of buildings combined in a fixed order
// (bit-identical for any thread count).
CityYearSummary simulateCityYear(const BuildingStock& stock, const HourlyDrivers& drivers, std::size_t chunkSize = 2048);

}  // namespace citytwin::energy
