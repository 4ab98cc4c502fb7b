#include <tbb/info.h>
#include <tbb/parallel_for.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
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
  bool powerFlowYear = false;
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

// Best of `repeats` solves of the case with each linear solver, from the case's stored voltages; each solve
// builds its network and its Newton-Raphson object first (untimed), so every timed solve includes one full
// numeric factorisation.
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

// A power-flow case of at least `buses` buses: MATPOWER's own case `name` when the shared data hold it, else
// whole copies of case2869pegase joined in a ring (replicateCase), as many as reach the size.
struct BenchCase {
  std::string label;
  energy::PowerCase powerCase;
  double targetMs;
};
BenchCase benchCase(const std::filesystem::path& root, const energy::PowerCase& pegase,
                    const std::string& name, std::size_t buses, double targetMs) {
  const std::filesystem::path file = root / "energy/matpower" / (name + ".m");
  if (std::filesystem::exists(file)) return {name, energy::readMatpowerCase(file), targetMs};
  const std::size_t copies = (buses + pegase.buses.size() - 1) / pegase.buses.size();
  return {"case2869pegase x" + std::to_string(copies) + " (for " + name + ")",
          energy::replicateCase(pegase, static_cast<int>(copies)), targetMs};
}

// A year of hourly power flows on the synthetic city's distribution networks: every hour steps all buildings
// (5R1C, PV) and solves each substation's network with its buildings' net loads (power factor 0.95), started
// from the previous hour's voltages, as the energy model does.
constexpr std::size_t kBuildingsPerSubstation = 20;
struct YearOfPowerFlows {
  std::size_t networks = 0, buses = 0, solves = 0, failures = 0;
  int maxIterations = 0;
  double powerFlowSeconds = 0, powerFlowCpuSeconds = 0, totalSeconds = 0, minVoltagePu = 1e300;
};
YearOfPowerFlows runYearOfPowerFlows(std::size_t buildings, const energy::StockOptions& options,
                                     const energy::HourlyDrivers& drivers) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  YearOfPowerFlows out;
  // The bench city's buildings with one 0.63 MVA secondary substation per kBuildingsPerSubstation of them: a
  // substation and its four 400 A feeders then carry the buildings' peak (about 12 kW each) within ratings.
  const city::CityModel city = energy::syntheticCity(buildings, 1, kBuildingsPerSubstation);
  const energy::BuildingStock stock = energy::buildStock(city.buildings, options);
  const std::vector<energy::SubstationNetwork> networks = energy::buildDistributionNetworks(city);
  std::vector<std::unique_ptr<energy::NewtonRaphsonPowerFlow>> flows;
  std::vector<std::vector<energy::Complex>> voltages, injections;
  for (const energy::SubstationNetwork& n : networks) {
    flows.push_back(std::make_unique<energy::NewtonRaphsonPowerFlow>(n.network));
    voltages.push_back(n.network.voltage);
    injections.emplace_back(n.network.busCount());
    out.buses += n.network.busCount();
  }
  out.networks = networks.size();
  const std::size_t count = stock.size();
  std::vector<double> mass(stock.heatingSetpointC), heating(count), cooling(count), electric(count),
      pv(count), fuel(count);
  const energy::HourOutputs outputs{heating.data(), cooling.data(), electric.data(), pv.data(), fuel.data()};
  const double reactivePerActive = std::tan(std::acos(0.95));
  struct NetworkTally {
    std::size_t failures = 0;
    int maxIterations = 0;
    double minVoltagePu = 1e300;  // squared until the end
  };
  std::vector<NetworkTally> tallies(networks.size());
  Clock::duration solving{};
  double solvingCpu = 0;
  const auto processCpuSeconds = [] {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  };
  for (std::size_t hour = 0; hour < drivers.hours; ++hour) {
    energy::stepBuildings(stock, drivers, hour, 0, count, mass.data(), outputs);
    const auto solveStart = Clock::now();
    const double solveCpuStart = processCpuSeconds();
    // Networks are independent: solved in parallel, each writing only its own state and counters.
    tbb::parallel_for(std::size_t{0}, networks.size(), [&](std::size_t k) {
      std::vector<energy::Complex>& injection = injections[k];
      std::fill(injection.begin(), injection.end(), energy::Complex{});
      const energy::SubstationNetwork& n = networks[k];
      for (std::size_t j = 0; j < n.buildings.size(); ++j) {
        const std::uint32_t b = n.buildings[j];
        const double perUnit = 1e-6 / energy::kNetworkBaseMva;
        injection[static_cast<std::size_t>(n.busOfBuilding[j])] -=
            energy::Complex((electric[b] - pv[b]) * perUnit, electric[b] * reactivePerActive * perUnit);
      }
      const energy::PowerFlowOutcome outcome = flows[k]->solve(voltages[k], injection);
      NetworkTally& tally = tallies[k];
      if (!outcome.converged) {
        ++tally.failures;
        voltages[k] = n.network.voltage;
        return;
      }
      tally.maxIterations = std::max(tally.maxIterations, outcome.iterations);
      for (const energy::Complex& v : voltages[k])
        tally.minVoltagePu = std::min(tally.minVoltagePu, std::norm(v));
    });
    out.solves += networks.size();
    solving += Clock::now() - solveStart;
    solvingCpu += processCpuSeconds() - solveCpuStart;
  }
  for (const NetworkTally& tally : tallies) {
    out.failures += tally.failures;
    out.maxIterations = std::max(out.maxIterations, tally.maxIterations);
    out.minVoltagePu = std::min(out.minVoltagePu, std::sqrt(tally.minVoltagePu));
  }
  out.powerFlowSeconds = std::chrono::duration<double>(solving).count();
  out.powerFlowCpuSeconds = solvingCpu;
  out.totalSeconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
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
  std::vector<BenchCase> cases;
  cases.push_back({"case2869pegase", pegase, 0.0});
  // Targets: lightsim2grid-class speed: 30 ms for 9,241 buses, 45 ms for 13,659 buses.
  cases.push_back(benchCase(root, pegase, "case9241pegase", 9241, 30.0));
  cases.push_back(benchCase(root, pegase, "case13659pegase", 13659, 45.0));
  std::vector<SolveTiming> timings;
  for (const BenchCase& c : cases)
    timings.push_back(timeSolves(c.powerCase, c.powerCase.buses.size() < 5000 ? 5 : 3));
  const YearOfPowerFlows yearFlows =
      args.powerFlowYear ? runYearOfPowerFlows(args.buildings, options, drivers) : YearOfPowerFlows{};
  const int threads = tbb::info::default_concurrency();
  if (args.json) {
    nlohmann::json flows = nlohmann::json::array();
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const SolveTiming& t = timings[i];
      flows.push_back({{"case", cases[i].label},
                       {"buses", cases[i].powerCase.buses.size()},
                       {"iterations", t.iterations},
                       {"converged", t.converged},
                       {"klu_ms", t.kluMs},
                       {"eigen_sparselu_ms", t.eigenMs},
                       {"klu_cpu_ms", t.kluCpuMs},
                       {"eigen_sparselu_cpu_ms", t.eigenCpuMs},
                       {"target_ms", cases[i].targetMs}});
    }
    nlohmann::json result = {{"buildings", args.buildings},
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
                             {"powerflow", flows}};
    if (args.powerFlowYear)
      result["powerflow_year"] = {{"networks", yearFlows.networks},
                                  {"buses", yearFlows.buses},
                                  {"solves", yearFlows.solves},
                                  {"failures", yearFlows.failures},
                                  {"max_iterations", yearFlows.maxIterations},
                                  {"min_voltage_pu", yearFlows.minVoltagePu},
                                  {"powerflow_seconds", yearFlows.powerFlowSeconds},
                                  {"powerflow_cpu_seconds", yearFlows.powerFlowCpuSeconds},
                                  {"total_seconds", yearFlows.totalSeconds}};
    printJson(result);
    return;
  }
  std::printf("buildings: %zu x %zu h in %.3f s on %d threads = %.3g building-hours/s (setup %.2f s)\n", args.buildings,
              drivers.hours, year.seconds, threads, rate, setupSeconds);
  std::printf("  CPU time %.3f s: %.3g building-hours per CPU-second\n", year.cpuSeconds, year.buildingHours / year.cpuSeconds);
  std::printf("  city heating %.1f MWh, electricity %.1f MWh, peak %.2f MW\n", year.heatingMwh, year.electricityMwh,
              year.peakElectricMw);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const SolveTiming& t = timings[i];
    std::printf(
        "power flow %s (%zu buses, %d iterations%s): KLU %.2f ms (CPU %.2f), Eigen SparseLU %.2f ms (CPU "
        "%.2f) per solve",
        cases[i].label.c_str(), cases[i].powerCase.buses.size(), t.iterations,
        t.converged ? "" : ", NOT converged", t.kluMs, t.kluCpuMs, t.eigenMs, t.eigenCpuMs);
    if (cases[i].targetMs > 0) std::printf("; target %.0f ms", cases[i].targetMs);
    std::printf("\n");
  }
  if (args.powerFlowYear)
    std::printf(
        "year of power flows: %zu networks (%zu buses) x %zu h = %zu solves (%zu failed, at most %d "
        "iterations, "
        "lowest voltage %.4f p.u.) in %.2f s of power flow (CPU %.2f s, all threads), %.2f s with the "
        "buildings\n",
        yearFlows.networks, yearFlows.buses, drivers.hours, yearFlows.solves, yearFlows.failures,
        yearFlows.maxIterations, yearFlows.minVoltagePu, yearFlows.powerFlowSeconds,
        yearFlows.powerFlowCpuSeconds, yearFlows.totalSeconds);
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
  benchEnergy->add_flag(
      "--powerflow-year", bench->powerFlowYear,
      "Also solve every substation network of the synthetic city for each hour of the year");
  addJsonFlag(*benchEnergy, bench->json);
  benchEnergy->callback([bench] { runBench(*bench); });
}

const CommandGroupRegistrar registrar(60, registerEnergyCommands);

}  // namespace
}  // namespace citytwin::cli
