#include <tbb/global_control.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/progress.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/traffic/assignment.hpp"
#include "citytwin/traffic/sumo_io.hpp"
#include "citytwin/traffic/sumo_trips.hpp"
#include "citytwin/traffic/tntp.hpp"
#include "citytwin/traffic/trip_statistics.hpp"
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

struct SimArguments {
  std::string net, routes, out;
  double end = 0.0;  // 0: until every vehicle has arrived
  double step = 1.0;
  int threads = 0;
  bool json = false;
};

struct SimOutcome {
  traffic::TripStatistics stats;
  std::uint64_t vehicleSteps = 0;
  std::uint64_t jamTeleports = 0;
  double seconds = 0.0;  // simulation loop only
  double endS = 0.0;
};

SimOutcome simulateSumo(const std::filesystem::path& net, const std::filesystem::path& routes, double end, double step,
                        bool showProgress, const std::filesystem::path& tripCsv = {}) {
  const traffic::SumoNetwork network = traffic::readSumoNetwork(net);
  const traffic::SumoDemand demand = traffic::readSumoRoutes(routes, network);
  traffic::MicrosimulationOptions options;
  options.timeStep = step;
  traffic::Microsimulation simulation(network.network, demand.types, options);
  double lastDeparture = 0.0;
  for (const traffic::TripRequest& trip : demand.trips) {
    lastDeparture = std::max(lastDeparture, trip.departS);
    simulation.addTrip(trip);
  }
  const double limit = end > 0.0 ? end : 1e9;
  std::unique_ptr<Progress> progress;
  if (showProgress) progress = std::make_unique<Progress>("simulating", demand.trips.size());
  std::size_t reported = 0;
  const auto start = std::chrono::steady_clock::now();
  while (simulation.time() + 1e-9 < limit && !simulation.finished()) {
    simulation.step();
    if (progress) {
      std::size_t done = 0;
      for (const auto& trip : simulation.trips()) done += trip.arrived() || trip.stranded;
      if (done > reported) progress->advance(done - reported);
      reported = done;
    }
  }
  SimOutcome outcome;
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) progress->finish();
  outcome.stats = traffic::summariseTrips(simulation.trips());
  outcome.vehicleSteps = simulation.vehicleSteps();
  outcome.jamTeleports = simulation.jamTeleports();
  outcome.endS = simulation.time();
  if (!tripCsv.empty()) traffic::writeTripInfoCsv(tripCsv, simulation.trips());
  return outcome;
}

void runSim(const SimArguments& args) {
  std::unique_ptr<tbb::global_control> threads;
  if (args.threads > 0)
    threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                    static_cast<std::size_t>(args.threads));
  if (!(args.step > 0.0 && args.step <= 5.0)) throw Error("--step: expected a time step in (0, 5] seconds");
  std::filesystem::path csv;
  if (!args.out.empty()) {
    std::filesystem::create_directories(args.out);
    csv = std::filesystem::path(args.out) / "tripinfo.csv";
    requireWritableOutput(csv);
  }
  const SimOutcome outcome = simulateSumo(args.net, args.routes, args.end, args.step, !args.json, csv);
  const nlohmann::json document = {{"vehicles", outcome.stats.trips},
                                   {"arrived", outcome.stats.arrived},
                                   {"mean_travel_time_s", outcome.stats.meanTravelTimeS},
                                   {"mean_speed_mps", outcome.stats.meanSpeed},
                                   {"vehicle_steps", outcome.vehicleSteps},
                                   {"jam_teleports", outcome.jamTeleports},
                                   {"seconds", outcome.seconds}};
  if (args.json) {
    printJson(document);
  } else {
    std::cout << "vehicles            " << outcome.stats.trips << "\narrived             " << outcome.stats.arrived
              << "\nmean travel time    " << outcome.stats.meanTravelTimeS << " s\nmean speed          "
              << outcome.stats.meanSpeed << " m/s\nvehicle steps       " << outcome.vehicleSteps
              << "\njam teleports       " << outcome.jamTeleports << "\nsimulated until     " << outcome.endS << " s\nwall time           " << outcome.seconds << " s\n";
    if (!csv.empty()) std::cout << "trips written to    " << csv.string() << "\n";
  }
}

// --- demand ------------------------------------------------------------------------------------------

struct DemandArguments {
  std::string city, out, startClock = "07:00";
  double durationS = 7200.0;
  double tripsPer100M2 = 0.5;
  std::uint64_t seed = 1;
  bool uniform = false;
};

