#include <doctest/doctest.h>

#include <fstream>

#include "citytwin/core/error.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/traffic/assignment.hpp"
#include "citytwin/traffic/tntp.hpp"

using namespace citytwin::traffic;

namespace {

std::filesystem::path write(const std::string& name, const std::string& text) {
  const auto path = citytwin::testing::scratchDirectory() / name;
  std::ofstream(path) << text;
  return path;
}

const char* const kNet =
    "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 3\n<TOLL FACTOR> 0.5\n"
    "<END OF METADATA>\n\n~ init term cap len fft b power speed toll type ;\n"
    "\t1\t3\t100\t1\t2\t0.15\t4\t0\t2\t1\t;\n\t3\t2\t100\t1\t2\t0.15\t4\t0\t0\t1\t;\n\t1\t2\t50\t1\t5\t0.15\t4\t0\t0\t1\t;\n";

}  // namespace

TEST_CASE("TNTP network, trips and flows round-trip") {
  const auto net = write("t_net.tntp", kNet);
  const TrafficNetwork network = readTntpNetwork(net);
  CHECK(network.zoneCount == 2);
  CHECK(network.linkCount() == 3);
  CHECK(network.tollFactor == 0.5);
  CHECK(network.links[0].toll == 2.0);
  CHECK(readTntpNetwork(net, {.tollFactor = 2.0, .distanceFactor = std::nullopt}).tollFactor == 2.0);
  const auto trips = write("t_trips.tntp",
                           "<NUMBER OF ZONES> 2\n<TOTAL OD FLOW> 130\n<END OF METADATA>\n\nOrigin 1\n  1 : 30.0;  2 : 100.0;\n"
                           "Origin 2\n 1 : 0.0;\n");
  const OdDemand demand = readTntpTrips(trips, network);
  REQUIRE(demand.byOrigin[0].size() == 1);  // intrazonal dropped
  CHECK(demand.byOrigin[0][0].trips == 100.0);
  const AssignmentResult result = assignUserEquilibrium(network, demand);
  const auto flows = write("t_flow.tntp", "");
  writeTntpFlows(flows, network, result.flows, result.costs);
  const std::vector<double> back = linkFlowsFromTntp(readTntpFlows(flows), network, flows);
  for (int a = 0; a < 3; ++a) CHECK(back[a] == doctest::Approx(result.flows[a]).epsilon(1e-15));
}

TEST_CASE("bad TNTP files name the file, line and field") {
  std::string bad = kNet;
  bad.replace(bad.find("\t100\t1\t2"), 4, "\tx0");
  const auto path = write("bad_net.tntp", bad);
  try {
    readTntpNetwork(path);
    FAIL("expected an InputError");
  } catch (const citytwin::InputError& error) {
    CHECK(error.location().line == 9);
    CHECK(error.location().key == "capacity");
    CHECK(std::string(error.what()).find("bad_net.tntp") != std::string::npos);
  }
  std::string shortCount = kNet;
  shortCount.replace(shortCount.find("LINKS> 3"), 8, "LINKS> 4");
  CHECK_THROWS_AS(readTntpNetwork(write("count_net.tntp", shortCount)), citytwin::InputError);
  std::string badNode = kNet;
  badNode.replace(badNode.find("\t3\t2\t100"), 8, "\t3\t9\t100");
  CHECK_THROWS_AS(readTntpNetwork(write("node_net.tntp", badNode)), citytwin::InputError);
  const TrafficNetwork network = readTntpNetwork(write("ok_net.tntp", kNet));
  CHECK_THROWS_AS(readTntpTrips(write("t1.tntp", "<NUMBER OF ZONES> 2\n<END OF METADATA>\n 2 : 5;\n"), network),
                  citytwin::InputError);
  CHECK_THROWS_AS(readTntpTrips(write("t2.tntp", "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n 2 : -5;\n"), network),
                  citytwin::InputError);
  CHECK_THROWS_AS(readTntpNetwork(citytwin::testing::scratchDirectory() / "missing.tntp"), citytwin::Error);
}
