#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::city {

// What a building is used for; drives default heights, energy archetypes and generated demand.
enum class BuildingUse : std::uint8_t {
  Residential,
  Commercial,
  Office,
  Industrial,
  Retail,
  Education,
  Health,
  Public,
  Religious,
  Other,
};

std::string_view toString(BuildingUse use);
BuildingUse buildingUseFromString(std::string_view text);  // unknown words map to Other
// The use implied by an OSM building=* value (and amenity/shop where the building tag is "yes").
BuildingUse buildingUseFromOsm(std::string_view building, std::string_view amenity, std::string_view shop);

// Where a building's height came from, so analysts can tell measured from assumed values.
enum class HeightSource : std::uint8_t { Tagged, FromLevels, DefaultForUse, Generated };
std::string_view toString(HeightSource source);
HeightSource heightSourceFromString(std::string_view text);

struct Building {
  std::string id;           // "osm:way/123", "osm:relation/45", "sample:building/17"
  geo::MultiPolygon footprint;
  double heightM = 0.0;
  int levels = 0;
  BuildingUse use = BuildingUse::Other;
  int yearBuilt = 0;        // 0 when unknown
  double groundElevationM = 0.0;
  HeightSource heightSource = HeightSource::DefaultForUse;
  std::string name;

  double footprintAreaM2() const { return geo::area(footprint); }
  // Gross floor area: footprint area times the number of storeys.
  double grossFloorAreaM2() const;

  friend bool operator==(const Building&, const Building&) = default;
};

// Storey height used to turn levels into metres and back (documented in engine/README.md).
inline constexpr double kStoreyHeightM = 3.0;

}  // namespace citytwin::city
