#include "citytwin/sim/model_registry.hpp"

#include <algorithm>
#include <utility>

#include "citytwin/core/error.hpp"

namespace citytwin::sim {

void ModelRegistry::add(const std::string& name, ModelFactory factory) {
  if (name.empty()) throw Error("a model needs a name to be registered");
  if (!factory) throw Error("model '" + name + "' was registered without a factory");
  if (!factories_.emplace(name, std::move(factory)).second) {
    throw Error("a model named '" + name + "' is already registered");
  }
}

bool ModelRegistry::contains(const std::string& name) const {
  return factories_.count(name) > 0;
}

std::unique_ptr<Model> ModelRegistry::create(const std::string& name) const {
  const auto found = factories_.find(name);
  if (found == factories_.end()) {
    std::string known;
    for (const auto& [known_name, factory] : factories_) known += (known.empty() ? "" : ", ") + known_name;
    throw Error("unknown model '" + name + "': known models are " + (known.empty() ? "(none)" : known));
  }
  auto model = found->second();
  if (!model) throw Error("the factory of model '" + name + "' returned no model");
  return model;
}

std::vector<std::string> ModelRegistry::names() const {
  std::vector<std::string> result;
  for (const auto& [name, factory] : factories_) result.push_back(name);
  return result;
}

std::map<std::string, std::vector<KpiDefinition>> ModelRegistry::kpiDefinitions() const {
  std::map<std::string, std::vector<KpiDefinition>> result;
  for (const auto& entry : factories_) result[entry.first] = create(entry.first)->describe().kpis;
  return result;
}

void ModelRegistry::declareColumn(const city::CouplingColumn& column) {
  const auto sameName = [&](const city::CouplingColumn& other) {
    return other.layer == column.layer && other.name == column.name;
  };
  if (std::any_of(city::kCouplingColumns.begin(), city::kCouplingColumns.end(), sameName) ||
      std::any_of(columns_.begin(), columns_.end(), sameName)) {
    throw Error("coupling column " + std::string(city::toString(column.layer)) + " '" +
                std::string(column.name) + "' is declared already");
  }
  columns_.push_back(column);
}

}  // namespace citytwin::sim
