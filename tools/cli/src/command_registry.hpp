#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace citytwin::cli {

// The parts of the command tree a group of verbs hangs itself on.
struct CommandTree {
  CLI::App& root;   // citytwin
  CLI::App& bench;  // citytwin bench
  // The verb group `name` under the root (created on first use), e.g. "city" for `citytwin city import`.
  CLI::App& group(const std::string& name, const std::string& description);
};

using CommandRegistration = std::function<void(CommandTree&)>;

// Registers a group of verbs; `order` sets its place in --help (lower first).
struct CommandGroupRegistrar {
  CommandGroupRegistrar(int order, CommandRegistration registration);
};

void registerAllCommands(CommandTree& tree);

}  // namespace citytwin::cli
