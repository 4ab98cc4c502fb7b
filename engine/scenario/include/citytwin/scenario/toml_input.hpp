#pragma once

#include <string>
#include <string_view>

#include "citytwin/core/value.hpp"

namespace citytwin::scenario {

// The TOML front end: the whole text as a Value table, with every node's source line and every table's
// keys in file order. Throws InputError naming `file` and the line for malformed TOML, its message being
// `problemPrefix` followed by the parser's description.
Value parseToml(std::string_view text, const std::string& file,
                std::string_view problemPrefix = "not valid TOML: ");

}  // namespace citytwin::scenario
