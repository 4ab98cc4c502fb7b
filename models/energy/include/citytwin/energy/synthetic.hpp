#pragma once

#include <cstddef>
#include <cstdint>

#include "citytwin/city/city_model.hpp"
#include "citytwin/energy/matpower_case.hpp"

namespace citytwin::energy {

// A deterministic city of `buildings` rectangular buildings on a street grid (mixed uses, heights and years), with one
// 0.4 kV secondary substation per `buildingsPerSubstation` buildings and four feeders each. For benchmarks and tests.
city::CityModel syntheticCity(std::size_t buildings, std::uint64_t seed = 1, std::size_t buildingsPerSubstation = 120);

// `copies` copies of a case joined in a ring by tie lines between their first buses; only the first copy keeps its
// reference bus (the others' become PV). A larger transmission-like case for power-flow benchmarks.
PowerCase replicateCase(const PowerCase& base, int copies);

}  // namespace citytwin::energy
