#include <doctest/doctest.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"

using citytwin::testing::citytwinBinary;
using citytwin::testing::runCommand;

namespace {

std::filesystem::path writeScenario(const std::string& name, const std::string& text) {
  const auto path = citytwin::testing::scratchDirectory() / (name + ".toml");
  std::ofstream(path) << text;
  return path;
}

const char* kScenario = R"toml(name = "cli"
city = "city/town.gpkg"
generate = { size_km = 1, seed = 5 }
start = 2026-07-01T07:00:00Z
duration = "10m"
models = []

[[variant]]
name = "closed"
[[variant.intervention]]
kind = "set_attribute"
layer = "road_link"
attribute = "closed"
value = 1
where = { bridge = true }
)toml";

}  // namespace

TEST_CASE("citytwin run generates the missing city, runs base and variants, and prints one JSON document") {
  const auto scenario = writeScenario("cli", kScenario);
  const auto out = citytwin::testing::scratchDirectory() / "cli-out";
  const auto result = runCommand({citytwinBinary(), "run", scenario.string(), "--out", out.string(), "--json",
                                  "--threads", "2"});
  INFO(result.standardError);
  REQUIRE(result.exitCode == 0);
  const nlohmann::json document = nlohmann::json::parse(result.standardOutput);
  CHECK(document.size() == 3);
  CHECK(document["scenario"] == "cli");
  REQUIRE(document["variants"].size() == 2);
  CHECK(document["variants"][0]["name"] == "base");
  CHECK(document["variants"][1]["name"] == "closed");
  CHECK(document["variants"][1]["kpis"].is_object());
  CHECK(document["seconds"].is_number());
  CHECK(std::filesystem::exists(scenario.parent_path() / "city" / "town.gpkg"));
  CHECK(std::filesystem::exists(out / "run.sqlite"));
  CHECK(std::filesystem::exists(out / "closed" / "kpis.json"));

  // The table form names both variants.
  const auto table = runCommand({citytwinBinary(), "run", scenario.string(), "--out", out.string()});
  CHECK(table.exitCode == 0);
  CHECK(table.standardOutput.find("closed") != std::string::npos);
  CHECK(table.standardOutput.find("run database") != std::string::npos);
}

TEST_CASE("citytwin run rejects a bad scenario with file, line and key, and exit code 1") {
  std::string text = kScenario;
  text.replace(text.find("duration = \"10m\""), 16, "duration = \"ten minutes\"");
  const auto scenario = writeScenario("bad", text);
  const auto result = runCommand({citytwinBinary(), "run", scenario.string(), "--out",
                                  (citytwin::testing::scratchDirectory() / "bad-out").string()});
  CHECK(result.exitCode == 1);
  CHECK(result.standardError.find("bad.toml:5: key 'duration'") != std::string::npos);
  CHECK(result.standardOutput.empty());
  CHECK_FALSE(std::filesystem::exists(citytwin::testing::scratchDirectory() / "bad-out" / "run.sqlite"));

  const auto missing = runCommand({citytwinBinary(), "run", "/no/such.toml"});
  CHECK(missing.exitCode == 1);
  CHECK(missing.standardError.find("/no/such.toml") != std::string::npos);
}

TEST_CASE("citytwin bench sim reports the overhead for 1, 100 and 10,000 models") {
  const auto result = runCommand({citytwinBinary(), "bench", "sim", "--json"});
  REQUIRE(result.exitCode == 0);
  const nlohmann::json document = nlohmann::json::parse(result.standardOutput);
  std::vector<std::size_t> models;
  for (const auto& row : document["results"]) {
    models.push_back(row["models"].get<std::size_t>());
    CHECK(row["ns_per_model_step"].get<double>() > 0.0);
  }
  CHECK(models == std::vector<std::size_t>{1, 100, 10000, 1, 100, 10000});
}
