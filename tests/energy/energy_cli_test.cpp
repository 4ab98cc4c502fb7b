// The `citytwin energy` verbs as a user runs them: JSON on stdout, CSV output, and errors with exit code 1.
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "citytwin/testing/shared_data.hpp"

namespace {

struct Run {
  int exitCode;
  std::string out;
};

Run run(const std::string& arguments) {
  const char* binary = std::getenv("CITYTWIN_BINARY");
  REQUIRE(binary != nullptr);
  const std::string command = std::string(binary) + " " + arguments + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) out += buffer.data();
  const int status = pclose(pipe);
  return {WEXITSTATUS(status), out};
}

// Two buses: a slack feeding 50 MW + 20 Mvar through 0.01 + j0.1 p.u.
const char* kCase = R"(function mpc = twobus
mpc.baseMVA = 100;
mpc.bus = [
	1	3	0	0	0	0	1	1	0	10	1	1.1	0.9;
	2	1	50	20	0	0	1	1	0	10	1	1.1	0.9;
];
mpc.gen = [
	1	0	0	300	-300	1	100	1	250	10;
];
mpc.branch = [
	1	2	0.01	0.1	0	0	0	0	0	0	1	-360	360;
];
)";

}  // namespace

TEST_CASE("energy powerflow --json and --out") {
  const auto dir = citytwin::testing::scratchDirectory();
  const auto casePath = dir / "twobus.m";
  std::ofstream(casePath) << kCase;
  const auto csv = dir / "buses.csv";
  const Run r = run("energy powerflow --matpower " + casePath.string() + " --out " + csv.string() + " --json");
  REQUIRE(r.exitCode == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc.at("converged").get<bool>());
  CHECK(doc.at("iterations").get<int>() >= 2);
  CHECK(doc.at("losses_mw").get<double>() > 0);
  CHECK(doc.at("seconds").get<double>() >= 0);
  std::ifstream in(csv);
  std::string header, first, second;
  std::getline(in, header);
  std::getline(in, first);
  std::getline(in, second);
  CHECK(header == "bus_i,Vm,Va_deg");
  CHECK(first.rfind("1,1.0000000000,0.0", 0) == 0);
  CHECK(second.rfind("2,0.9", 0) == 0);
}

TEST_CASE("energy powerflow reports a malformed case with its line and exit code 1") {
  const auto casePath = citytwin::testing::scratchDirectory() / "broken.m";
  std::string text = kCase;
  text.replace(text.find("0.01	0.1"), 9, "0.01	x");
  std::ofstream(casePath) << text;
  const Run r = run("energy powerflow --matpower " + casePath.string() + " --json");
  CHECK(r.exitCode == 1);
  // With --json the error is one JSON object on stdout (and the message on stderr).
  CHECK(nlohmann::json::parse(r.out).at("error").at("exit_code") == 1);
}

TEST_CASE("energy building --json prints the annual figures") {
  const auto spec = citytwin::testing::sharedData("energy/bestest/case600ff.toml");
  const auto epw = citytwin::testing::sharedData("energy/weather/USA_CO_Denver.Intl.AP.725650_TMY3.epw");
  if (!spec || !epw) return;
  const Run r = run("energy building --spec " + spec->string() + " --weather " + epw->string() + " --json");
  REQUIRE(r.exitCode == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc.at("annual_heating_mwh").get<double>() == 0.0);
  const auto& air = doc.at("air_temperature_c");
  CHECK(air.at("min").get<double>() < air.at("mean").get<double>());
  CHECK(air.at("mean").get<double>() < air.at("max").get<double>());
}

TEST_CASE("energy network checks a network file against a generated city") {
  const auto dir = citytwin::testing::scratchDirectory();
  const auto city = dir / "network-town.gpkg";
  std::filesystem::remove(city);
  REQUIRE(run("city generate --out " + city.string() + " --size-km 1 --seed 1 --json").exitCode == 0);
  // One substation with the id of the town's riverside primary and one bus, near the town centre.
  const auto file = dir / "town-grid.geojson";
  std::ofstream(file) << R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [500000, 5000000]},
     "properties": {"kind": "substation", "id": "sample:substation/primary-1", "kv": 20, "rated_mva": 40}},
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [500200, 5000000]},
     "properties": {"kind": "bus", "id": "east", "kv": 20}},
    {"type": "Feature", "geometry": null,
     "properties": {"kind": "line", "id": "c1", "from": "sample:substation/primary-1", "to": "east",
                    "length_km": 0.2, "r_ohm_per_km": 0.206, "x_ohm_per_km": 0.116, "rated_amps": 319}}]})";
  const Run r = run("energy network --file " + file.string() + " --city " + city.string() +
                    " --service-radius 5000 --json");
  REQUIRE(r.exitCode == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc.at("substations").get<int>() == 1);
  CHECK(doc.at("buses").get<int>() == 2);
  CHECK(doc.at("lines").get<int>() == 1);
  CHECK(doc.at("buildings_connected").get<int>() > 500);
  CHECK(doc.at("buildings_not_connected").get<int>() == 0);
  CHECK(doc.at("substations_at_city_sites").get<int>() == 1);

  // A line to a bus that is not there: exit code 1 and only the error object on stdout.
  std::string text;
  {
    std::ifstream in(file);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  text.replace(text.find(R"("to": "east")"), 12, R"("to": "west")");
  std::ofstream(file) << text;
  const Run bad = run("energy network --file " + file.string() + " --city " + city.string() + " --json");
  CHECK(bad.exitCode == 1);
  CHECK(nlohmann::json::parse(bad.out).at("error").at("message").get<std::string>().find("west") !=
        std::string::npos);
}
