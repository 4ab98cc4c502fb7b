#include "citytwin/sim/intervention.hpp"

#include <utility>

namespace citytwin::sim {

Intervention makeIntervention(Value table, std::string sourceFile) {
  Intervention intervention;
  intervention.line = table.line();
  if (const Value* kind = table.find("kind"); kind != nullptr && kind->isString())
    intervention.kind = kind->asString();
  intervention.parameters = std::move(table);
  intervention.sourceFile = std::move(sourceFile);
  return intervention;
}

}  // namespace citytwin::sim
