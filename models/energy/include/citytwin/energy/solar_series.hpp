#pragma once

#include <vector>

#include "citytwin/energy/irradiance.hpp"
#include "citytwin/energy/weather.hpp"

namespace citytwin::energy {

// The sky of every hour of a weather file, with the sun at the middle of the hour (EPW values are hourly
// averages over the preceding hour).
std::vector<SkyState> skyStates(const Weather& weather);

// g(theta)/g(0) = sum a_k theta^k (theta in radians) for a cosine of incidence, kept within [0, 1] (0 behind
// the plane).
double incidenceFactor(const std::vector<double>& coefficients, double cosIncidence);

// Carnot-based COP of an air-source heat pump: eta * T_supply / (T_supply - T_outdoor), within [1, 7].
double heatPumpCop(double outdoorC, double supplyC, double carnotEfficiency);

}  // namespace citytwin::energy
