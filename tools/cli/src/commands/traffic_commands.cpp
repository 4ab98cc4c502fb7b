#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/traffic/assignment.hpp"
#include "citytwin/traffic/tntp.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

struct AssignArguments {
  std::string net, trips, flows;
  double gap = 1e-8;
  int maxIterations = 1000;
  std::optional<double> tollFactor, distanceFactor;
  bool json = false;
};

void runAssign(const AssignArguments& args) {
  traffic::TntpNetworkOptions options;
  options.tollFactor = args.tollFactor;
  options.distanceFactor = args.distanceFactor;
  if (!args.flows.empty()) requireWritableOutput(args.flows);
  const traffic::TrafficNetwork network = traffic::readTntpNetwork(args.net, options);
  const traffic::OdDemand demand = traffic::readTntpTrips(args.trips, network);
  traffic::AssignmentOptions assignment;
  assignment.targetRelativeGap = args.gap;
  assignment.maxIterations = args.maxIterations;
  if (!args.json)
    assignment.onIteration = [](int iteration, double gap, double seconds) {
      std::cerr << "iteration " << iteration << "  relative gap " << gap << "  " << seconds << " s\n";
      return true;
    };
  const traffic::AssignmentResult result = traffic::assignUserEquilibrium(network, demand, assignment);
  if (!args.flows.empty()) traffic::writeTntpFlows(args.flows, network, result.flows, result.costs);
  if (args.json) {
    printJson({{"tstt", result.tstt},
               {"beckmann", result.beckmann},
               {"relative_gap", result.relativeGap},
               {"iterations", result.iterations},
               {"seconds", result.seconds}});
  } else {
    std::cout.precision(15);
    std::cout << "TSTT          " << result.tstt << "\nBeckmann      " << result.beckmann << "\nrelative gap  "
              << result.relativeGap << "\niterations    " << result.iterations << "\nseconds       "
              << result.seconds << "\n";
  }
  if (!result.converged && !args.json)
    std::cerr << "warning: stopped before reaching relative gap " << args.gap << "\n";
}

void registerTrafficCommands(CommandTree& tree) {
  CLI::App& traffic = tree.group("traffic", "Traffic assignment and microsimulation");

  auto assignArgs = std::make_shared<AssignArguments>();
  CLI::App* assign = traffic.add_subcommand("assign", "Static user-equilibrium assignment of a TNTP network");
  assign->add_option("--net", assignArgs->net, "TNTP network file (_net.tntp)")->required();
  assign->add_option("--trips", assignArgs->trips, "TNTP trips file (_trips.tntp)")->required();
  assign->add_option("--gap", assignArgs->gap, "target relative gap (default 1e-8)");
  assign->add_option("--max-iterations", assignArgs->maxIterations, "iteration limit (default 1000)");
  assign->add_option("--flows", assignArgs->flows, "write link flows here (TNTP flow format)");
  assign->add_option("--toll-factor", assignArgs->tollFactor, "generalized cost weight of tolls (overrides the header)");
  assign->add_option("--distance-factor", assignArgs->distanceFactor,
                     "generalized cost weight of length (overrides the header)");
  addJsonFlag(*assign, assignArgs->json);
  assign->callback([assignArgs] { runAssign(*assignArgs); });
}

const CommandGroupRegistrar registrar(50, registerTrafficCommands);

}  // namespace
}  // namespace citytwin::cli
