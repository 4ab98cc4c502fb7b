#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::city {

// A primary substation (HV/MV) or secondary substation (MV/LV) of the electric grid.
struct Substation {
  std::string id;
  std::string name;
  geo::Vec2 position;
  double groundElevationM = 0.0;
  double ratedMva = 0.0;
  double primaryKv = 0.0;
  double secondaryKv = 0.0;
  // Water depth at the site above which it is switched off (flood protection level).
  double floodThresholdM = 0.3;
  // Where the asset comes from, so QGIS users can tell mapped from assumed equipment: "osm" (mapped in
  // OpenStreetMap), "synthesised" (placed by a grid synthesis), "generated" (the sample town); empty:
  // unknown.
  std::string source;
  // The transformer's standard type (e.g. "0.4 MVA 20/0.4 kV", "2 x 0.63 MVA 20/0.4 kV", "40 MVA 110/20 kV");
  // a known type gives the power flow its impedance. Empty: unknown (1 % + j6 % on the rating).
  std::string transformer;
  // Off-nominal tap of the transformer in percent of the secondary voltage (+: secondary raised), as an
  // on-load tap changer holds it at the design peak.
  double tapPercent = 0.0;
  // A secondary (MV/LV) substation supplied by a medium-voltage feeder of another substation: index into
  // GridAssets::feeders of the feeder section it hangs on; -1: fed from the upstream grid directly.
  std::int32_t supplyFeeder = -1;
  friend bool operator==(const Substation&, const Substation&) = default;
};

// Feeder::substation of a line whose substation is not known (an OSM power line between unmapped sites).
inline constexpr std::uint32_t kNoSubstation = 0xFFFFFFFFu;
// Feeder::parentFeeder of a feeder that leaves its substation's busbar.
inline constexpr std::int32_t kNoParentFeeder = -1;

// A feeder line leaving a substation; buildings are served by the feeder named in `servedBuildings`. A feeder
// may also branch off another feeder of the same substation (`parentFeeder`) at its route's first vertex, so
// a radial tree of cables is a set of feeders, one per section between branch points.
struct Feeder {
  std::string id;
  std::uint32_t substation = 0;  // index into GridAssets::substations, or kNoSubstation
  geo::Polyline route;
  double voltageKv = 0.0;
  double ratedAmps = 0.0;
  double resistanceOhmPerKm = 0.0;
  double reactanceOhmPerKm = 0.0;
  std::vector<std::uint32_t> servedBuildings;  // indices into CityModel::buildings
  std::int32_t parentFeeder = kNoParentFeeder;  // index into GridAssets::feeders
  std::string cable;                            // cable type, e.g. "2 x NAYY 4x240 SE"; empty: unknown
  std::string source;                           // as Substation::source
  friend bool operator==(const Feeder&, const Feeder&) = default;
};

struct GridAssets {
  std::vector<Substation> substations;
  std::vector<Feeder> feeders;
  friend bool operator==(const GridAssets&, const GridAssets&) = default;
};

}  // namespace citytwin::city
