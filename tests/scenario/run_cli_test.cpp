#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"

using citytwin::testing::citytwinBinary;
using citytwin::testing::runCommand;

namespace {

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
  const auto scenario = citytwin::testing::writeScratchScenario("cli", kScenario);
  const auto out = citytwin::testing::scratchDirectory() / "cli-out";
  const auto result = runCommand(
      {citytwinBinary(), "run", scenario.string(), "--out", out.string(), "--json", "--threads", "2"});
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
  const auto scenario = citytwin::testing::writeScratchScenario("bad", text);
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

namespace {

// Names of the variants of a scenario file that close road links: close_road, or set_attribute of the
// road links' `closed` column.
std::set<std::string> variantsClosingRoads(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const citytwin::Value document = citytwin::scenario::parseToml(text.str(), file.string());
  std::set<std::string> names;
  const citytwin::Value* variants = document.find("variant");
  if (variants == nullptr) return names;
  for (const citytwin::Value& variant : variants->items()) {
    const citytwin::Value* interventions = variant.find("intervention");
    if (interventions == nullptr) continue;
    for (const citytwin::Value& intervention : interventions->items()) {
      auto text = [&](const char* key) {
        const citytwin::Value* node = intervention.find(key);
        return node != nullptr && node->isString() ? node->asString() : std::string();
      };
      if (text("kind") == "close_road" || (text("kind") == "set_attribute" && text("layer") == "road_link" &&
                                           text("attribute") == "closed")) {
        names.insert(variant.find("name")->asString());
      }
    }
  }
  return names;
}

}  // namespace

TEST_CASE("in every shipped scenario, a variant that closes roads costs more traffic delay than its base") {
  const char* source = std::getenv("CITYTWIN_SOURCE_DIR");
  REQUIRE_MESSAGE(source != nullptr, "CITYTWIN_SOURCE_DIR is not set");
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(source) / "scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    const std::set<std::string> closing = variantsClosingRoads(entry.path());
    if (closing.empty()) continue;
    // A copy in the scratch folder, so the city it generates on first use lands there, not in the checkout.
    const auto folder = citytwin::testing::scratchDirectory() / "shipped" / "scenarios";
    std::filesystem::create_directories(folder);
    const auto copy = folder / entry.path().filename();
    std::filesystem::copy_file(entry.path(), copy, std::filesystem::copy_options::overwrite_existing);
    const auto out = folder.parent_path() / "runs" / entry.path().stem();
    const auto result = runCommand({citytwinBinary(), "run", copy.string(), "--out", out.string(), "--json"});
    INFO(entry.path().filename().string() << ": " << result.standardError);
    REQUIRE(result.exitCode == 0);
    const nlohmann::json document = nlohmann::json::parse(result.standardOutput);
    const nlohmann::json& base = document["variants"][0];
    REQUIRE(base["name"] == "base");
    const double baseDelay = base["kpis"]["traffic.vehicle_hours_delay"].get<double>();
    const double baseTime = base["kpis"]["traffic.mean_travel_time_s"].get<double>();
    for (const nlohmann::json& variant : document["variants"]) {
      if (closing.count(variant["name"].get<std::string>()) == 0) continue;
      const nlohmann::json& kpis = variant["kpis"];
      INFO("variant " << variant["name"].get<std::string>());
      CHECK(kpis["traffic.vehicle_hours_delay"].get<double>() > baseDelay);
      CHECK(kpis["traffic.mean_travel_time_s"].get<double>() > baseTime);
      ++checked;
    }
  }
  CHECK(checked >= 1);
}

TEST_CASE("citytwin kpis lists every KPI with unit, direction, window and meaning") {
  const auto result = runCommand({citytwinBinary(), "kpis", "--json"});
  INFO(result.standardError);
  REQUIRE(result.exitCode == 0);
  const nlohmann::json document = nlohmann::json::parse(result.standardOutput);
  std::set<std::string> names;
  for (const nlohmann::json& kpi : document["kpis"]) {
    names.insert(kpi["name"].get<std::string>());
    CHECK(!kpi["unit"].get<std::string>().empty());
    CHECK(!kpi["meaning"].get<std::string>().empty());
    CHECK(!kpi["window"].get<std::string>().empty());
    const std::string direction = kpi["direction"].get<std::string>();
    CHECK((direction == "lower_is_better" || direction == "higher_is_better" || direction == "neutral"));
  }
  for (const char* expected : {"traffic.vehicle_hours_delay", "traffic.trip_completion_rate",
                               "flood.max_depth_m", "energy.unserved_energy_mwh", "energy.demand_mwh"})
    CHECK(names.count(expected) == 1);
  CHECK(names.count("energy.annual_demand_mwh") == 0);
}
