#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/sim/interrupt.hpp"
#include "command_registry.hpp"

namespace {

// Exit codes: 0 success, 1 a failure the input or the environment caused, 2 a usage error (unknown verb or
// option, missing argument), 130 interrupted (Ctrl-C, SIGTERM), 70 a failure of citytwin itself.
constexpr int kFailure = 1;
constexpr int kUsage = 2;
constexpr int kSoftware = 70;
constexpr int kInterrupted = 130;

bool wantsJson(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--json") == 0) return true;
  return false;
}

// Every error: one line on stderr starting with "citytwin: error:", and with --json also one JSON object on
// stdout, so a script reading stdout always gets a document.
int report(bool json, int exitCode, const std::string& message, const nlohmann::json& details = nullptr) {
  std::cerr << "citytwin: error: " << message << std::endl;
  if (json) {
    nlohmann::json error{{"message", message}, {"exit_code", exitCode}};
    if (details.is_object()) error.update(details);
    std::cout << nlohmann::json{{"error", error}}.dump() << std::endl;
  }
  return exitCode;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App root{"citytwin — a local digital twin engine for cities", "citytwin"};
  root.set_version_flag("--version", "citytwin 0.1.0");
  root.require_subcommand(1);
  CLI::App* bench = root.add_subcommand("bench", "Measure speed and memory of the engine and its models");
  bench->require_subcommand(1);
  citytwin::cli::CommandTree tree{root, *bench};
  citytwin::cli::registerAllCommands(tree);
  const bool json = wantsJson(argc, argv);

  try {
    root.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return root.exit(e);
  } catch (const CLI::ParseError& e) {
    return report(json, kUsage, std::string(e.what()) + " (see 'citytwin --help')", {{"kind", "usage"}});
  } catch (const citytwin::InputError& e) {
    const auto& where = e.location();
    return report(json, kFailure, e.what(),
                  {{"kind", "input"}, {"file", where.file}, {"line", where.line}, {"key", where.key}});
  } catch (const citytwin::Error& e) {
    if (citytwin::sim::interruptFlag().load())
      return report(json, kInterrupted, e.what(), {{"kind", "interrupted"}});
    return report(json, kFailure, e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    // An unwritable or missing folder is the environment's doing, not an internal failure.
    std::string message = e.code().message();
    if (!e.path1().empty()) message = "'" + e.path1().string() + "': " + message;
    return report(json, kFailure, message, {{"kind", "filesystem"}});
  } catch (const std::bad_alloc&) {
    return report(json, kFailure, "out of memory");
  } catch (const std::exception& e) {
    return report(json, kSoftware, std::string("unexpected failure inside citytwin: ") + e.what(),
                  {{"kind", "internal"}});
  }
  return 0;
}
