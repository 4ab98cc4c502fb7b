#include <tbb/info.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/energy/building_simulation.hpp"
#include "citytwin/energy/building_spec.hpp"
#include "citytwin/energy/building_stock.hpp"
#include "citytwin/energy/distribution_network.hpp"
#include "citytwin/energy/matpower_case.hpp"
#include "citytwin/energy/network_file.hpp"
#include "citytwin/energy/power_flow_study.hpp"
#include "citytwin/energy/synthetic.hpp"
#include "citytwin/energy/weather.hpp"
#include "citytwin/io/city_file.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

struct PowerflowArgs {
  std::string matpower;
  std::string out;
  std::string solver = "klu";
  bool json = false;
};

energy::LinearSolverKind solverFromName(const std::string& name) {
  if (name == "klu") return energy::LinearSolverKind::Klu;
  if (name == "eigen") return energy::LinearSolverKind::EigenSparseLu;
  throw Error("--solver: expected 'klu' or 'eigen', got '" + name + "'");
}

void runPowerflow(const PowerflowArgs& args) {
  const energy::PowerCase pc = energy::readMatpowerCase(args.matpower);
  energy::PowerFlowOptions options;
  options.solver = solverFromName(args.solver);
  if (!args.out.empty()) requireWritableOutput(args.out);
  const energy::CaseSolution sol = energy::solveCase(pc, options);
  if (!args.out.empty()) energy::writeBusVoltagesCsv(sol, args.out);
  if (args.json) {
    printJson({{"converged", sol.outcome.converged},
               {"iterations", sol.outcome.iterations},
               {"losses_mw", sol.lossesMw},
               {"seconds", sol.seconds}});
  } else {
    std::printf("%s: %zu buses, %zu branches\n", args.matpower.c_str(), pc.buses.size(), pc.branches.size());
    std::printf("%s in %d iterations (max mismatch %.3g p.u.), losses %.3f MW, %.3f ms\n",
                sol.outcome.converged ? "converged" : "did NOT converge", sol.outcome.iterations,
                sol.outcome.maxMismatch, sol.lossesMw, sol.seconds * 1e3);
  }
  if (!sol.outcome.converged) throw Error(args.matpower + ": the power flow did not converge");
}

struct BuildingArgs {
  std::string spec;
  std::string weather;
  bool json = false;
};

void runBuilding(const BuildingArgs& args) {
  const energy::BuildingSpec spec = energy::readBuildingSpec(args.spec);
  const energy::Weather weather = energy::readEpw(args.weather);
  const energy::BuildingYear year = energy::simulateBuildingYear(spec, weather);
  if (args.json) {
    printJson({{"annual_heating_mwh", year.heatingMwh},
               {"annual_cooling_mwh", year.coolingMwh},
               {"peak_heating_kw", year.peakHeatingKw},
               {"peak_cooling_kw", year.peakCoolingKw},
               {"air_temperature_c", {{"min", year.minAirC}, {"mean", year.meanAirC}, {"max", year.maxAirC}}}});
    return;
  }
  std::printf("%s with %s (%zu hours)\n", spec.name.c_str(), weather.city.c_str(), weather.hours.size());
  std::printf("heating  %8.3f MWh  peak %7.3f kW\n", year.heatingMwh, year.peakHeatingKw);
  std::printf("cooling  %8.3f MWh  peak %7.3f kW\n", year.coolingMwh, year.peakCoolingKw);
  std::printf("air temperature  min %.2f C  mean %.2f C  max %.2f C\n", year.minAirC, year.meanAirC, year.maxAirC);
  if (spec.system.kind != energy::HeatingSystemKind::Ideal)
    std::printf("fuel %.3f MWh, electricity %.3f MWh\n", year.fuelMwh, year.electricityMwh);
}

struct NetworkArgs {
  std::string file;
  std::string city;
  double serviceRadiusM = 100;
  bool json = false;
};

