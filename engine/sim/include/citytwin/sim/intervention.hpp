#pragma once

#include <string>
#include <toml++/toml.h>

#include "citytwin/core/error.hpp"

namespace citytwin::sim {

// One what-if of a scenario variant, as written in the scenario file:
//   [[variant.intervention]]
//   kind = "close_road"      # engine kinds: set_attribute, scale_series, enable_model, disable_model;
//   ...                      # model kinds are declared in ModelDescription::interventionKinds
// `parameters` is the whole table (kind included) with toml++ source positions, so the model that
// handles it can report errors as file:line:key through `locationOf`.
// toml++ keeps source positions when a table is moved but not when it is copied, so the engine moves
// these tables into place; `line` (the table's first line) is the fallback for a copied table.
struct Intervention {
  std::string kind;
  toml::table parameters;
  std::string sourceFile;
  std::size_t line = 0;

  InputLocation locationOf(const std::string& key) const {
    const toml::node* node = parameters.get(key);
    auto found = static_cast<std::size_t>(node ? node->source().begin.line : parameters.source().begin.line);
    if (found == 0) found = line;
    return {sourceFile, found, key};
  }
};

}  // namespace citytwin::sim
