#include "citytwin/city/water.hpp"

#include <array>
#include <utility>

#include "citytwin/core/error.hpp"

namespace citytwin::city {
namespace {

constexpr std::array<std::pair<WaterKind, std::string_view>, 6> kNames = {
    {{WaterKind::Sea, "sea"},
     {WaterKind::WaterBody, "water_body"},
     {WaterKind::River, "river"},
     {WaterKind::Stream, "stream"},
     {WaterKind::Canal, "canal"},
     {WaterKind::Drain, "drain"}}};

}  // namespace

std::string_view toString(WaterKind kind) {
  for (const auto& [k, name] : kNames)
    if (k == kind) return name;
  return "water_body";
}

WaterKind waterKindFromString(std::string_view name) {
  for (const auto& [k, text] : kNames)
    if (text == name) return k;
  throw Error("unknown water kind '" + std::string(name) +
              "' (sea, water_body, river, stream, canal, drain)");
}

bool isWaterway(WaterKind kind) {
  return kind != WaterKind::Sea && kind != WaterKind::WaterBody;
}

}  // namespace citytwin::city
