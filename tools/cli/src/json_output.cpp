#include "json_output.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "citytwin/core/terminal.hpp"

namespace citytwin::cli {

void addJsonFlag(CLI::App& verb, bool& json) {
  verb.add_flag("--json", json, "Print machine-readable JSON on stdout and no progress display")
      ->each([](const std::string&) { setMachineReadableOutput(true); });
}

void printJson(const nlohmann::json& document) { std::cout << document.dump() << std::endl; }

}  // namespace citytwin::cli
