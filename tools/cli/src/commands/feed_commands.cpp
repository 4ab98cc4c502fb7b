#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "citytwin/core/date_time.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/generate/synthetic_feed.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/server/upsert_client.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Keeps `rate` items per second: sleeps until item `count` is due.
void pace(Clock::time_point start, double rate, std::size_t count) {
  if (rate <= 0) return;
  const auto due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(count / rate));
  std::this_thread::sleep_until(due);
}

struct ReplayArguments {
  std::string file;
  std::string url;
  double rate = 0;
  std::string token;
  std::size_t batch = 1000;
  bool json = false;
};

void replay(const ReplayArguments& args) {
  std::ifstream in(args.file);
  if (!in) throw Error(args.file + ": cannot open");
  server::UpsertClient sender(args.url, args.token);
  std::size_t lineNumber = 0, entities = 0, refused = 0;
  json pending = json::array();
  bool pendingContext = false;
  std::string pendingWhere;
  const auto start = Clock::now();
  const auto flush = [&] {
    if (pending.empty()) return;
    refused += sender.send(pending, pendingContext, pendingWhere);
    pending = json::array();
  };
  std::string line;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = args.file + ":" + std::to_string(lineNumber);
    json document = json::parse(line, nullptr, false);
    if (document.is_discarded()) throw Error(where + ": not a JSON document");
    if (document.is_object() && document.value("type", "") == "Notification") {
      if (!document.contains("data") || !document["data"].is_array()) throw Error(where + ": notification without data");
      json data = document["data"];
      if (document.contains("@context")) {
        for (auto& entity : data) {
          if (entity.is_object() && !entity.contains("@context")) entity["@context"] = document["@context"];
        }
      }
      document = std::move(data);
    }
    if (document.is_object()) document = json::array({document});
    if (!document.is_array()) throw Error(where + ": expected an entity, an array of entities or a notification");
    for (auto& entity : document) {
      if (!entity.is_object()) throw Error(where + ": an entity must be a JSON object");
      const bool withContext = entity.contains("@context");
      if (!pending.empty() && (withContext != pendingContext || pending.size() >= args.batch)) flush();
      if (pending.empty()) pendingWhere = where;
      pendingContext = withContext;
      pending.push_back(std::move(entity));
      ++entities;
      if (args.rate > 0) {
        flush();
        pace(start, args.rate, entities);
      }
    }
  }
  flush();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (args.json) {
    printJson({{"lines", lineNumber}, {"entities", entities}, {"requests", sender.requests()}, {"refused", refused},
               {"seconds", seconds}});
  } else {
    std::cerr << "replayed " << entities << " entities from " << lineNumber << " lines in " << sender.requests()
              << " requests (" << seconds << " s)" << std::endl;
  }
  if (refused > 0) throw Error(std::to_string(refused) + " entities refused; first: " + sender.firstError());
}

struct SimulateArguments {
  std::string city;
  std::string url;
  double rate = 1.0;
  double duration = 10.0;
  double stepSeconds = 300.0;
  std::string start;
  std::uint64_t seed = 1;
  std::string token;
  bool json = false;
};

void simulate(const SimulateArguments& args) {
  const city::CityModel city = io::loadCity(args.city);
  if (args.rate <= 0) throw Error("--rate must be positive");
  if (args.duration <= 0) throw Error("--duration must be positive");
  if (args.json && args.url.empty()) throw Error("--json needs --to (without it the observations go to stdout)");
  std::int64_t simulated = nowMilliseconds();
  if (!args.start.empty()) {
    const auto parsed = parseDateTime(args.start);
    if (!parsed) throw Error("--start '" + args.start + "' is not an ISO 8601 date-time");
    simulated = *parsed;
  }
  const generate::SyntheticFeed feed(city, args.seed);
  std::unique_ptr<server::UpsertClient> sender;
  if (!args.url.empty()) sender = std::make_unique<server::UpsertClient>(args.url, args.token);
  const auto start = Clock::now();
  const auto rounds = static_cast<std::size_t>(std::max(1.0, std::floor(args.rate * args.duration)));
  std::size_t entities = 0, refused = 0;
  for (std::size_t round = 0; round < rounds; ++round) {
    const json observations = feed.round(simulated);
    entities += observations.size();
    if (sender) {
      if (!observations.empty()) refused += sender->send(observations, true, "round " + std::to_string(round));
    } else {
      for (const auto& entity : observations) std::cout << entity.dump() << '\n';
      std::cout.flush();
    }
    simulated += static_cast<std::int64_t>(args.stepSeconds * 1000.0);
    pace(start, args.rate, round + 1);
  }
  if (args.json) {
    printJson({{"rounds", rounds}, {"entities", entities}, {"refused", refused}, {"sensors", city.sensors.size()},
               {"seconds", std::chrono::duration<double>(Clock::now() - start).count()}});
  } else if (sender) {
    std::cerr << "sent " << entities << " observations of " << city.sensors.size() << " sensors in " << rounds
              << " rounds" << std::endl;
  }
  if (refused > 0) throw Error(std::to_string(refused) + " observations refused; first: " + sender->firstError());
}

void registerFeedCommands(CommandTree& tree) {
  CLI::App& feed = tree.group("feed", "Feed observations to a live context service");

  auto replayArgs = std::make_shared<ReplayArguments>();
  CLI::App* replayVerb = feed.add_subcommand("replay", "Replay recorded NGSI-LD updates (one JSON document per line)");
  replayVerb->add_option("file", replayArgs->file, "JSON Lines: entities, arrays of entities or notifications")
      ->required()->check(CLI::ExistingFile);
  replayVerb->add_option("--to", replayArgs->url, "Service base URL, e.g. http://127.0.0.1:1026")->required();
  replayVerb->add_option("--rate", replayArgs->rate, "Entities per second (0: as fast as possible)");
  replayVerb->add_option("--batch", replayArgs->batch, "Entities per request when not rate-limited")->capture_default_str();
  replayVerb->add_option("--token", replayArgs->token, "Bearer token");
  addJsonFlag(*replayVerb, replayArgs->json);
  replayVerb->callback([replayArgs] { replay(*replayArgs); });

  auto simArgs = std::make_shared<SimulateArguments>();
  CLI::App* simulateVerb = feed.add_subcommand("simulate", "Stream synthetic observations of the city's sensors");
  simulateVerb->add_option("--city", simArgs->city, "City file (.gpkg)")->required()->check(CLI::ExistingFile);
  simulateVerb->add_option("--to", simArgs->url, "Service base URL (without it: JSON Lines on stdout, for replay)");
  simulateVerb->add_option("--rate", simArgs->rate, "Rounds (one observation per sensor) per second")->capture_default_str();
  simulateVerb->add_option("--duration", simArgs->duration, "Seconds to run")->capture_default_str();
  simulateVerb->add_option("--step", simArgs->stepSeconds, "Simulated seconds between rounds")->capture_default_str();
  simulateVerb->add_option("--start", simArgs->start, "Simulated start time (ISO 8601; default now)");
  simulateVerb->add_option("--seed", simArgs->seed, "Noise seed")->capture_default_str();
  simulateVerb->add_option("--token", simArgs->token, "Bearer token");
  addJsonFlag(*simulateVerb, simArgs->json);
  simulateVerb->callback([simArgs] { simulate(*simArgs); });
}

const CommandGroupRegistrar registrar(72, registerFeedCommands);

}  // namespace
}  // namespace citytwin::cli
