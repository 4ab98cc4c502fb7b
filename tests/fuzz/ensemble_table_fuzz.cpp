// libFuzzer target for the [ensemble] table of scenario files: any byte string, read as TOML and then as an
// [ensemble] table (members, distributions, failures, thresholds), and as a threshold expression, must end
// in a value or an InputError — never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/scenario/ensemble.hpp"
#include "citytwin/scenario/toml_input.hpp"

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const Value root = scenario::parseToml(text, "fuzz.toml");
    const Value* table = root.find("ensemble");
    const scenario::Ensemble ensemble =
        scenario::readEnsemble(ValueReader(table != nullptr ? *table : root, "fuzz.toml", "ensemble."));
    // Draws of a parsed ensemble must be finite where its distribution is.
    const scenario::MemberDraws draws = scenario::drawMember(ensemble, 1);
    if (draws.factors.size() != ensemble.scales.size()) __builtin_trap();
  } catch (const InputError&) {
  } catch (const Error&) {
  }
  try {
    const scenario::Threshold threshold = scenario::Threshold::parse(text, {"fuzz", 1, "thresholds"});
    (void)threshold.crossedBy(0.0);
  } catch (const InputError&) {
  }
  return 0;
}
