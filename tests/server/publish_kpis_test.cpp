// `citytwin run --publish URL`, end to end through the citytwin binary: a scenario's KPIs, every variant's,
// arrive at a `citytwin serve` as Smart Data Models KeyPerformanceIndicator entities holding the values the
// run reports. Loopback only.
#include <doctest/doctest.h>
#include <httplib.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/service_process.hpp"
#include "citytwin/testing/shared_data.hpp"

using nlohmann::json;

namespace {

std::string run(const std::vector<std::string>& argv) {
  const auto result = citytwin::testing::runCommand(argv);
  INFO(argv[1] << " " << result.standardError);
  REQUIRE(result.exitCode == 0);
  return result.standardOutput;
}

}  // namespace

TEST_CASE("run --publish upserts every variant's KPIs as KeyPerformanceIndicator entities") {
  const std::string binary = citytwin::testing::citytwinBinary();
  const auto scratch = citytwin::testing::scratchDirectory();
  const std::string city = (scratch / "town.gpkg").string();
  run({binary, "city", "generate", "--out", city, "--size-km", "1", "--seed", "1", "--json"});
  const std::string scenario = (scratch / "publish.toml").string();
  std::ofstream(scenario)
      << "name = \"publish check\"\ncity = \"" << city
      << "\"\nstart = 2026-07-01T14:00:00Z\nduration = \"30m\"\nstep = \"10m\"\nseed = 1\n"
         "models = [\"flood\"]\n\n[flood]\ncell_size_m = 50\nrain_mm_per_h = 30\n\n"
         "[[variant]]\nname = \"more_rain\"\n[[variant.intervention]]\nkind = \"add_rainfall\"\n"
         "mm_per_h = 60\nstart_s = 0\nend_s = 1800\n";

  const auto broker =
      citytwin::testing::ServiceProcess::start(binary, {"--db", (scratch / "platform.sqlite").string()});
  REQUIRE(broker);
  const std::string url = "http://127.0.0.1:" + std::to_string(broker->port());
  const json outcome = json::parse(run({binary, "run", scenario, "--out", (scratch / "out").string(),
                                        "--json", "--threads", "2", "--publish", url}));
  // What the run says it computed: "variant|model.kpi" -> value.
  std::map<std::string, double> expected;
  for (const auto& variant : outcome["variants"]) {
    for (const auto& [name, value] : variant["kpis"].items())
      expected[variant["name"].get<std::string>() + "|" + name] = value.get<double>();
  }
  REQUIRE(expected.size() >= 4);  // two variants, two or more flood KPIs each
  CHECK(outcome["published"]["entities"] == expected.size());

  httplib::Client client("127.0.0.1", broker->port());
  client.set_read_timeout(20);
  const httplib::Headers smartDataModels{
      {"Link",
       "<https://smartdatamodels.org/context.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"; "
       "type=\"application/ld+json\""}};
  const auto listed = client.Get(
      "/ngsi-ld/v1/entities?type=KeyPerformanceIndicator&limit=1000&options=keyValues", smartDataModels);
  REQUIRE(listed);
  REQUIRE(listed->status == 200);
  const json entities = json::parse(listed->body);
  REQUIRE(entities.size() == expected.size());
  for (const auto& entity : entities) {
    INFO(entity.dump());
    const std::string name = entity["name"].get<std::string>();  // "model.kpi (variant)"
    const auto open = name.rfind(" (");
    REQUIRE(open != std::string::npos);
    const std::string key = name.substr(open + 2, name.size() - open - 3) + "|" + name.substr(0, open);
    REQUIRE(expected.count(key) == 1);
    CHECK(entity["kpiValue"].get<double>() == doctest::Approx(expected[key]).epsilon(1e-12));
    CHECK(entity["calculationPeriod"]["from"] == "2026-07-01T14:00:00.000Z");
    CHECK(entity["calculationPeriod"]["to"] == "2026-07-01T14:30:00.000Z");
    CHECK(entity["category"] == json::array({"quantitative"}));
    CHECK(entity["id"].get<std::string>().starts_with(
        "urn:ngsi-ld:KeyPerformanceIndicator:citytwin:publish%20check:"));
  }

  // A broker that is not there: a clear error naming --publish, and a non-zero exit.
  broker->stop();
  const auto refused = citytwin::testing::runCommand(
      {binary, "run", scenario, "--out", (scratch / "out2").string(), "--threads", "2", "--publish", url});
  CHECK(refused.exitCode != 0);
  CHECK(refused.standardError.find("--publish " + url) != std::string::npos);
}
