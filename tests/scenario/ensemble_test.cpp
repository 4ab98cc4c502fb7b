#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "citytwin/scenario/ensemble_statistics.hpp"
#include "citytwin/scenario/scenario_parser.hpp"
#include "citytwin/scenario/scenario_run.hpp"
#include "citytwin/store/database.hpp"
#include "citytwin/store/run_database.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "test_city.hpp"
#include "test_models.hpp"

using namespace citytwin;

namespace {

const char* kEnsemble = R"toml(name = "ensemble"
city = "tiny.gpkg"
start = 2026-07-01T08:00:00Z
duration = "12s"
seed = 42
models = ["producer", "noisy"]

[noisy]
gain = 2
profile = [[0, 1.0], [6, 3.0]]

[ensemble]
members = 5
thresholds = ["noisy.total_load > 10", "producer.steps<=6"]

[[ensemble.scale]]
model = "noisy"
input = "gain"
distribution = "lognormal"
median = 1.0
sigma = 0.5

[[ensemble.scale]]
model = "noisy"
input = "profile"
distribution = "discrete"
values = [0.5, 2]

[[ensemble.fail]]
layer = "road_link"
ids = ["tiny:way/1:0:f", "tiny:way/2:0:f"]
probability = 0.5

[[variant]]
name = "quiet"
[[variant.intervention]]
kind = "disable_model"
model = "producer"
)toml";

sim::ModelRegistry registry() {
  sim::ModelRegistry result;
  citytwin::testing::registerTestModels(result);
  return result;
}

scenario::Scenario parse(const std::string& text) {
  return scenario::parseScenario(text, "/data/scenarios/ensemble.toml", registry());
}

std::string edited(const std::string& from, const std::string& to) {
  std::string text = kEnsemble;
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

#define CHECK_ENSEMBLE_ERROR(text, expected) \
  CHECK_THROWS_WITH_AS(parse(text), doctest::Contains(expected), InputError)

}  // namespace

TEST_CASE("an [ensemble] table becomes members, perturbations and thresholds") {
  const scenario::Scenario spec = parse(kEnsemble);
  REQUIRE(spec.ensemble.has_value());
  CHECK(spec.memberCount() == 5);
  REQUIRE(spec.ensemble->scales.size() == 2);
  CHECK(spec.ensemble->scales[0].input == "gain");
  CHECK(spec.ensemble->scales[0].factor.kind == scenario::Distribution::Kind::Lognormal);
  REQUIRE(spec.ensemble->failures.size() == 1);
  CHECK(spec.ensemble->failures[0].probability == 0.5);
  REQUIRE(spec.ensemble->thresholds.size() == 2);
  CHECK(spec.ensemble->thresholds[1].model == "producer");
  CHECK(spec.ensemble->thresholds[1].kpi == "steps");
  CHECK(spec.ensemble->thresholds[1].crossedBy(6.0));
  CHECK_FALSE(spec.ensemble->thresholds[1].crossedBy(7.0));

  const std::vector<scenario::BranchRun> runs = scenario::branchRuns(spec);
  REQUIRE(runs.size() == 10);
  CHECK(runs[7].branch == 1);
  CHECK(runs[7].member == 2);
  CHECK(scenario::runFolder(spec, runs[7]) == std::filesystem::path("quiet/member-002"));
}

TEST_CASE("ensemble keys are checked with file, line and key, and misspellings get a suggestion") {
  CHECK_ENSEMBLE_ERROR(edited("members = 5", "member = 5"),
                       "ensemble.toml:13: key 'ensemble.member': unknown key (did you mean 'members'?)");
  CHECK_ENSEMBLE_ERROR(edited("members = 5", "members = 0"),
                       "key 'ensemble.members': expected a number of members");
  CHECK_ENSEMBLE_ERROR(edited("sigma = 0.5", "sigma = 0.5\nsigmma = 1"),
                       "key 'ensemble.scale[1].sigmma': unknown key (did you mean 'sigma'?)");
  CHECK_ENSEMBLE_ERROR(edited("\"lognormal\"", "\"lognormall\""),
                       "unknown distribution 'lognormall' (did you mean 'lognormal'?)");
  CHECK_ENSEMBLE_ERROR(
      edited("input = \"gain\"", "input = \"gian\""),
      "ensemble.toml:18: key 'ensemble.scale[1].input': the [noisy] table has no input 'gian'");
  CHECK_ENSEMBLE_ERROR(edited("\"noisy.total_load > 10\"", "\"noisy.total_lod > 10\""),
                       "model 'noisy' has no KPI 'total_lod' (did you mean 'total_load'?)");
  CHECK_ENSEMBLE_ERROR(
      edited("\"noisy.total_load > 10\"", "\"noisy.total_load is big\""),
      "ensemble.toml:14: key 'ensemble.thresholds': expected \"<model>.<kpi> <op> <number>\"");
  CHECK_ENSEMBLE_ERROR(edited("probability = 0.5", "probability = 1.5"),
                       "key 'ensemble.fail[1].probability': expected a probability");
  CHECK_ENSEMBLE_ERROR(edited("layer = \"road_link\"", "layer = \"road_lnk\""),
                       "key 'ensemble.fail[1].layer'");
  CHECK_ENSEMBLE_ERROR(edited("values = [0.5, 2]", "values = [0.5, 2]\nweights = [1]"),
                       "expected one weight per value (2)");
}

