#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin::energy {

// A transformer standard type: rating, voltages and short-circuit voltages (total and resistive part) in
// percent of the rated voltage at rated current, as pandapower's standard type library lists them.
struct TransformerType {
  const char* name;
  double ratedMva;
  double highKv;
  double lowKv;
  double shortCircuitPercent;           // vk
  double shortCircuitResistivePercent;  // vkr
};

// pandapower's 110/20, 110/10, 20/0.4 and 10/0.4 kV transformer types (pandapower/std_types.py).
const TransformerType* transformerTypes(std::size_t& count);

// A transformer named by a standard type, optionally as parallel units ("2 x 0.63 MVA 20/0.4 kV").
struct TransformerChoice {
  const TransformerType* type = nullptr;
  int units = 1;
};

// The type a name refers to; nullopt when the name is not "[N x ]<standard type>".
std::optional<TransformerChoice> findTransformer(std::string_view name);

// The name of `units` parallel units of `type` ("0.4 MVA 20/0.4 kV", "3 x 0.63 MVA 20/0.4 kV").
std::string transformerName(const TransformerType& type, int units);

// The smallest standard type from `highKv` to `lowKv` whose rating, times `utilisation`, carries `mva`; when
// none does, parallel units of the largest. nullopt when no type joins the two voltages.
std::optional<TransformerChoice> transformerFor(double mva, double highKv, double lowKv, double utilisation);

// The standard choice of exactly `mva` (one type, or parallel units of one type) between the two voltages;
// nullopt when there is none.
std::optional<TransformerChoice> transformerRated(double mva, double highKv, double lowKv);

// The next larger standard choice: the next type of the same voltages, then one more unit of the largest.
TransformerChoice largerTransformer(TransformerChoice choice);

// A medium-voltage cable standard type (per phase conductor; parallel runs divide R and X).
struct MediumVoltageCableType {
  const char* name;
  double kv;                  // nominal system voltage
  double resistanceOhmPerKm;  // at 20 degC
  double reactanceOhmPerKm;   // at 50 Hz
  double ratedAmps;           // thermal current, laid in ground
};

// NA2XS2Y 1x95, 1x185 and 1x240 RM/25 for 12/20 kV and 6/10 kV (aluminium, XLPE), as in pandapower's basic
// standard types; ordered by voltage, then by rating.
const MediumVoltageCableType* mediumVoltageCableTypes(std::size_t& count);

}  // namespace citytwin::energy
