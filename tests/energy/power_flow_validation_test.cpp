// MATPOWER cases solved from their stored voltages, compared with MATPOWER's own runpf results (Newton-Raphson,
// tolerance 1e-8, no reactive limits) stored in energy/matpower/solutions.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "citytwin/energy/matpower_case.hpp"
#include "citytwin/energy/power_flow_study.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin::energy;

namespace {

struct Reference {
  std::map<int, std::pair<double, double>> voltage;   // bus -> (Vm, Va_deg)
  int iterations = 0;
  double lossesMw = 0;
};

std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, ',')) out.push_back(field);
  return out;
}

Reference loadReference(const std::filesystem::path& root, const std::string& name) {
  Reference ref;
  std::ifstream buses(root / "solutions" / (name + "_matpower_runpf.csv"));
  REQUIRE(buses);
  std::string line;
  std::getline(buses, line);
  while (std::getline(buses, line)) {
    const auto f = splitCsv(line);
    if (f.size() < 3) continue;
    ref.voltage[std::stoi(f[0])] = {std::stod(f[1]), std::stod(f[2])};
  }
  std::ifstream summary(root / "solutions" / "summary.csv");
  REQUIRE(summary);
  std::getline(summary, line);
  const auto header = splitCsv(line);
  while (std::getline(summary, line)) {
    const auto f = splitCsv(line);
    if (f.empty() || f[0] != name) continue;
    for (std::size_t i = 0; i < header.size() && i < f.size(); ++i) {
      if (header[i] == "iterations") ref.iterations = std::stoi(f[i]);
      if (header[i] == "loss_MW") ref.lossesMw = std::stod(f[i]);
    }
  }
  REQUIRE(ref.iterations > 0);
  return ref;
}

void checkCase(const std::string& name, LinearSolverKind solver) {
  const auto root = citytwin::testing::sharedData("energy/matpower");
  if (!root) return;
  const PowerCase pc = readMatpowerCase(*root / (name + ".m"));
  const Reference ref = loadReference(*root, name);
  PowerFlowOptions options;
  options.solver = solver;
  const CaseSolution sol = solveCase(pc, options);
  INFO(name << " with " << toString(solver));
  CHECK(sol.outcome.converged);
  CHECK(sol.outcome.iterations == ref.iterations);
  CHECK(std::abs(sol.lossesMw - ref.lossesMw) < 1e-3);
  REQUIRE(sol.busId.size() == ref.voltage.size());
  double worstVm = 0, worstVa = 0;
  for (std::size_t i = 0; i < sol.busId.size(); ++i) {
    const auto it = ref.voltage.find(sol.busId[i]);
    REQUIRE(it != ref.voltage.end());
    worstVm = std::max(worstVm, std::abs(sol.vm[i] - it->second.first));
    double dVa = std::abs(sol.vaDeg[i] - it->second.second);
    dVa = std::min(dVa, 360.0 - dVa);
    worstVa = std::max(worstVa, dVa);
  }
  INFO("max |dVm| = " << worstVm << " p.u., max |dVa| = " << worstVa << " deg");
  CHECK(worstVm < 1e-6);
  CHECK(worstVa < 1e-4);
}

}  // namespace

TEST_CASE("MATPOWER case9 matches runpf") { checkCase("case9", LinearSolverKind::Klu); }
TEST_CASE("MATPOWER case14 matches runpf") { checkCase("case14", LinearSolverKind::Klu); }
TEST_CASE("MATPOWER case30 matches runpf") { checkCase("case30", LinearSolverKind::Klu); }
TEST_CASE("MATPOWER case118 matches runpf") { checkCase("case118", LinearSolverKind::Klu); }
TEST_CASE("MATPOWER case1354pegase matches runpf") { checkCase("case1354pegase", LinearSolverKind::Klu); }
TEST_CASE("MATPOWER case2869pegase matches runpf") { checkCase("case2869pegase", LinearSolverKind::Klu); }
TEST_CASE("Eigen SparseLU gives the same solutions") {
  checkCase("case118", LinearSolverKind::EigenSparseLu);
  checkCase("case2869pegase", LinearSolverKind::EigenSparseLu);
}
