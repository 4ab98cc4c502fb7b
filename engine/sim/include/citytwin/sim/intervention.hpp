#pragma once

#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/core/value.hpp"

namespace citytwin::sim {

// One what-if of a scenario variant, as written in the scenario file:
//   [[variant.intervention]]
//   kind = "close_road"      # engine kinds: set_attribute, scale_series, enable_model, disable_model;
//   ...                      # model kinds are declared in ModelDescription::interventionKinds
// `parameters` is the whole table (kind included) with its source lines, so the model that handles it
// can report errors as file:line:key through `locationOf`; `line` (the table's first line) is the
// fallback for values without a line of their own.
struct Intervention {
  std::string kind;
  Value parameters;
  std::string sourceFile;
  std::size_t line = 0;

  InputLocation locationOf(const std::string& key) const {
    const Value* node = parameters.find(key);
    std::size_t found = node ? node->line() : parameters.line();
    if (found == 0) found = line;
    return {sourceFile, found, key};
  }
};

// An intervention from its table (`kind` and its settings), e.g. built in code; `sourceFile` and the
// table's line locate its errors when it came from a file.
Intervention makeIntervention(Value table, std::string sourceFile = "");

}  // namespace citytwin::sim
