#include "command_registry.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace citytwin::cli {
namespace {
std::vector<std::pair<int, CommandRegistration>>& registrations() {
  static std::vector<std::pair<int, CommandRegistration>> all;
  return all;
}
}  // namespace

CLI::App& CommandTree::group(const std::string& name, const std::string& description) {
  for (CLI::App* existing : root.get_subcommands([](CLI::App*) { return true; })) {
    if (existing->get_name() == name) return *existing;
  }
  CLI::App* created = root.add_subcommand(name, description);
  created->require_subcommand(1);
  return *created;
}

CommandGroupRegistrar::CommandGroupRegistrar(int order, CommandRegistration registration) {
  registrations().emplace_back(order, std::move(registration));
}

void registerAllCommands(CommandTree& tree) {
  auto all = registrations();
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, registration] : all) registration(tree);
}

}  // namespace citytwin::cli
