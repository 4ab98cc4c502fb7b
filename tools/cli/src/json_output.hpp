#pragma once

#include <nlohmann/json.hpp>

namespace CLI {
class App;
}

namespace citytwin::cli {

// Adds the --json flag every verb has; when set, human feedback is silenced (see core/terminal.hpp).
void addJsonFlag(CLI::App& verb, bool& json);

// Prints a JSON document on stdout, one line, for scripts.
void printJson(const nlohmann::json& document);

}  // namespace citytwin::cli
