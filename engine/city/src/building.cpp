#include "citytwin/city/building.hpp"

#include <array>
#include <algorithm>
#include <cmath>
#include <utility>

namespace citytwin::city {
namespace {
constexpr std::array<std::pair<BuildingUse, std::string_view>, 10> kUseNames{{
    {BuildingUse::Residential, "residential"},
    {BuildingUse::Commercial, "commercial"},
    {BuildingUse::Office, "office"},
    {BuildingUse::Industrial, "industrial"},
    {BuildingUse::Retail, "retail"},
    {BuildingUse::Education, "education"},
    {BuildingUse::Health, "health"},
    {BuildingUse::Public, "public"},
    {BuildingUse::Religious, "religious"},
    {BuildingUse::Other, "other"},
}};

constexpr std::array<std::pair<HeightSource, std::string_view>, 4> kHeightSourceNames{{
    {HeightSource::Tagged, "tagged"},
    {HeightSource::FromLevels, "levels"},
    {HeightSource::DefaultForUse, "default"},
    {HeightSource::Generated, "generated"},
}};
}  // namespace

std::string_view toString(BuildingUse use) {
  for (const auto& [value, name] : kUseNames) {
    if (value == use) return name;
  }
  return "other";
}

BuildingUse buildingUseFromString(std::string_view text) {
  for (const auto& [value, name] : kUseNames) {
    if (name == text) return value;
  }
  return BuildingUse::Other;
}

std::string_view toString(HeightSource source) {
  for (const auto& [value, name] : kHeightSourceNames) {
    if (value == source) return name;
  }
  return "default";
}

HeightSource heightSourceFromString(std::string_view text) {
  for (const auto& [value, name] : kHeightSourceNames) {
    if (name == text) return value;
  }
  return HeightSource::DefaultForUse;
}

BuildingUse buildingUseFromOsm(std::string_view building, std::string_view amenity, std::string_view shop) {
  static constexpr std::array<std::pair<std::string_view, BuildingUse>, 40> kOsmBuildingValues{{
      {"residential", BuildingUse::Residential}, {"apartments", BuildingUse::Residential},
      {"house", BuildingUse::Residential},       {"detached", BuildingUse::Residential},
      {"semidetached_house", BuildingUse::Residential}, {"terrace", BuildingUse::Residential},
      {"dormitory", BuildingUse::Residential},   {"bungalow", BuildingUse::Residential},
      {"villa", BuildingUse::Residential},       {"hotel", BuildingUse::Commercial},
      {"commercial", BuildingUse::Commercial},   {"office", BuildingUse::Office},
      {"industrial", BuildingUse::Industrial},   {"warehouse", BuildingUse::Industrial},
      {"factory", BuildingUse::Industrial},      {"garage", BuildingUse::Other},
      {"garages", BuildingUse::Other},           {"parking", BuildingUse::Other},
      {"retail", BuildingUse::Retail},           {"supermarket", BuildingUse::Retail},
      {"kiosk", BuildingUse::Retail},            {"school", BuildingUse::Education},
      {"university", BuildingUse::Education},    {"college", BuildingUse::Education},
      {"kindergarten", BuildingUse::Education},  {"hospital", BuildingUse::Health},
      {"clinic", BuildingUse::Health},           {"public", BuildingUse::Public},
      {"civic", BuildingUse::Public},            {"government", BuildingUse::Public},
      {"train_station", BuildingUse::Public},    {"transportation", BuildingUse::Public},
      {"fire_station", BuildingUse::Public},     {"museum", BuildingUse::Public},
      {"stadium", BuildingUse::Public},          {"church", BuildingUse::Religious},
      {"cathedral", BuildingUse::Religious},     {"chapel", BuildingUse::Religious},
      {"mosque", BuildingUse::Religious},        {"synagogue", BuildingUse::Religious},
  }};
  for (const auto& [value, use] : kOsmBuildingValues) {
    if (building == value) return use;
  }
  if (amenity == "school" || amenity == "university" || amenity == "college" || amenity == "kindergarten") {
    return BuildingUse::Education;
  }
  if (amenity == "hospital" || amenity == "clinic" || amenity == "doctors") return BuildingUse::Health;
  if (amenity == "place_of_worship") return BuildingUse::Religious;
  if (!shop.empty()) return BuildingUse::Retail;
  if (!amenity.empty()) return BuildingUse::Public;
  return BuildingUse::Other;
}

double Building::grossFloorAreaM2() const {
  const int storeys = levels > 0 ? levels : std::max(1, static_cast<int>(std::lround(heightM / kStoreyHeightM)));
  return footprintAreaM2() * storeys;
}

}  // namespace citytwin::city
