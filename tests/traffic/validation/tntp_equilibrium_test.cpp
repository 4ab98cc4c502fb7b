#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "citytwin/testing/shared_data.hpp"
#include "citytwin/traffic/assignment.hpp"
#include "citytwin/traffic/link_cost.hpp"
#include "citytwin/traffic/tntp.hpp"

using namespace citytwin::traffic;

namespace {

// Solves a network of the TNTP collection to a relative gap of 1e-9 and compares with the best-known
// flows shipped with it: the Beckmann objective and TSTT (recomputed from those flows, and the published
// optimum where one is given) and every flow-dependent link's flow within one vehicle.
void compareWithBestKnown(const std::string& name, double publishedBeckmann) {
  const auto folder = citytwin::testing::sharedData("traffic/tntp");
  if (!folder) return;
  const TrafficNetwork network = readTntpNetwork(*folder / (name + "_net.tntp"));
  const OdDemand demand = readTntpTrips(*folder / (name + "_trips.tntp"), network);
  const auto flowPath = *folder / (name + "_flow.tntp");
  const std::vector<double> best = linkFlowsFromTntp(readTntpFlows(flowPath), network, flowPath);
  const FlowEvaluation reference = evaluateFlows(network, demand, best);

  AssignmentOptions options;
  options.targetRelativeGap = 1e-9;
  const AssignmentResult result = assignUserEquilibrium(network, demand, options);
  INFO(name << ": gap " << result.relativeGap << " in " << result.iterations << " iterations, " << result.seconds << " s");
  CHECK(result.converged);
  CHECK(std::abs(result.beckmann - publishedBeckmann) / publishedBeckmann < 1e-6);
  CHECK(std::abs(result.beckmann - reference.beckmann) / reference.beckmann < 1e-6);
  CHECK(std::abs(result.tstt - reference.tstt) / reference.tstt < 1e-5);
  const LinkCosts costs(network);
  double worst = 0.0;
  for (int a = 0; a < network.linkCount(); ++a)
    if (costs.flowDependent(a)) worst = std::max(worst, std::abs(result.flows[a] - best[a]));
  INFO("largest link flow difference " << worst);
  CHECK(worst < 1.0);
}

}  // namespace

// Published optima: the README values (Sioux Falls' 42.313... is in units of 1e5).
TEST_CASE("Sioux Falls equilibrium matches the best-known solution") { compareWithBestKnown("SiouxFalls", 4231335.28710744); }
TEST_CASE("Anaheim equilibrium matches the best-known solution") { compareWithBestKnown("Anaheim", 1286032.17109603); }
TEST_CASE("Barcelona equilibrium matches the best-known solution") { compareWithBestKnown("Barcelona", 1265654.92203176); }