TEST_CASE("each member draws from its own seed stream, the same every time, whatever else runs") {
  const scenario::Scenario spec = parse(kEnsemble);
  const city::CityModel city = citytwin::testing::stepTestCity();
  std::set<double> gains;
  for (int member = 0; member < 5; ++member) {
    std::vector<sim::Event> draws;
    const sim::BranchSpec first = scenario::makeBranchSpec(spec, {0, member}, city, "/tmp/a", &draws);
    std::vector<sim::Event> again;
    const sim::BranchSpec second = scenario::makeBranchSpec(spec, {0, member}, city, "/tmp/b", &again);
    CHECK(first.seed == second.seed);
    CHECK(draws == again);
    const double gain = first.modelParameters.at("noisy").find("gain")->asNumber();
    CHECK(gain == second.modelParameters.at("noisy").find("gain")->asNumber());
    gains.insert(gain);
    // A [time, value] series keeps its times and scales its values.
    const Value& profile = *first.modelParameters.at("noisy").find("profile");
    CHECK(profile.items()[1].items()[0].asNumber() == 6.0);
    const double factor = profile.items()[0].items()[1].asNumber();
    CHECK((factor == 0.5 || factor == 2.0));
    // The variant's member draws what the base's member of that index draws (common random numbers).
    const sim::BranchSpec variant = scenario::makeBranchSpec(spec, {1, member}, city, "/tmp/c");
    CHECK(variant.modelParameters.at("noisy").find("gain")->asNumber() == gain);
  }
  CHECK(gains.size() == 5);  // members differ
}

TEST_CASE("distributions draw what they say") {
  SplitMix64 stream(7);
  scenario::Distribution uniform;
  uniform.kind = scenario::Distribution::Kind::Uniform;
  uniform.first = 2.0;
  uniform.second = 4.0;
  scenario::Distribution lognormal;
  lognormal.kind = scenario::Distribution::Kind::Lognormal;
  lognormal.first = 1.5;
  lognormal.second = 0.4;
  scenario::Distribution discrete;
  discrete.kind = scenario::Distribution::Kind::Discrete;
  discrete.values = {1.0, 2.0};
  discrete.weights = {0.25, 1.0};
  std::vector<double> u;
  std::vector<double> l;
  int ones = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    u.push_back(uniform.draw(stream));
    l.push_back(lognormal.draw(stream));
    ones += discrete.draw(stream) == 1.0 ? 1 : 0;
  }
  CHECK(*std::min_element(u.begin(), u.end()) >= 2.0);
  CHECK(*std::max_element(u.begin(), u.end()) < 4.0);
  std::sort(l.begin(), l.end());
  // The median of a lognormal is its `median`; the log's spread is sigma (standard errors ~0.01 here).
  CHECK(scenario::quantileOfSorted(l, 0.5) == doctest::Approx(1.5).epsilon(0.02));
  CHECK(std::log(scenario::quantileOfSorted(l, 0.8413) / 1.5) == doctest::Approx(0.4).epsilon(0.05));
  CHECK(static_cast<double>(ones) / n == doctest::Approx(0.25).epsilon(0.05));
}

TEST_CASE("member statistics: mean, sample std, numpy-style percentiles and threshold shares") {
  // numpy.percentile([1..10], [5, 50, 95]) = 1.45, 5.5, 9.55; numpy.std(ddof=1) = 3.0276503540974917
  std::vector<std::map<std::string, sim::Kpis>> members;
  for (int i = 10; i >= 1; --i) members.push_back({{"m", {{"k", static_cast<double>(i)}}}});
  std::vector<const std::map<std::string, sim::Kpis>*> pointers;
  for (const auto& member : members) pointers.push_back(&member);
  const std::vector<scenario::Threshold> thresholds{scenario::Threshold::parse("m.k >= 8", {}),
                                                    scenario::Threshold::parse("m.k < 2", {})};
  const scenario::VariantDistribution result = scenario::summariseMembers("base", pointers, thresholds);
  REQUIRE(result.kpis.size() == 1);
  CHECK(result.kpis[0].mean == 5.5);
  CHECK(result.kpis[0].std == doctest::Approx(3.0276503540974917));
  CHECK(result.kpis[0].p5 == doctest::Approx(1.45));
  CHECK(result.kpis[0].p50 == doctest::Approx(5.5));
  CHECK(result.kpis[0].p95 == doctest::Approx(9.55));
  CHECK(result.thresholds[0].crossing == 3);
  CHECK(result.thresholds[0].probability == doctest::Approx(0.3));
  CHECK(result.thresholds[1].probability == doctest::Approx(0.1));
}

