#include "citytwin/energy/standard_types.hpp"

#include <cmath>
#include <iterator>

namespace citytwin::energy {
namespace {

// pandapower/std_types.py, "trafo" (pandapower 2.x): Trafo Union catalogue data for the distribution
// transformers, IFT Ingenieurbuero / Schlabbach for the 110 kV ones. Ordered by voltages, then by rating.
constexpr TransformerType kTransformers[] = {
    {"25 MVA 110/20 kV", 25.0, 110.0, 20.0, 12.0, 0.41}, {"40 MVA 110/20 kV", 40.0, 110.0, 20.0, 16.2, 0.34},
    {"63 MVA 110/20 kV", 63.0, 110.0, 20.0, 18.0, 0.32}, {"25 MVA 110/10 kV", 25.0, 110.0, 10.0, 12.0, 0.41},
    {"40 MVA 110/10 kV", 40.0, 110.0, 10.0, 16.2, 0.34}, {"63 MVA 110/10 kV", 63.0, 110.0, 10.0, 18.0, 0.32},
    {"0.25 MVA 20/0.4 kV", 0.25, 20.0, 0.4, 6.0, 1.44},  {"0.4 MVA 20/0.4 kV", 0.4, 20.0, 0.4, 6.0, 1.425},
    {"0.63 MVA 20/0.4 kV", 0.63, 20.0, 0.4, 6.0, 1.206}, {"0.25 MVA 10/0.4 kV", 0.25, 10.0, 0.4, 4.0, 1.2},
    {"0.4 MVA 10/0.4 kV", 0.4, 10.0, 0.4, 4.0, 1.325},   {"0.63 MVA 10/0.4 kV", 0.63, 10.0, 0.4, 4.0, 1.0794},
};

// pandapower/std_types.py, "line" (pandapower 2.x), from Heuck, Elektrische Energieversorgung (2013).
constexpr MediumVoltageCableType kMediumVoltageCables[] = {
    {"NA2XS2Y 1x95 RM/25 6/10 kV", 10.0, 0.313, 0.123, 249.0},
    {"NA2XS2Y 1x185 RM/25 6/10 kV", 10.0, 0.161, 0.110, 358.0},
    {"NA2XS2Y 1x240 RM/25 6/10 kV", 10.0, 0.122, 0.105, 416.0},
    {"NA2XS2Y 1x95 RM/25 12/20 kV", 20.0, 0.313, 0.132, 252.0},
    {"NA2XS2Y 1x185 RM/25 12/20 kV", 20.0, 0.161, 0.117, 362.0},
    {"NA2XS2Y 1x240 RM/25 12/20 kV", 20.0, 0.122, 0.112, 421.0},
};

bool sameVoltages(const TransformerType& a, double highKv, double lowKv) {
  return std::abs(a.highKv - highKv) < 1e-9 && std::abs(a.lowKv - lowKv) < 1e-9;
}

}  // namespace

const TransformerType* transformerTypes(std::size_t& count) {
  count = std::size(kTransformers);
  return kTransformers;
}

const MediumVoltageCableType* mediumVoltageCableTypes(std::size_t& count) {
  count = std::size(kMediumVoltageCables);
  return kMediumVoltageCables;
}

std::optional<TransformerChoice> findTransformer(std::string_view name) {
  TransformerChoice choice;
  if (const auto times = name.find(" x "); times != std::string_view::npos) {
    int units = 0;
    for (char c : name.substr(0, times)) {
      if (c < '0' || c > '9' || units > 1000) return std::nullopt;
      units = units * 10 + (c - '0');
    }
    if (units < 1) return std::nullopt;
    choice.units = units;
    name.remove_prefix(times + 3);
  }
  for (const TransformerType& type : kTransformers)
    if (name == type.name) {
      choice.type = &type;
      return choice;
    }
  return std::nullopt;
}

std::string transformerName(const TransformerType& type, int units) {
  return (units > 1 ? std::to_string(units) + " x " : std::string()) + type.name;
}

std::optional<TransformerChoice> transformerFor(double mva, double highKv, double lowKv, double utilisation) {
  const TransformerType* largest = nullptr;
  for (const TransformerType& type : kTransformers) {
    if (!sameVoltages(type, highKv, lowKv)) continue;
    if (mva <= utilisation * type.ratedMva) return TransformerChoice{&type, 1};
    largest = &type;
  }
  if (!largest) return std::nullopt;
  return TransformerChoice{largest, static_cast<int>(std::ceil(mva / (utilisation * largest->ratedMva)))};
}

std::optional<TransformerChoice> transformerRated(double mva, double highKv, double lowKv) {
  for (const TransformerType& type : kTransformers) {
    if (!sameVoltages(type, highKv, lowKv)) continue;
    const double units = std::round(mva / type.ratedMva);
    if (units >= 1 && std::abs(units * type.ratedMva - mva) < 1e-6 * mva)
      return TransformerChoice{&type, static_cast<int>(units)};
  }
  return std::nullopt;
}

TransformerChoice largerTransformer(TransformerChoice choice) {
  const TransformerType* next = choice.type + 1;
  if (choice.units == 1 && next != std::end(kTransformers) &&
      sameVoltages(*next, choice.type->highKv, choice.type->lowKv))
    return {next, 1};
  return {choice.type, choice.units + 1};
}

}  // namespace citytwin::energy
