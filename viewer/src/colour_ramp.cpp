#include "citytwin/viewer/colour_ramp.hpp"

#include <algorithm>
#include <array>

#include "citytwin/core/error.hpp"

namespace citytwin::viewer {
namespace {

constexpr Colour rgb(int r, int g, int b) {
  return {static_cast<float>(r) / 255.0f, static_cast<float>(g) / 255.0f, static_cast<float>(b) / 255.0f,
          1.0f};
}

Colour mix(const Colour& a, const Colour& b, double t) {
  const auto lerp = [t](float x, float y) { return static_cast<float>(x + (y - x) * t); };
  return {lerp(a.r, b.r), lerp(a.g, b.g), lerp(a.b, b.b), lerp(a.a, b.a)};
}

std::vector<ColourRamp::Stop> spread(double minimum, double maximum, const std::vector<Colour>& colours) {
  if (!(maximum > minimum)) maximum = minimum + 1.0;
  std::vector<ColourRamp::Stop> stops;
  for (std::size_t i = 0; i < colours.size(); ++i) {
    const double t =
        colours.size() == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(colours.size() - 1);
    stops.push_back({minimum + (maximum - minimum) * t, colours[i]});
  }
  return stops;
}

}  // namespace

ColourRamp::ColourRamp(std::string title, std::string unit, std::vector<Stop> stops)
    : title_(std::move(title)), unit_(std::move(unit)), stops_(std::move(stops)) {
  if (stops_.empty()) throw Error("colour ramp '" + title_ + "': no colour stops");
  for (std::size_t i = 1; i < stops_.size(); ++i) {
    if (!(stops_[i].value > stops_[i - 1].value)) {
      throw Error("colour ramp '" + title_ + "': stop values must increase");
    }
  }
}

Colour ColourRamp::at(double value) const {
  if (stops_.empty()) return {};
  if (!(value > stops_.front().value)) return stops_.front().colour;  // also NaN
  if (value >= stops_.back().value) return stops_.back().colour;
  const auto upper = std::upper_bound(stops_.begin(), stops_.end(), value,
                                      [](double v, const Stop& stop) { return v < stop.value; });
  const Stop& high = *upper;
  const Stop& low = *(upper - 1);
  return mix(low.colour, high.colour, (value - low.value) / (high.value - low.value));
}

ColourRamp terrainRamp(double minElevationM, double maxElevationM) {
  return {"Elevation", "m",
          spread(minElevationM, maxElevationM,
                 {rgb(112, 158, 92), rgb(150, 184, 110), rgb(196, 200, 132), rgb(200, 176, 132),
                  rgb(184, 160, 136)})};
}

ColourRamp waterDepthRamp(double deepM) {
  return {"Water depth",
          "m",
          {{0.0, rgb(150, 205, 245)}, {deepM * 0.25, rgb(70, 150, 225)}, {deepM, rgb(15, 60, 160)}}};
}

ColourRamp divergingRamp(std::string title, std::string unit, double halfRange) {
  if (!(halfRange > 0.0)) halfRange = 1.0;
  return {std::move(title),
          std::move(unit),
          {{-halfRange, rgb(84, 39, 136)},
           {-halfRange / 2, rgb(178, 171, 210)},
           {0.0, rgb(247, 247, 247)},
           {halfRange / 2, rgb(253, 184, 99)},
           {halfRange, rgb(230, 97, 1)}}};
}

ColourRamp suppliedRamp(std::string title) {
  return {std::move(title) + ": red no power, grey-green supplied",
          "",
          {{0.0, rgb(215, 25, 28)}, {1.0, rgb(150, 165, 150)}}};
}

ColourRamp heatRamp(std::string title, std::string unit, double minimum, double maximum) {
  return {
      std::move(title), std::move(unit),
      spread(minimum, maximum, {rgb(255, 245, 190), rgb(254, 178, 76), rgb(240, 59, 32), rgb(150, 0, 38)})};
}

ColourRamp speedRamp(std::string title, std::string unit, double minimum, double maximum) {
  return {
      std::move(title), std::move(unit),
      spread(minimum, maximum, {rgb(200, 20, 30), rgb(250, 170, 40), rgb(250, 235, 60), rgb(40, 170, 60)})};
}

Colour buildingUseColour(city::BuildingUse use) {
  using city::BuildingUse;
  switch (use) {
    case BuildingUse::Residential:
      return rgb(222, 120, 96);
    case BuildingUse::Commercial:
      return rgb(200, 64, 96);
    case BuildingUse::Office:
      return rgb(150, 110, 200);
    case BuildingUse::Industrial:
      return rgb(140, 110, 150);
    case BuildingUse::Retail:
      return rgb(225, 90, 160);
    case BuildingUse::Education:
      return rgb(200, 90, 60);
    case BuildingUse::Health:
      return rgb(215, 50, 50);
    case BuildingUse::Public:
      return rgb(175, 95, 190);
    case BuildingUse::Religious:
      return rgb(130, 90, 170);
    case BuildingUse::Other:
      return rgb(190, 150, 150);
  }
  return rgb(190, 150, 150);
}

CategoryLegend buildingUseLegend() {
  using city::BuildingUse;
  CategoryLegend legend;
  for (BuildingUse use :
       {BuildingUse::Residential, BuildingUse::Commercial, BuildingUse::Office, BuildingUse::Industrial,
        BuildingUse::Retail, BuildingUse::Education, BuildingUse::Health, BuildingUse::Public,
        BuildingUse::Religious, BuildingUse::Other}) {
    legend.emplace_back(std::string(city::toString(use)), buildingUseColour(use));
  }
  return legend;
}

namespace {
struct RoadClassStyle {
  std::string_view highwayClass;
  Colour colour;
};
const std::array<RoadClassStyle, 8> kRoadClassStyles{{
    {"motorway", rgb(232, 146, 162)},
    {"trunk", rgb(249, 178, 156)},
    {"primary", rgb(252, 214, 164)},
    {"secondary", rgb(247, 250, 191)},
    {"tertiary", rgb(255, 255, 255)},
    {"residential", rgb(255, 255, 255)},
    {"unclassified", rgb(245, 245, 245)},
    {"service", rgb(232, 232, 232)},
}};
}  // namespace

Colour roadClassColour(std::string_view highwayClass) {
  for (const auto& style : kRoadClassStyles) {
    // "primary_link" is drawn as "primary".
    if (highwayClass.substr(0, style.highwayClass.size()) == style.highwayClass) return style.colour;
  }
  return rgb(235, 235, 235);
}

CategoryLegend roadClassLegend() {
  CategoryLegend legend;
  for (const auto& style : kRoadClassStyles)
    legend.emplace_back(std::string(style.highwayClass), style.colour);
  return legend;
}

Colour sensorTypeColour(std::string_view sensorType) {
  if (sensorType == "TrafficCounter") return rgb(255, 140, 0);
  if (sensorType == "RainGauge") return rgb(90, 60, 220);
  if (sensorType == "RiverGauge") return rgb(0, 150, 160);
  if (sensorType == "SmartMeter") return rgb(170, 220, 0);
  return rgb(230, 0, 200);
}

Colour vehicleColour() {
  return rgb(255, 196, 0);
}
Colour closedRoadColour() {
  return rgb(140, 0, 0);
}

}  // namespace citytwin::viewer