TEST_CASE("an ensemble run records every member and each variant's distribution") {
  const scenario::Scenario spec = parse(kEnsemble);
  const city::CityModel city = citytwin::testing::stepTestCity();
  const sim::ModelRegistry models = registry();
  scenario::RunOptions options;
  options.outDirectory = citytwin::testing::scratchDirectory() / "ensemble-run";
  options.showProgress = false;
  const scenario::RunOutcome outcome = scenario::runScenario(spec, city, models, options);
  CHECK(outcome.status == store::RunStatus::Completed);
  REQUIRE(outcome.variants.size() == 10);
  REQUIRE(outcome.distributions.size() == 2);
  CHECK(outcome.distributions[1].variant == "quiet");
  CHECK(std::filesystem::exists(options.outDirectory / "quiet" / "member-004" / "kpis.json"));

  store::Database database(options.outDirectory / "run.sqlite");
  store::Statement members(database,
                           "SELECT COUNT(*), COUNT(DISTINCT member) FROM variants WHERE member IS NOT NULL");
  REQUIRE(members.step());
  CHECK(members.integer(0) == 10);
  CHECK(members.integer(1) == 5);
  store::Statement stats(
      database, "SELECT members, mean FROM ensemble_kpis WHERE variant = 'base' AND kpi = 'total_load'");
  REQUIRE(stats.step());
  CHECK(stats.integer(0) == 5);
  CHECK(stats.real(1) == doctest::Approx(outcome.distributions[0].kpis[0].mean));
  store::Statement shares(database, "SELECT COUNT(*) FROM ensemble_thresholds");
  REQUIRE(shares.step());
  CHECK(shares.integer(0) == 4);
  store::Statement draws(database,
                         "SELECT COUNT(*) FROM events WHERE source = 'ensemble' AND kind = 'scaled_input'");
  REQUIRE(draws.step());
  CHECK(draws.integer(0) == 20);
}

TEST_CASE("a run database of schema 1 is migrated to schema 2 with its rows") {
  const auto path = citytwin::testing::scratchDirectory() / "schema1.sqlite";
  {
    store::Database old(path);
    old.execute(R"sql(
CREATE TABLE schema_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO schema_info VALUES ('run_schema_version', '1');
CREATE TABLE runs (id INTEGER PRIMARY KEY, scenario_path TEXT NOT NULL, scenario_name TEXT NOT NULL,
  scenario_text TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, status TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '', threads INTEGER NOT NULL, seconds REAL);
CREATE TABLE variants (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
  position INTEGER NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL,
  reached_s REAL NOT NULL, end_s REAL NOT NULL, UNIQUE (run_id, name));
CREATE TABLE kpi_final (variant_id INTEGER NOT NULL REFERENCES variants(id), model TEXT NOT NULL,
  kpi TEXT NOT NULL, value REAL, PRIMARY KEY (variant_id, model, kpi));
INSERT INTO runs VALUES (1, 's.toml', 's', '', '2026-01-01T00:00:00Z', NULL, 'completed', '', 1, 1.0);
INSERT INTO variants VALUES (5, 1, 0, 'base', '', 'completed', 10, 10);
INSERT INTO kpi_final VALUES (5, 'm', 'k', 2.5);
)sql");
  }
  store::RunDatabase migrated(path);
  store::Statement version(migrated.database(),
                           "SELECT value FROM schema_info WHERE key = 'run_schema_version'");
  REQUIRE(version.step());
  CHECK(version.text(0) == "2");
  store::Statement rows(
      migrated.database(),
      "SELECT v.id, v.member IS NULL, k.value FROM variants v JOIN kpi_final k ON k.variant_id = v.id");
  REQUIRE(rows.step());
  CHECK(rows.integer(0) == 5);
  CHECK(rows.integer(1) == 1);
  CHECK(rows.real(2) == 2.5);
  // A plain variant's name stays unique within its run; members share it.
  CHECK_THROWS(migrated.database().execute(
      "INSERT INTO variants (run_id, position, name, description, status, reached_s, end_s) "
      "VALUES (1, 0, 'base', '', 'completed', 1, 1)"));
  migrated.database().execute(
      "INSERT INTO variants (run_id, position, name, description, status, reached_s, end_s, member) "
      "VALUES (1, 0, 'base', '', 'completed', 1, 1, 0)");
}
