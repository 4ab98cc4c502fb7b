#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "citytwin/testing/shared_data.hpp"

namespace {

struct Output {
  int status = -1;
  std::string text;
};

Output run(const std::string& arguments) {
  const char* binary = std::getenv("CITYTWIN_BINARY");
  REQUIRE(binary != nullptr);
  Output output;
  FILE* pipe = popen((std::string(binary) + " " + arguments + " 2>/dev/null").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe)) output.text += buffer.data();
  const int status = pclose(pipe);
  output.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

}  // namespace

TEST_CASE("citytwin traffic assign --json solves Sioux Falls and writes flows") {
  const auto folder = citytwin::testing::sharedData("traffic/tntp");
  if (!folder) return;
  const auto flows = citytwin::testing::scratchDirectory() / "sf_flow.tntp";
  const Output out = run("traffic assign --net " + (*folder / "SiouxFalls_net.tntp").string() + " --trips " +
                         (*folder / "SiouxFalls_trips.tntp").string() + " --gap 1e-8 --json --flows " + flows.string());
  REQUIRE(out.status == 0);
  const nlohmann::json document = nlohmann::json::parse(out.text);
  CHECK(document.at("relative_gap").get<double>() <= 1e-8);
  CHECK(document.at("beckmann").get<double>() == doctest::Approx(4231335.28710744).epsilon(1e-6));
  for (const char* key : {"tstt", "iterations", "seconds"}) CHECK(document.contains(key));
  std::ifstream written(flows);
  std::string header;
  std::getline(written, header);
  CHECK(header.rfind("From", 0) == 0);
}

TEST_CASE("citytwin traffic assign reports a bad file with its line") {
  const auto bad = citytwin::testing::scratchDirectory() / "bad_net.tntp";
  std::ofstream(bad) << "<NUMBER OF ZONES> 1\n<NUMBER OF NODES> 2\n<NUMBER OF LINKS> 1\n<END OF METADATA>\n1 2 x 1 1 0 4 ;\n";
  const char* binary = std::getenv("CITYTWIN_BINARY");
  REQUIRE(binary != nullptr);
  const std::string command = std::string(binary) + " traffic assign --net " + bad.string() + " --trips " + bad.string() +
                              " --json > /dev/null 2> " + (citytwin::testing::scratchDirectory() / "err.txt").string();
  const int status = std::system(command.c_str());
  CHECK(WEXITSTATUS(status) == 1);
  std::ifstream error(citytwin::testing::scratchDirectory() / "err.txt");
  const std::string message((std::istreambuf_iterator<char>(error)), std::istreambuf_iterator<char>());
  CHECK(message.find("bad_net.tntp:5") != std::string::npos);
  CHECK(message.find("capacity") != std::string::npos);
}
