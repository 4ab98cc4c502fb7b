#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "citytwin/store/database.hpp"
#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"

using citytwin::testing::citytwinBinary;
using citytwin::testing::runCommand;
namespace fs = std::filesystem;

namespace {

// The example ensemble (scenarios/flood_ensemble.toml: 40 members of the base and of one variant) on a
// sample town generated into the scratch folder.
fs::path exampleEnsemble(const std::string& name, const std::string& extra = "",
                         const std::string& members = "40") {
  const char* source = std::getenv("CITYTWIN_SOURCE_DIR");
  REQUIRE(source != nullptr);
  std::ifstream in(fs::path(source) / "scenarios" / "flood_ensemble.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string scenario = text.str();
  auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = scenario.find(from);
    REQUIRE(at != std::string::npos);
    scenario.replace(at, from.size(), to);
  };
  replace("city = \"../out/sample-city.gpkg\"", "city = \"city/sample.gpkg\"");
  replace("members = 40", "members = " + members);
  if (!extra.empty()) replace("[[variant]]", extra + "\n[[variant]]");
  return citytwin::testing::writeScratchScenario(name, scenario);
}

// Every recorded KPI value, final and series, of the latest run, by variant, member, model and KPI: the
// values as SQLite prints them exactly (quote()), so equal text means bit-identical numbers.
std::string recordedKpis(const fs::path& database) {
  citytwin::store::Database db(database, citytwin::store::Database::Mode::ReadOnly);
  std::string rows;
  for (const char* sql :
       {"SELECT v.name, v.member, k.model, k.kpi, quote(k.value) FROM kpi_final k JOIN variants v ON v.id = "
        "k.variant_id WHERE v.run_id = (SELECT MAX(id) FROM runs) ORDER BY v.position, v.member, k.model, "
        "k.kpi",
        "SELECT v.name, v.member, s.model, s.kpi, s.t_s, quote(s.value) FROM kpi_series s JOIN variants v ON "
        "v.id "
        "= s.variant_id WHERE v.run_id = (SELECT MAX(id) FROM runs) ORDER BY v.position, v.member, s.model, "
        "s.kpi, "
        "s.t_s",
        "SELECT variant, model, kpi, members, quote(mean), quote(std), quote(p5), quote(p50), quote(p95) "
        "FROM "
        "ensemble_kpis WHERE run_id = (SELECT MAX(id) FROM runs) ORDER BY variant, model, kpi",
        "SELECT variant, expression, members, crossing FROM ensemble_thresholds WHERE run_id = (SELECT "
        "MAX(id) "
        "FROM runs) ORDER BY variant, expression"}) {
    citytwin::store::Statement query(db, sql);
    while (query.step()) {
      for (int c = 0; c < query.columnCount(); ++c)
        rows += query.text(c) + (c + 1 < query.columnCount() ? "|" : "\n");
    }
  }
  return rows;
}

std::string fileText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> mpirun(int ranks) {
  const char* launcher = std::getenv("CITYTWIN_MPIEXEC");
  std::vector<std::string> argv{launcher, "-np", std::to_string(ranks), "--oversubscribe"};
  // OpenMPI refuses to start as root unless told; tests and CI run as root.
  if (::geteuid() == 0) {
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  }
  return argv;
}

std::vector<std::string> concat(std::vector<std::string> first, const std::vector<std::string>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

}  // namespace

TEST_CASE(
    "the 40-member flood ensemble gives identical per-member KPIs in one process and on 1 and 2 MPI ranks") {
  const fs::path scenario = exampleEnsemble("flood_ensemble");
  const fs::path plainOut = citytwin::testing::scratchDirectory() / "plain";
  const auto plain =
      runCommand({citytwinBinary(), "run", scenario.string(), "--out", plainOut.string(), "--threads", "2"});
  INFO(plain.standardError);
  REQUIRE(plain.exitCode == 0);
  // The distribution table and the threshold probabilities are printed...
  CHECK(plain.standardOutput.find("ensemble of 40 members x 2 branches (80 simulations)") !=
        std::string::npos);
  CHECK(plain.standardOutput.find("p95") != std::string::npos);
  CHECK(plain.standardOutput.find("P(flood.buildings_over_0_3m > 350):  base") != std::string::npos);
  const std::string expected = recordedKpis(plainOut / "run.sqlite");
  // ... and stored: 80 members' final KPIs, both variants' distributions.
  CHECK(std::count(expected.begin(), expected.end(), '\n') > 80 * 10);
  CHECK(expected.find("wall|flood|buildings_over_0_3m|40|") != std::string::npos);
  CHECK(expected.find("base|flood.max_depth_m >= 3.7|40|") != std::string::npos);

  if (std::getenv("CITYTWIN_MPIEXEC") == nullptr) {
    MESSAGE("this build has no MPI (CITYTWIN_MPI off): the runs on ranks are not tested");
    return;
  }
  for (const int ranks : {1, 2}) {
    CAPTURE(ranks);
    const fs::path out = citytwin::testing::scratchDirectory() / ("ranks-" + std::to_string(ranks));
    const auto run = runCommand(concat(mpirun(ranks), {citytwinBinary(), "run", scenario.string(), "--out",
                                                       out.string(), "--threads", "1", "--json"}));
    INFO(run.standardError);
    REQUIRE(run.exitCode == 0);
    const nlohmann::json document = nlohmann::json::parse(run.standardOutput);  // rank 0's one document
    CHECK(document["variants"].size() == 80);
    CHECK(document["variants"][41]["member"] == 1);
    CHECK(document["ensemble"]["distributions"].size() == 2);
    CHECK(recordedKpis(out / "run.sqlite") == expected);
    for (const char* member : {"base/member-000", "base/member-039", "wall/member-017"}) {
      CAPTURE(member);
      CHECK(fileText(out / member / "kpis.json") == fileText(plainOut / member / "kpis.json"));
      CHECK(fileText(out / member / "flood_mass_balance.csv") ==
            fileText(plainOut / member / "flood_mass_balance.csv"));
    }
  }
}

TEST_CASE("a simulation failing on a rank fails the run with its message and records no results") {
  if (std::getenv("CITYTWIN_MPIEXEC") == nullptr) {
    MESSAGE("this build has no MPI (CITYTWIN_MPI off)");
    return;
  }
  // One member in six or so draws a negative cell size, which the flood model rejects when it builds.
  const fs::path scenario =
      exampleEnsemble("failing_ensemble",
                      "[[ensemble.scale]]\nmodel = \"flood\"\ninput = \"cell_size_m\"\n"
                      "distribution = \"discrete\"\nvalues = [1, -1]\nweights = [5, 1]\n",
                      "8");
  const fs::path out = citytwin::testing::scratchDirectory() / "failing";
  const auto run = runCommand(concat(
      mpirun(2), {citytwinBinary(), "run", scenario.string(), "--out", out.string(), "--threads", "1"}));
  CHECK(run.exitCode != 0);
  CHECK(run.standardError.find("citytwin: error: rank ") != std::string::npos);
  CHECK(run.standardError.find("key 'flood.cell_size_m': must not be negative") != std::string::npos);
  citytwin::store::Database db(out / "run.sqlite", citytwin::store::Database::Mode::ReadOnly);
  citytwin::store::Statement status(db, "SELECT status, message FROM runs");
  REQUIRE(status.step());
  CHECK(status.text(0) == "failed");
  citytwin::store::Statement results(db, "SELECT COUNT(*) FROM ensemble_kpis");
  REQUIRE(results.step());
  CHECK(results.integer(0) == 0);
  CHECK_FALSE(fs::exists(out / "base" / "member-000" / "kpis.json"));
}
