#include "citytwin/energy/power_flow_study.hpp"

#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::energy {

CaseSolution solveCase(const PowerCase& powerCase, const PowerFlowOptions& options) {
  CaseNetwork built = buildCaseNetwork(powerCase);
  const AcNetwork& net = built.network;
  NewtonRaphsonPowerFlow flow(net, options);
  std::vector<Complex> v = net.voltage;
  timespec cpuStart{}, cpuEnd{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpuStart);
  const auto start = std::chrono::steady_clock::now();
  CaseSolution out;
  out.outcome = flow.solve(v, net.injection);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpuEnd);
  out.cpuSeconds = static_cast<double>(cpuEnd.tv_sec - cpuStart.tv_sec) + 1e-9 * static_cast<double>(cpuEnd.tv_nsec - cpuStart.tv_nsec);
  out.jacobianNonZeros = flow.jacobianNonZeros();
  out.lossesMw = seriesLossesMw(net, v);
  for (std::size_t i = 0; i < powerCase.buses.size(); ++i) {
    const CaseBus& bus = powerCase.buses[i];
    out.busId.push_back(bus.id);
    const int index = built.busIndexOfCaseRow[i];
    if (index < 0) {
      out.vm.push_back(bus.vm);
      out.vaDeg.push_back(bus.vaDeg);
    } else {
      out.vm.push_back(std::abs(v[index]));
      out.vaDeg.push_back(std::arg(v[index]) * 180.0 / std::numbers::pi);
    }
  }
  return out;
}

void writeBusVoltagesCsv(const CaseSolution& solution, const std::filesystem::path& path) {
  AtomicOutput output(path);
  {
    std::ofstream out(output.temporaryPath());
    if (!out) throw Error(path.string() + ": cannot write");
    out << "bus_i,Vm,Va_deg\n";
    char buffer[96];
    for (std::size_t i = 0; i < solution.busId.size(); ++i) {
      std::snprintf(buffer, sizeof buffer, "%d,%.10f,%.8f\n", solution.busId[i], solution.vm[i], solution.vaDeg[i]);
      out << buffer;
    }
    if (!out.flush()) throw Error(path.string() + ": write failed");
  }
  output.commit();
}

}  // namespace citytwin::energy
