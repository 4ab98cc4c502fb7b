#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <iostream>

#include "citytwin/core/error.hpp"
#include "command_registry.hpp"

int main(int argc, char** argv) {
  CLI::App root{"citytwin — a local digital twin engine for cities", "citytwin"};
  root.set_version_flag("--version", "citytwin 0.1.0");
  root.require_subcommand(1);
  CLI::App* bench = root.add_subcommand("bench", "Measure speed and memory of the engine and its models");
  bench->require_subcommand(1);
  citytwin::cli::CommandTree tree{root, *bench};
  citytwin::cli::registerAllCommands(tree);

  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return root.exit(e);
  } catch (const citytwin::Error& e) {
    std::cerr << "citytwin: error: " << e.what() << std::endl;
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "citytwin: error: out of memory" << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "citytwin: internal error: " << e.what() << std::endl;
    return 70;
  }
  return 0;
}
