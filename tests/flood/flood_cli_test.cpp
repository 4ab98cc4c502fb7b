// `citytwin flood run --lisflood` and `citytwin bench flood` through the real binary.

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "citytwin/testing/shared_data.hpp"

namespace fs = std::filesystem;

namespace {

struct Result {
  int status = 0;
  std::string out;
};

Result run(const std::string& arguments) {
  const char* binary = std::getenv("CITYTWIN_BINARY");
  REQUIRE(binary != nullptr);
  const std::string command = std::string(binary) + " " + arguments + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), &pclose);
  REQUIRE(pipe != nullptr);
  Result result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) result.out.append(buffer.data(), n);
  result.status = pclose(pipe.release());
  return result;
}

}  // namespace

TEST_CASE("citytwin flood run --lisflood writes LISFLOOD-FP outputs and one JSON document") {
  const fs::path folder = citytwin::testing::scratchDirectory() / "cli-case";
  fs::create_directories(folder);
  {
    std::ofstream dem(folder / "dem.asc");
    dem << "ncols 10\nnrows 3\nxllcorner 0\nyllcorner 0\ncellsize 5\nNODATA_value -9999\n";
    for (int r = 0; r < 3; ++r) dem << "1 1 1 1 1 1 1 1 1 1\n";
    std::ofstream(folder / "case.bci") << "W 0 15 QFIX 0.1\n";
    std::ofstream(folder / "case.par") << "DEMfile dem.asc\nresroot r\nsim_time 60\ninitial_tstep 1\nmassint 30\nsaveint 30\nfpfric 0.03\nbcifile case.bci\n";
  }
  const fs::path out = folder / "out";
  // Float by default (as the city model); double on request conserves mass to round-off.
  for (const std::string precision : {"", " --precision double"}) {
    CAPTURE(precision);
    const Result result = run("flood run --lisflood " + (folder / "case.par").string() + " --out " +
                              out.string() + precision + " --json");
    CHECK(result.status == 0);
    const auto document = nlohmann::json::parse(result.out);
    CHECK(document.at("steps").get<long long>() > 0);
    CHECK(std::abs(document.at("mass_balance").at("relative_error").get<double>()) <
          (precision.empty() ? 1e-5 : 1e-9));
    for (const char* name : {"r-0000.wd", "r-0001.wd", "r-0002.wd", "r.max", "r.mass"})
      CHECK(fs::exists(out / name));
  }

  const Result missing = run("flood run --lisflood " + (folder / "absent.par").string());
  CHECK(missing.status != 0);
}

TEST_CASE("citytwin bench flood --json reports the required keys") {
  const Result result = run("bench flood --json --cells 40000 --steps 3 --wet-cells 40000 --wet-time 120");
  CHECK(result.status == 0);
  const auto document = nlohmann::json::parse(result.out);
  for (const char* key :
       {"wet_local_inertial_cell_updates_per_s", "wet_par_cell_updates_per_s", "wet_effective_gb_per_s",
        "local_inertial_cell_updates_per_s", "finite_volume_cell_updates_per_s", "stream_triad_gb_per_s"})
    CHECK(document.at(key).get<double>() > 0.0);
  CHECK(document.at("identical_across_threads").get<bool>());
  CHECK(document.at("wet_identical_across_threads").get<bool>());
  CHECK(document.at("runs").size() == 4);
  // The fully wet case stays fully wet, through both paths and for 1 and 2 threads.
  for (const char* rows : {"wet_scenario_runs", "wet_par_runs"}) {
    CHECK(document.at(rows).size() == 2);
    for (const auto& row : document.at(rows)) CHECK(row.at("wet_fraction").get<double>() == 1.0);
  }
}
