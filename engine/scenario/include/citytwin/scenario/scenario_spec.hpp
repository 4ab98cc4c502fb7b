#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/core/error.hpp"
#include "citytwin/sim/sim_time.hpp"

namespace citytwin::scenario {

// `generate = { size_km = 2, seed = 1 }`: how to make the city file when it does not exist yet.
struct GenerateCitySpec {
  double sizeKm = 2.0;
  std::uint64_t seed = 1;
  double demCellM = 10.0;
};

struct VariantSpec {
  std::string name;  // "base" for the base
  std::string description;
  std::uint64_t seed = 0;                      // the scenario's seed unless the variant sets its own
  std::vector<std::string> models;             // the models this variant runs, in publishing order
  std::vector<std::string> interventionKinds;  // in file order
  std::size_t line = 0;                        // of its [[variant]] header (0 for the base)
};

// A scenario file, validated: every key known, every type right, every time well formed, every model
// and intervention kind registered. Ids of city objects are checked once the city is loaded
// (checkAgainstCity). The TOML tables themselves (model parameters, interventions) are re-read from
// `text` for each branch (makeBranchSpec), because toml++ keeps source lines only in uncopied tables.
struct ScenarioSpec {
  std::filesystem::path file;  // as given
  std::string text;
  std::string name;
  std::string description;
  std::filesystem::path city;  // resolved against the scenario's folder
  InputLocation cityLocation;
  std::optional<GenerateCitySpec> generate;
  std::int64_t startEpochMs = 0;
  std::string startIso8601;
  sim::SimTime duration = 0;
  sim::SimTime reportStep = 0;  // KPI series are recorded once per step (0: at every boundary)
  sim::SimTime stateStep = 0;   // published columns are recorded once per step (0: not recorded)
  std::uint64_t seed = 0;
  std::vector<std::string> models;  // the base's models
  std::map<std::string, sim::SimTime> modelSteps;
  std::vector<VariantSpec> variants;  // [0] is the base

  std::filesystem::path directory() const { return file.parent_path(); }
};

}  // namespace citytwin::scenario