// Checks a network file against a city the way a scenario's [energy] network key would use it.
void runNetwork(const NetworkArgs& args) {
  if (!(args.serviceRadiusM >= 0)) throw Error("--service-radius: expected a distance in metres >= 0");
  const energy::NetworkFile file = energy::readNetworkFile(args.file);
  const city::CityModel city = io::loadCity(args.city);
  const auto networks = energy::buildDistributionNetworks(file, city, args.serviceRadiusM);
  std::size_t connected = 0, flooded = 0;
  for (const auto& n : networks) {
    connected += n.buildings.size();
    if (n.citySubstation >= 0) ++flooded;
  }
  if (args.json) {
    printJson({{"substations", networks.size()},
               {"buses", file.buses.size()},
               {"lines", file.lines.size()},
               {"services", file.services.size()},
               {"buildings_connected", connected},
               {"buildings_not_connected", city.buildings.size() - connected},
               {"substations_at_city_sites", flooded}});
    return;
  }
  std::printf("%s: %zu substations, %zu buses, %zu lines, %zu service connections\n", args.file.c_str(),
              networks.size(), file.buses.size(), file.lines.size(), file.services.size());
  std::printf(
      "%zu of %zu buildings connected (nearest bus within %.0f m unless listed); %zu substations at city "
      "sites (these can flood)\n",
      connected, city.buildings.size(), args.serviceRadiusM, flooded);
}

struct BenchArgs {
  std::size_t buildings = 20000;
  bool json = false;
};

std::filesystem::path sharedDataRoot() {
  if (const char* env = std::getenv("CITYTWIN_SHARED_DATA")) return env;
  return "../shared/data";
}

struct SolveTiming {
  double kluMs = 0, eigenMs = 0, kluCpuMs = 0, eigenCpuMs = 0;
  int iterations = 0;
  bool converged = false;
};

SolveTiming timeSolves(const energy::PowerCase& pc, int repeats) {
  SolveTiming timing{1e300, 1e300, 1e300, 1e300, 0, false};
  for (int r = 0; r < repeats; ++r) {
    for (const auto kind : {energy::LinearSolverKind::Klu, energy::LinearSolverKind::EigenSparseLu}) {
      energy::PowerFlowOptions options;
      options.solver = kind;
      const energy::CaseSolution sol = energy::solveCase(pc, options);
      double& best = kind == energy::LinearSolverKind::Klu ? timing.kluMs : timing.eigenMs;
      best = std::min(best, sol.seconds * 1e3);
      double& bestCpu = kind == energy::LinearSolverKind::Klu ? timing.kluCpuMs : timing.eigenCpuMs;
      bestCpu = std::min(bestCpu, sol.cpuSeconds * 1e3);
      timing.iterations = sol.outcome.iterations;
      timing.converged = sol.outcome.converged;
    }
  }
  return timing;
}

void runBench(const BenchArgs& args) {
  const std::filesystem::path root = sharedDataRoot();
  const std::filesystem::path epw = root / "energy/weather/USA_CO_Denver.Intl.AP.725650_TMY3.epw";
  const std::filesystem::path caseFile = root / "energy/matpower/case2869pegase.m";
  for (const auto& p : {epw, caseFile})
    if (!std::filesystem::exists(p))
      throw Error(p.string() + ": reference data not found (set CITYTWIN_SHARED_DATA to the shared data folder)");
  if (args.buildings == 0) throw Error("--buildings: expected at least 1");
  const energy::Weather weather = energy::readEpw(epw);
  const auto setupStart = std::chrono::steady_clock::now();
  const city::CityModel city = energy::syntheticCity(args.buildings);
  energy::StockOptions options;
  options.heatPumpShare = 0.3;
  options.pvShare = 0.3;
  options.evShare = 0.2;
  const energy::BuildingStock stock = energy::buildStock(city.buildings, options);
  const energy::HourlyDrivers drivers = energy::computeDrivers(weather);
  const double setupSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - setupStart).count();
  const energy::CityYearSummary year = energy::simulateCityYear(stock, drivers);
  const double rate = year.buildingHours / year.seconds;

  const energy::PowerCase pegase = energy::readMatpowerCase(caseFile);
  const energy::PowerCase large = energy::replicateCase(pegase, 4);
  const SolveTiming small = timeSolves(pegase, 5);
  const SolveTiming big = timeSolves(large, 3);
  const int threads = tbb::info::default_concurrency();
  if (args.json) {
    printJson({{"buildings", args.buildings},
               {"hours", drivers.hours},
               {"threads", threads},
               {"setup_seconds", setupSeconds},
               {"year_seconds", year.seconds},
               {"building_hours_per_s", rate},
               {"cpu_seconds", year.cpuSeconds},
               {"building_hours_per_cpu_s", year.buildingHours / year.cpuSeconds},
               {"city_heating_mwh", year.heatingMwh},
               {"city_electricity_mwh", year.electricityMwh},
               {"city_peak_electric_mw", year.peakElectricMw},
               {"powerflow",
                {{{"case", "case2869pegase"}, {"buses", pegase.buses.size()}, {"iterations", small.iterations},
                  {"converged", small.converged}, {"klu_ms", small.kluMs}, {"eigen_sparselu_ms", small.eigenMs},
                  {"klu_cpu_ms", small.kluCpuMs}, {"eigen_sparselu_cpu_ms", small.eigenCpuMs}},
                 {{"case", "case2869pegase x4"}, {"buses", large.buses.size()}, {"iterations", big.iterations},
                  {"converged", big.converged}, {"klu_ms", big.kluMs}, {"eigen_sparselu_ms", big.eigenMs},
                  {"klu_cpu_ms", big.kluCpuMs}, {"eigen_sparselu_cpu_ms", big.eigenCpuMs}}}}});
    return;
  }
  std::printf("buildings: %zu x %zu h in %.3f s on %d threads = %.3g building-hours/s (setup %.2f s)\n", args.buildings,
              drivers.hours, year.seconds, threads, rate, setupSeconds);
  std::printf("  CPU time %.3f s: %.3g building-hours per CPU-second\n", year.cpuSeconds, year.buildingHours / year.cpuSeconds);
  std::printf("  city heating %.1f MWh, electricity %.1f MWh, peak %.2f MW\n", year.heatingMwh, year.electricityMwh,
              year.peakElectricMw);
  std::printf("power flow case2869pegase (%zu buses, %d iterations): KLU %.2f ms (CPU %.2f), Eigen SparseLU %.2f ms (CPU %.2f) per solve\n",
              pegase.buses.size(), small.iterations, small.kluMs, small.kluCpuMs, small.eigenMs, small.eigenCpuMs);
  std::printf("power flow case2869pegase x4 (%zu buses, %d iterations%s): KLU %.2f ms (CPU %.2f), Eigen SparseLU %.2f ms (CPU %.2f) per solve\n",
              large.buses.size(), big.iterations, big.converged ? "" : ", NOT converged", big.kluMs, big.kluCpuMs, big.eigenMs, big.eigenCpuMs);
}

