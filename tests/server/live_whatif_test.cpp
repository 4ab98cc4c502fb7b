// Live what-ifs end to end, through the citytwin binary: a service holding a city gets a rain observation
// and a river level; `citytwin run --from-live` and POST /citytwin/v1/whatif must both start the flood
// model from them, which the same run without the live state does not. Loopback only.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "citytwin/store/database.hpp"
#include "citytwin/testing/service_process.hpp"
#include "citytwin/testing/shared_data.hpp"

using nlohmann::json;

namespace {

constexpr const char* kToken = "live-token";

// Runs a command and returns its standard output; fails the test on a non-zero exit.
std::string capture(const std::string& command) {
  std::FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  INFO(command << "\n" << out);
  REQUIRE(status == 0);
  return out;
}

double kpi(const json& run, const std::string& name) {
  return run["variants"][0]["kpis"][name].get<double>();
}

}  // namespace

TEST_CASE("a what-if forked from the live state starts from the observed rain and river level") {
  const char* binaryVariable = std::getenv("CITYTWIN_BINARY");
  REQUIRE_MESSAGE(binaryVariable, "CITYTWIN_BINARY names the citytwin executable");
  const std::string binary = binaryVariable;
  const auto scratch = citytwin::testing::scratchDirectory();
  const std::string city = (scratch / "tiny.gpkg").string();
  capture(binary + " city generate --out '" + city + "' --size-km 1 --seed 1 --json");
  const json info = json::parse(capture(binary + " city info '" + city + "' --json"));
  INFO(info.dump());

  // No rain in the scenario itself: only a live rain gauge reading can make it rain.
  const std::string body =
      "name = \"live_flood\"\nstart = 2026-07-01T14:00:00Z\nduration = \"30m\"\nstep = \"10m\"\nseed = 1\n"
      "models = [\"flood\"]\n\n[flood]\ncell_size_m = 50\n";
  const std::string scenario = (scratch / "live_flood.toml").string();
  std::ofstream(scenario) << "city = \"" << city << "\"\n" << body;

  const auto service = citytwin::testing::ServiceProcess::start(
      binary, {"--city", city, "--db", (scratch / "live.sqlite").string(), "--token", kToken});
  REQUIRE(service);
  const std::string url = "http://127.0.0.1:" + std::to_string(service->port());
  httplib::Client client("127.0.0.1", service->port());
  client.set_read_timeout(20);
  const httplib::Headers auth{{"Authorization", std::string("Bearer ") + kToken}};

  const json entities =
      json::array({{{"id", "urn:ngsi-ld:WeatherObserved:live-1"},
                    {"type", "WeatherObserved"},
                    // Observed in winter: far from the scenario's start, so the run must flag it.
                    {"precipitation",
                     {{"type", "Property"},
                      {"value", 40.0},
                      {"unitCode", "H67"},
                      {"observedAt", "2026-01-15T09:00:00Z"}}},
                    {"@context", "https://smartdatamodels.org/context.jsonld"}},
                   {{"id", "urn:ngsi-ld:WaterObserved:live-1"},
                    {"type", "WaterObserved"},
                    {"waterLevel", {{"type", "Property"}, {"value", 3.25}}},
                    {"refDevice", {{"type", "Relationship"}, {"object", "urn:ngsi-ld:Device:river-gauge-1"}}},
                    {"@context", "https://smartdatamodels.org/context.jsonld"}}});
  const auto upsert =
      client.Post("/ngsi-ld/v1/entityOperations/upsert", auth, entities.dump(), "application/ld+json");
  REQUIRE(upsert);
  REQUIRE(upsert->status / 100 == 2);

  const json plain = json::parse(capture(binary + " run '" + scenario + "' --out '" +
                                         (scratch / "plain").string() + "' --json --threads 2"));
  const json live =
      json::parse(capture(binary + " run '" + scenario + "' --out '" + (scratch / "live").string() +
                          "' --json --threads 2 --from-live " + url + " --token " + kToken));
  INFO("plain: " << plain.dump() << "\nlive: " << live.dump());
  CHECK(live["live"]["entities"] == 2);
  CHECK(live["live"]["rainfall_mm_per_h"].get<double>() == doctest::Approx(40.0));
  CHECK(kpi(plain, "flood.rain_volume_m3") == 0.0);
  CHECK(kpi(live, "flood.rain_volume_m3") > 0.0);
  // The run says what it did with the live rain (the scenario sets none, so the gauge's reading is used) and
  // flags the winter observation, in its JSON and in its run database.
  const json& precedence = live["inputs"]["precedence"];
  const auto rain = std::find_if(precedence.begin(), precedence.end(),
                                 [](const json& note) { return note["input"] == "rain"; });
  REQUIRE(rain != precedence.end());
  CHECK((*rain)["winner"] == "live");
  REQUIRE(live["inputs"]["stale"].size() == 1);
  CHECK(live["inputs"]["stale"][0]["entity"] == "urn:ngsi-ld:WeatherObserved:live-1");
  CHECK(live["inputs"]["stale"][0]["message"].get<std::string>().find("2026-01-15T09:00:00Z") !=
        std::string::npos);
  {
    citytwin::store::Database database(scratch / "live" / "run.sqlite",
                                       citytwin::store::Database::Mode::ReadOnly);
    citytwin::store::Statement events(
        database,
        "SELECT COUNT(*) FROM events WHERE source = 'live' AND kind = 'live_observation_stale' AND t_s = 0");
    REQUIRE(events.step());
    CHECK(events.integer(0) == 1);
  }
  if (live["live"].contains("river_level_m"))
    CHECK(live["live"]["river_level_m"].get<double>() == doctest::Approx(3.25));

  {  // without the token the live state is refused
    const int status =
        std::system((binary + " run '" + scenario + "' --out '" + (scratch / "denied").string() +
                     "' --json --from-live " + url + " > /dev/null 2>&1")
                        .c_str());
    CHECK(WEXITSTATUS(status) != 0);
  }

  {  // the service runs the same what-if from the same state
    // The posted scenario leaves out `city`: the service runs it on its own city.
    const auto accepted = client.Post("/citytwin/v1/whatif", auth, body, "application/toml");
    REQUIRE(accepted);
    INFO(accepted->body);
    REQUIRE(accepted->status == 202);
    const std::string location = accepted->get_header_value("Location");
    json job;
    for (int i = 0; i < 600; ++i) {
      const auto polled = client.Get(location.c_str(), auth);
      REQUIRE(polled);
      REQUIRE(polled->status == 200);
      job = json::parse(polled->body);
      if (job["status"] != "queued" && job["status"] != "running") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO(job.dump());
    REQUIRE(job["status"] == "completed");
    CHECK(job["result"]["live"]["rainfall_mm_per_h"].get<double>() == doctest::Approx(40.0));
    CHECK(kpi(job["result"], "flood.rain_volume_m3") == doctest::Approx(kpi(live, "flood.rain_volume_m3")));
  }

  {  // a scenario naming an unknown model is 400 BadRequestData naming it
    std::string unknownModel = body.substr(0, body.find("models"));
    unknownModel += "models = [\"no_such_model\"]\n";
    const auto refused = client.Post("/citytwin/v1/whatif", auth, unknownModel, "application/toml");
    REQUIRE(refused);
    CHECK(refused->status == 400);
    const json problem = json::parse(refused->body);
    CHECK(problem["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData");
    CHECK(problem["detail"].get<std::string>().find("no_such_model") != std::string::npos);
  }

  {  // a scenario that is not TOML is 400
    const auto refused = client.Post("/citytwin/v1/whatif", auth, "models = [\"flood\"\n[[[", "text/plain");
    REQUIRE(refused);
    CHECK(refused->status == 400);
    CHECK(json::parse(refused->body)["title"] == "BadRequestData");
  }
}
