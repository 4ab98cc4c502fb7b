#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "citytwin/sim/model.hpp"

namespace citytwin::sim {

using ModelFactory = std::function<std::unique_ptr<Model>()>;

// Models register by an explicit call, by name (static self-registration is dropped by the linker from
// static libraries). Each model library offers e.g. `void registerFloodModel(sim::ModelRegistry&)`.
class ModelRegistry {
 public:
  // Throws Error when the name is taken.
  void add(const std::string& name, ModelFactory factory);
  bool contains(const std::string& name) const;
  // Throws Error listing the known names when `name` is unknown.
  std::unique_ptr<Model> create(const std::string& name) const;
  std::vector<std::string> names() const;
  // Every KPI each registered model can emit (ModelDescription::kpis), by model name.
  std::map<std::string, std::vector<KpiDefinition>> kpiDefinitions() const;

  // Declares a coupling column beyond city::kCouplingColumns, for models that live outside the engine's
  // tree (the tests' models, a plug-in): branches built from this registry accept reads of it. The views
  // must outlive the registry (string literals). Throws Error when the layer and name are declared already.
  void declareColumn(const city::CouplingColumn& column);
  const std::vector<city::CouplingColumn>& declaredColumns() const { return columns_; }

 private:
  std::map<std::string, ModelFactory> factories_;
  std::vector<city::CouplingColumn> columns_;
};

}  // namespace citytwin::sim