void registerEnergyCommands(CommandTree& tree) {
  CLI::App& energyGroup = tree.group("energy", "Building energy, rooftop PV and power flow");

  auto pf = std::make_shared<PowerflowArgs>();
  CLI::App* powerflow = energyGroup.add_subcommand("powerflow", "Newton-Raphson AC power flow of a MATPOWER case");
  powerflow->add_option("--matpower", pf->matpower, "MATPOWER case file (.m)")->required()->check(CLI::ExistingFile);
  powerflow->add_option("--out", pf->out, "CSV of bus voltages (bus_i,Vm,Va_deg)");
  powerflow->add_option("--solver", pf->solver, "Sparse LU for the Jacobian: klu (default) or eigen");
  addJsonFlag(*powerflow, pf->json);
  powerflow->callback([pf] { runPowerflow(*pf); });

  auto bd = std::make_shared<BuildingArgs>();
  CLI::App* building = energyGroup.add_subcommand("building", "Hourly ISO 13790 (5R1C) simulation of one building for a year");
  building->add_option("--spec", bd->spec, "Building spec (TOML, the format of ASHRAE 140 case600.toml)")
      ->required()->check(CLI::ExistingFile);
  building->add_option("--weather", bd->weather, "EnergyPlus weather file (.epw)")->required()->check(CLI::ExistingFile);
  addJsonFlag(*building, bd->json);
  building->callback([bd] { runBuilding(*bd); });

  auto nw = std::make_shared<NetworkArgs>();
  CLI::App* network = energyGroup.add_subcommand(
      "network", "Check a distribution network file (GeoJSON) against a city and count what it connects");
  network->add_option("--file", nw->file, "Network file (GeoJSON, models/energy/README.md)")
      ->required()
      ->check(CLI::ExistingFile);
  network->add_option("--city", nw->city, "City file (GeoPackage)")->required()->check(CLI::ExistingFile);
  network->add_option(
      "--service-radius", nw->serviceRadiusM,
      "Buildings without a service feature connect to the nearest bus within this many metres "
      "(default 100)");
  addJsonFlag(*network, nw->json);
  network->callback([nw] { runNetwork(*nw); });

  auto bench = std::make_shared<BenchArgs>();
  CLI::App* benchEnergy = tree.bench.add_subcommand(
      "energy", "Building-hours per second of a synthetic city's year, and time per power-flow solve");
  benchEnergy->add_option("--buildings", bench->buildings, "Buildings in the synthetic city (default 20000)");
  addJsonFlag(*benchEnergy, bench->json);
  benchEnergy->callback([bench] { runBench(*bench); });
}

const CommandGroupRegistrar registrar(60, registerEnergyCommands);

}  // namespace
}  // namespace citytwin::cli