void runDemand(const DemandArguments& args) {
  int hour = -1, minute = -1;
  if (std::sscanf(args.startClock.c_str(), "%d:%d", &hour, &minute) != 2 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59)
    throw Error("--start: expected a clock time HH:MM, got '" + args.startClock + "'");
  if (!(args.durationS > 0.0)) throw Error("--duration-s: expected a positive number of seconds");
  requireWritableOutput(args.out);
  const city::CityModel city = io::loadCity(args.city);
  traffic::BuildingDemandOptions options;
  options.durationS = args.durationS;
  options.tripsPer100M2 = args.tripsPer100M2;
  options.seed = args.seed;
  options.startClockS = args.uniform ? -1.0 : hour * 3600.0 + minute * 60.0;
  const std::size_t written = traffic::writeSumoTrips(args.out, city, options);
  std::cout << written << " trips written to " << args.out << "\n";
}

// --- bench -------------------------------------------------------------------------------------------

bool commandAvailable(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

double timeAssignment(const std::filesystem::path& net, const std::filesystem::path& trips, double gap, int& iterations) {
  const traffic::TrafficNetwork network = traffic::readTntpNetwork(net);
  const traffic::OdDemand demand = traffic::readTntpTrips(trips, network);
  traffic::AssignmentOptions options;
  options.targetRelativeGap = gap;
  options.maxSeconds = 1800.0;
  const traffic::AssignmentResult result = traffic::assignUserEquilibrium(network, demand, options);
  iterations = result.iterations;
  if (!result.converged) return -1.0;
  return result.seconds;
}

struct BenchArguments {
  std::string dataDir;
  std::string work;
  bool berlin = true;
  bool sumo = true;
  bool assignment = true;
  bool cities = true;
  std::vector<double> citySidesKm = {2.0, 6.0, 10.0};
  bool json = false;
};

// The weekday morning peak (traffic alone, the model's defaults: demand from the buildings over 07:00-09:00,
// dynamic equilibrium routing, 30 minutes for the last trips) on generated cities, each run in a child
// process so that its peak memory is its own. Vehicle updates per second: the final simulation's vehicle
// steps (vehicle-hours travelled x 3600 / time step) over the whole run's wall time, the equilibrium's
// simulations and the routing included, so a lower bound of the simulation loop's rate.
void benchCities(const BenchArguments& args, const std::filesystem::path& work, nlohmann::json& report,
                 const std::function<void(const std::string&)>& say) {
  for (const double side : args.citySidesKm) {
    char tag[32];
    std::snprintf(tag, sizeof tag, "%.6g", side);
    const auto city = work / ("city-" + std::string(tag) + "km.gpkg");
    if (!std::filesystem::exists(city)) {
      const ChildUsage generated =
          runSelf({"city", "generate", "--size-km", tag, "--out", city.string(), "--json"});
      if (generated.exitCode != 0)
        throw Error("bench traffic: city generate --size-km " + std::string(tag) + " failed");
    }
    const auto scenario = work / ("morning-" + std::string(tag) + "km.toml");
    std::ofstream(scenario)
        << "name = \"morning_peak\"\ncity = \"" << city.string()
        << "\"\nstart = 2026-07-01T07:00:00Z\nduration = \"2h30m\"\nstep = \"5m\"\nseed = 1\n"
           "models = [\"traffic\"]\n";
    const double area = side * side;
    std::ostringstream started;
    started << "morning peak on the generated " << area << " km2 city";
    say(started.str());
    const ChildUsage run = runSelf({"run", scenario.string(), "--out",
                                    (work / ("morning-" + std::string(tag) + "km")).string(), "--json"});
    if (run.exitCode != 0)
      throw Error("bench traffic: the morning peak on the " + std::string(tag) + " km city failed");
    const auto kpis = nlohmann::json::parse(run.standardOutput)["variants"][0]["kpis"];
    const double vehicleHours = kpis["traffic.vehicle_hours_travelled"].get<double>();
    const double updates = vehicleHours * 3600.0 / 0.5;  // the model's default time step
    const std::string key = "city_" + std::string(tag) + "km";
    report[key] = {{"area_km2", area},
                   {"seconds", run.wallSeconds},
                   {"peak_rss_mib", run.peakResidentMiB},
                   {"trips", kpis["traffic.trips"]},
                   {"trip_completion_rate", kpis["traffic.trip_completion_rate"]},
                   {"jam_teleports", kpis["traffic.jam_teleports"]},
                   {"mean_travel_time_s", kpis["traffic.mean_travel_time_s"]},
                   {"route_relative_gap", kpis["traffic.route_relative_gap"]},
                   {"vehicle_hours_travelled", vehicleHours},
                   {"final_simulation_vehicle_updates", updates},
                   {"updates_per_s_lower_bound", updates / run.wallSeconds}};
    std::ostringstream line;
    line << "  " << area << " km2: " << run.wallSeconds << " s, peak " << run.peakResidentMiB << " MiB, "
         << kpis["traffic.trips"] << " trips, completion " << kpis["traffic.trip_completion_rate"] << ", "
         << kpis["traffic.jam_teleports"] << " jam teleports, >= " << updates / run.wallSeconds
         << " updates/s";
    say(line.str());
  }
}

void runBench(const BenchArguments& args) {
  nlohmann::json report;
  auto say = [&](const std::string& line) {
    if (!args.json) std::cerr << line << std::endl;
  };
  const std::filesystem::path tntp = std::filesystem::path(args.dataDir) / "traffic" / "tntp";
  std::vector<std::string> networks;
  if (args.assignment) networks.push_back("Barcelona");
  if (args.assignment && args.berlin) networks.push_back("berlin-center");
  for (const std::string& name : networks) {
    const auto net = tntp / (name + "_net.tntp"), trips = tntp / (name + "_trips.tntp");
    if (!std::filesystem::exists(net) || !std::filesystem::exists(trips)) {
      say("assignment: " + name + " not found under " + tntp.string() + ", skipped");
      continue;
    }
    for (double gap : {1e-6, 1e-8}) {
      if (name == "berlin-center" && gap < 1e-6) continue;
      int iterations = 0;
      const double seconds = timeAssignment(net, trips, gap, iterations);
      std::ostringstream key;
      key << "assign_" << name << "_" << gap;
      report[key.str()] = {{"seconds", seconds}, {"iterations", iterations}};
      std::ostringstream line;
      line << "assignment " << name << " to gap " << gap << ": " << seconds << " s, " << iterations << " iterations";
      say(line.str());
    }
  }
  const std::filesystem::path work = args.work.empty()
                                         ? std::filesystem::temp_directory_path() / "citytwin-bench-traffic"
                                         : std::filesystem::path(args.work);
  std::filesystem::create_directories(work);
  if (args.cities) benchCities(args, work, report, say);
  if (!args.sumo) {
    if (args.json)
      printJson(report);
    else
      std::cout << report.dump(2) << "\n";
    return;
  }
  if (!commandAvailable("sumo") || !commandAvailable("netgenerate") || !commandAvailable("duarouter")) {
    say("microsimulation: SUMO not on PATH, comparison skipped");
    if (args.json) printJson(report);
    else std::cout << report.dump(2) << "\n";
    return;
  }
  const char* home = std::getenv("SUMO_HOME");
  const std::string sumoHome = home ? home : "/usr/share/sumo";
  const std::string cd = "cd '" + work.string() + "' && export SUMO_HOME='" + sumoHome + "' && ";
  if (std::system((cd + "netgenerate --grid --grid.number 10 --grid.length 200 --default.lanenumber 2 "
                        "--default.speed 13.89 --default-junction-type traffic_light -o grid.net.xml >log.txt 2>&1")
                      .c_str()) != 0)
    throw Error("netgenerate failed (see " + (work / "log.txt").string() + ")");
  for (int vehicles : {2000, 20000}) {
    const std::string tag = std::to_string(vehicles);
    std::ostringstream period;
    period << 3600.0 / vehicles;
    const std::string prepare = cd + "python3 '" + sumoHome + "/tools/randomTrips.py' -n grid.net.xml -e 3600 -p " +
                                period.str() + " --fringe-factor 10 --min-distance 600 --seed 1 -o trips" + tag +
                                ".xml >>log.txt 2>&1 && duarouter -n grid.net.xml -r trips" + tag + ".xml -o routes" +
                                tag + ".rou.xml --no-step-log >>log.txt 2>&1";
    if (std::system(prepare.c_str()) != 0) throw Error("randomTrips/duarouter failed (see " + (work / "log.txt").string() + ")");
    say("microsimulation: running SUMO with " + tag + " vehicles");
    const std::string sumoRun = cd + "sumo -n grid.net.xml -r routes" + tag + ".rou.xml --no-step-log " +
                                "--duration-log.statistics --tripinfo-output tripinfo" + tag + ".xml > sumo" + tag + ".txt 2>&1";
    if (std::system(sumoRun.c_str()) != 0) throw Error("sumo failed (see " + (work / ("sumo" + tag + ".txt")).string() + ")");
    double sumoUps = 0.0, sumoDuration = 0.0;
    std::ifstream log(work / ("sumo" + tag + ".txt"));
    for (std::string line; std::getline(log, line);) {
      if (line.find("UPS:") != std::string::npos) sumoUps = std::atof(line.substr(line.find(':') + 1).c_str());
      // " Duration: 14.85s" is SUMO's wall time; " Duration: 242.86" (no unit) its mean trip duration.
      if (line.rfind(" Duration: ", 0) == 0 && line.back() != 's')
        sumoDuration = std::atof(line.substr(line.find(':') + 1).c_str());
    }
    say("microsimulation: running citytwin with " + tag + " vehicles");
    const SimOutcome ours = simulateSumo(work / "grid.net.xml", work / ("routes" + tag + ".rou.xml"), 0.0, 1.0, false);
    const double ourUps = static_cast<double>(ours.vehicleSteps) / ours.seconds;
    report["sim_" + tag] = {{"citytwin_updates_per_s", ourUps},
                            {"sumo_updates_per_s", sumoUps},
                            {"ratio", sumoUps > 0 ? ourUps / sumoUps : 0.0},
                            {"citytwin_mean_travel_time_s", ours.stats.meanTravelTimeS},
                            {"sumo_mean_travel_time_s", sumoDuration},
                            {"citytwin_arrived", ours.stats.arrived},
                            {"citytwin_jam_teleports", ours.jamTeleports},
                            {"citytwin_seconds", ours.seconds}};
    std::ostringstream line;
    line << "  " << tag << " vehicles: citytwin " << ourUps << " updates/s, SUMO " << sumoUps << " updates/s, ratio "
         << (sumoUps > 0 ? ourUps / sumoUps : 0.0) << "; mean trip " << ours.stats.meanTravelTimeS << " s vs SUMO "
         << sumoDuration << " s";
    say(line.str());
  }
  if (args.json) printJson(report);
  else std::cout << report.dump(2) << "\n";
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

  auto simArgs = std::make_shared<SimArguments>();
  CLI::App* simulate = traffic.add_subcommand("sim", "Microsimulation of a SUMO network and routes");
  simulate->add_option("--sumo-net", simArgs->net, "SUMO network (.net.xml)")->required();
  simulate->add_option("--sumo-routes", simArgs->routes, "SUMO routes (.rou.xml, routed vehicles)")->required();
  simulate->add_option("--end", simArgs->end, "stop at this simulated time in seconds (default: when all arrived)");
  simulate->add_option("--step", simArgs->step, "time step in seconds (default 1, as SUMO)");
  simulate->add_option("--threads", simArgs->threads, "worker threads (default: all cores; results are identical)");
  simulate->add_option("--out", simArgs->out, "folder for tripinfo.csv");
  addJsonFlag(*simulate, simArgs->json);
  simulate->callback([simArgs] { runSim(*simArgs); });

  auto demandArgs = std::make_shared<DemandArguments>();
  CLI::App* demand = traffic.add_subcommand(
      "demand", "Write the city's building demand (the traffic model's default rules) as SUMO trips");
  demand->add_option("--city", demandArgs->city, "city file (.gpkg)")->required();
  demand->add_option("--out", demandArgs->out, "SUMO trips file to write (.xml)")->required();
  demand->add_option("--start", demandArgs->startClock,
                     "clock time of the window's start, HH:MM (default 07:00)");
  demand->add_option("--duration-s", demandArgs->durationS, "departure window in seconds (default 7200)");
  demand->add_option("--trips-per-100m2", demandArgs->tripsPer100M2,
                     "trips per 100 m2 of residential floor area (default 0.5)");
  demand->add_option("--seed", demandArgs->seed, "seed of the demand draws (default 1)");
  demand->add_flag("--uniform", demandArgs->uniform,
                   "departures uniform over the window (default: weekday profile)");
  demand->callback([demandArgs] { runDemand(*demandArgs); });

  auto benchArgs = std::make_shared<BenchArguments>();
  const char* shared = std::getenv("CITYTWIN_SHARED_DATA");
  benchArgs->dataDir = shared ? shared : "../shared/data";
  CLI::App* bench =
      tree.bench.add_subcommand("traffic",
                                "Assignment times (Barcelona, Berlin-Center) and "
                                "microsimulation updates/s against SUMO, morning peak on generated cities");
  bench->add_option("--data", benchArgs->dataDir, "reference data folder (default $CITYTWIN_SHARED_DATA or ../shared/data)");
  bench->add_option("--work", benchArgs->work, "scratch folder for the SUMO scenarios");
  bench->add_flag("!--no-berlin", benchArgs->berlin, "skip Berlin-Center");
  bench->add_flag("!--no-sumo", benchArgs->sumo, "skip the microsimulation comparison");
  bench->add_flag("!--no-assignment", benchArgs->assignment, "skip the static assignments");
  bench->add_option(
      "--city-sizes-km", benchArgs->citySidesKm,
      "side lengths of the generated cities for the morning peak (default 2 6 10: 4, 36 and 100 km2)");
  bench->add_flag("!--no-cities", benchArgs->cities, "skip the morning peak on generated cities");
  addJsonFlag(*bench, benchArgs->json);
  bench->callback([benchArgs] { runBench(*benchArgs); });
}

const CommandGroupRegistrar registrar(50, registerTrafficCommands);

}  // namespace
}  // namespace citytwin::cli
