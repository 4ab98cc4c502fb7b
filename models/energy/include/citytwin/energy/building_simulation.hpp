#pragma once

#include <vector>

#include "citytwin/energy/building_spec.hpp"
#include "citytwin/energy/five_r1c.hpp"
#include "citytwin/energy/weather.hpp"

namespace citytwin::energy {

// The 5R1C network of a spec (ISO 13790: A_t = 4.5 A_f, H_tr,ms = 9.1 A_m, rho c = 1200 J/(m3 K)).
FiveR1CParameters zoneParameters(const BuildingSpec& spec);

// Hourly solar gains (W) through windows and opaque elements, net of the radiation to the sky (ISO 13790 11.3).
std::vector<double> solarGains(const BuildingSpec& spec, const Weather& weather);

// Mean outdoor temperature over hour `hour` of the file (EPW temperatures are instantaneous at the hour's
// end).
double hourMeanOutdoorC(const Weather& weather, std::size_t hour);

struct BuildingYear {
  std::vector<double> airC;
  std::vector<double> heatingW, coolingW;     // thermal power delivered (hourly averages)
  std::vector<double> electricityW;           // heat pump and chiller electricity
  std::vector<double> fuelW;                  // boiler fuel
  double heatingMwh = 0, coolingMwh = 0, peakHeatingKw = 0, peakCoolingKw = 0;
  double electricityMwh = 0, fuelMwh = 0;
  double minAirC = 0, meanAirC = 0, maxAirC = 0;
};

// Runs the whole weather year hour by hour after `warmupHours` of the first hours as warm-up (results discarded).
BuildingYear simulateBuildingYear(const BuildingSpec& spec, const Weather& weather, int warmupHours = 168);

}  // namespace citytwin::energy
