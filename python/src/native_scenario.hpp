#pragma once

#include "citytwin/scenario/scenario.hpp"

namespace citytwin::python {

// A validated scenario as the engine holds it (citytwin._citytwin.Scenario); the Python Scenario wraps it.
struct NativeScenario {
  scenario::Scenario spec;
};

}  // namespace citytwin::python
