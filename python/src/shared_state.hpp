#pragma once

#include <filesystem>
#include <memory>

#include "citytwin/city/city_model.hpp"
#include "citytwin/scenario/scenario.hpp"
#include "citytwin/sim/model_registry.hpp"

namespace citytwin::python {

// Every model of this build, registered once for the whole process (the registry is read-only after).
const sim::ModelRegistry& modelRegistry();

// The city in `path`, loaded once and shared (read-only) by every run and simulation of the process that
// names the same unchanged file; reloaded when the file changes.
std::shared_ptr<const city::CityModel> loadSharedCity(const std::filesystem::path& path);

// The city a scenario names: loaded, or generated and saved first when the scenario says how (as
// `citytwin run` does, so both run on the same city).
std::shared_ptr<const city::CityModel> obtainScenarioCity(const scenario::Scenario& spec);

// Generates the sample town and saves it to `path`, then reads it back, so a generated and a loaded city
// run identically. Throws Error when this build has no generator.
std::shared_ptr<const city::CityModel> generateCity(double sizeKm, std::uint64_t seed, double demCellM,
                                                    const std::filesystem::path& path);

}  // namespace citytwin::python
