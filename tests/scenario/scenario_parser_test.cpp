#include <doctest/doctest.h>

#include <functional>

#include "citytwin/core/date_time.hpp"
#include "citytwin/scenario/scenario_parser.hpp"
#include "citytwin/sim/time_text.hpp"
#include "test_city.hpp"
#include "test_models.hpp"

using namespace citytwin;

namespace {

const char* kValid = R"toml(name = "storm"
description = "A test"
city = "cities/tiny.gpkg"
generate = { size_km = 1.5, seed = 3 }
start = 2026-07-01T08:00:00Z
duration = "30s"
step = "10s"
seed = 42
models = ["producer", "consumer"]

[steps]
consumer = "2s"

[noisy]
gain = 2
profile = [1, 2, 3]

[producer]
offset = 0.5

[[variant]]
name = "warm"
description = "residential buildings at twice the factor"
[[variant.intervention]]
kind = "set_attribute"
layer = "building"
attribute = "factor"
value = 2.0
where = { use = "residential" }
[[variant.intervention]]
kind = "enable_model"
model = "noisy"
[[variant.intervention]]
kind = "boost"
amount = 1.5

[[variant]]
name = "quiet"
seed = 9
[[variant.intervention]]
kind = "disable_model"
model = "consumer"
)toml";

sim::ModelRegistry registry() {
  sim::ModelRegistry result;
  citytwin::testing::registerTestModels(result);
  return result;
}

scenario::Scenario parse(const std::string& text) {
  return scenario::parseScenario(text, "/data/scenarios/test.toml", registry());
}

// Replaces the first occurrence of `from` in the valid scenario.
std::string edited(const std::string& from, const std::string& to) {
  std::string text = kValid;
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

#define CHECK_SCENARIO_ERROR(text, expected) \
  CHECK_THROWS_WITH_AS(parse(text), doctest::Contains(expected), InputError)

}  // namespace

TEST_CASE("a valid scenario file becomes a Scenario with resolved paths, times, models and variants") {
  const scenario::Scenario spec = parse(kValid);
  CHECK(spec.name == "storm");
  CHECK(spec.city == std::filesystem::path("/data/scenarios/cities/tiny.gpkg"));
  REQUIRE(spec.generate.has_value());
  CHECK(spec.generate->sizeKm == 1.5);
  CHECK(spec.generate->seed == 3);
  CHECK(spec.startIso8601() == "2026-07-01T08:00:00Z");
  CHECK(spec.duration == 30 * sim::kSecond);
  CHECK(spec.reportStep == 10 * sim::kSecond);
  CHECK(spec.seed == 42);
  CHECK(spec.models == std::vector<std::string>{"producer", "consumer"});
  CHECK(spec.modelSteps.at("consumer") == 2 * sim::kSecond);
  REQUIRE(spec.branchCount() == 3);
  CHECK(spec.branchName(0) == "base");
  CHECK(scenario::branchModels(spec, 1) == std::vector<std::string>{"producer", "consumer", "noisy"});
  std::vector<std::string> kinds;
  for (const sim::Intervention& intervention : spec.variants[0].interventions) kinds.push_back(intervention.kind);
  CHECK(kinds == std::vector<std::string>{"set_attribute", "enable_model", "boost"});
  CHECK(spec.branchSeed(1) == 42);
  CHECK(scenario::branchModels(spec, 2) == std::vector<std::string>{"producer"});
  CHECK(spec.branchSeed(2) == 9);
  CHECK(spec.locationOf("variant[2]").line == 37);

  CHECK(parse(edited("duration = \"30s\"", "end = \"2026-07-01T08:00:30+00:00\"")).duration == 30 * sim::kSecond);
  // "all" runs every registered model, in name order.
  CHECK(parse(edited("models = [\"producer\", \"consumer\"]", "models = \"all\"")).models ==
        std::vector<std::string>{"consumer", "noisy", "producer"});
}

TEST_CASE("branch specs carry copies of the tables with their source lines") {
  const scenario::Scenario spec = parse(kValid);
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::BranchSpec branch = scenario::makeBranchSpec(spec, 1, city, "/tmp/out/warm");
  CHECK(branch.name == "warm");
  CHECK(branch.interventions.size() == 3);
  CHECK(branch.interventions[2].locationOf("amount").line == 35);
  CHECK(branch.modelParameters.at("noisy").find("gain")->toNumber() == 2.0);
  CHECK(branch.modelParameters.at("producer").find("offset")->line() == 19);
  CHECK(branch.scenarioDirectory == std::filesystem::path("/data/scenarios"));
}

TEST_CASE("malformed TOML names the line") {
  CHECK_SCENARIO_ERROR(edited("seed = 42", "seed = = 42"), "test.toml:8: not valid TOML");
}

TEST_CASE("unknown keys name the line and key, at every level") {
  CHECK_SCENARIO_ERROR(edited("seed = 42", "seed = 42\ncolour = 'red'"), "test.toml:9: key 'colour': unknown key");
  CHECK_SCENARIO_ERROR(edited("generate = { size_km = 1.5, seed = 3 }", "generate = { size_km = 1.5, sead = 3 }"),
                       "test.toml:4: key 'generate.sead': unknown key");
  CHECK_SCENARIO_ERROR(edited("description = \"residential", "descripton = \"residential"),
                       "test.toml:23: key 'variant[1].descripton': unknown key");
  CHECK_SCENARIO_ERROR(edited("value = 2.0", "value = 2.0\nvalu = 3"),
                       "test.toml:29: key 'variant[1].intervention[1].valu': unknown key");
  CHECK_SCENARIO_ERROR(edited("[noisy]", "[noisey]"), "test.toml:14: key 'noisey': unknown key");
  CHECK_SCENARIO_ERROR(edited("consumer = \"2s\"", "consumr = \"2s\""), "test.toml:12: key 'steps.consumr': unknown model");
}

TEST_CASE("wrong types name the line and key") {
  CHECK_SCENARIO_ERROR(edited("seed = 42", "seed = \"42\""), "test.toml:8: key 'seed': expected an integer, found a string");
  CHECK_SCENARIO_ERROR(edited("models = [\"producer\", \"consumer\"]", "models = \"producer\""),
                       "test.toml:9: key 'models': expected an array of model names or \"all\"");
  CHECK_SCENARIO_ERROR(edited("models = [\"producer\", \"consumer\"]", "models = 3"),
                       "test.toml:9: key 'models': expected an array, found an integer");
  CHECK_SCENARIO_ERROR(edited("city = \"cities/tiny.gpkg\"", "city = 3"), "test.toml:3: key 'city': expected a string");
  CHECK_SCENARIO_ERROR(edited("value = 2.0", "value = \"high\""),
                       "test.toml:28: key 'variant[1].intervention[1].value': expected a number");
  CHECK_SCENARIO_ERROR(edited("where = { use = \"residential\" }", "where = { use = 3 }"),
                       "test.toml:29: key 'variant[1].intervention[1].where.use': expected a string");
  CHECK_SCENARIO_ERROR(edited("start = 2026-07-01T08:00:00Z", "start = 5"), "test.toml:5: key 'start': expected an ISO 8601");
}

TEST_CASE("bad times and durations name the line and key") {
  CHECK_SCENARIO_ERROR(edited("start = 2026-07-01T08:00:00Z", "start = \"2026-13-01T08:00:00Z\""),
                       "test.toml:5: key 'start': '2026-13-01T08:00:00Z' is not an ISO 8601 date-time");
  CHECK_SCENARIO_ERROR(edited("duration = \"30s\"", "end = 2026-07-01T07:00:00Z"), "test.toml:6: key 'end': must be after start");
  CHECK_SCENARIO_ERROR(edited("duration = \"30s\"", "duration = \"30 seconds\""),
                       "test.toml:6: key 'duration': '30 seconds' is not a duration");
  CHECK_SCENARIO_ERROR(edited("duration = \"30s\"", "duration = \"30s\"\nend = 2026-07-02T00:00:00Z"),
                       "key 'duration': give either end or duration");
  CHECK_SCENARIO_ERROR(edited("step = \"10s\"", "step = \"1h\""), "test.toml:7: key 'step': is longer than the whole run");
  CHECK_SCENARIO_ERROR(edited("step = \"10s\"", "step = \"10s\"\nstate_step = \"1h\""),
                       "test.toml:8: key 'state_step': is longer than the whole run");
  CHECK_SCENARIO_ERROR(edited("step = \"10s\"", "step = \"10s\"\nstate_step = \"0s\""),
                       "test.toml:8: key 'state_step': expected a duration longer than zero");
  CHECK_SCENARIO_ERROR(edited("consumer = \"2s\"", "consumer = \"0s\""), "test.toml:12: key 'steps.consumer'");
}

TEST_CASE("unknown models and intervention kinds name the line and key") {
  CHECK_SCENARIO_ERROR(edited("models = [\"producer\", \"consumer\"]", "models = [\"producer\",\n  \"flood\"]"),
                       "test.toml:10: key 'models': unknown model 'flood'; this build knows: consumer, noisy, producer");
  CHECK_SCENARIO_ERROR(edited("kind = \"boost\"", "kind = \"bost\""),
                       "test.toml:34: key 'variant[1].intervention[3].kind': unknown intervention kind 'bost'");
  CHECK_SCENARIO_ERROR(edited("model = \"noisy\"", "model = \"nosy\""),
                       "test.toml:32: key 'variant[1].intervention[2].model': unknown model 'nosy'");
  // Without enable_model, "boost" has no model to go to in that variant.
  CHECK_SCENARIO_ERROR(edited("kind = \"enable_model\"", "kind = \"disable_model\""),
                       "test.toml:34: key 'variant[1].intervention[3].kind': intervention kind 'boost' belongs to model 'noisy'");
  CHECK_SCENARIO_ERROR(edited("name = \"quiet\"", "name = \"warm\""),
                       "test.toml:38: key 'variant[2].name': a variant named 'warm' already exists");
  CHECK_SCENARIO_ERROR(edited("name = \"quiet\"", "name = \"quiet one\""), "key 'variant[2].name': 'quiet one' is not a valid");
  CHECK_SCENARIO_ERROR(edited("city = \"cities/tiny.gpkg\"\n", ""), "key 'city': missing");
}

TEST_CASE("ids not in the city name the line and key once the city is known") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  const scenario::Scenario good = parse(edited("where = { use = \"residential\" }", "ids = [\"tiny:building/1\"]"));
  CHECK_NOTHROW(scenario::checkAgainstCity(good, city));
  const scenario::Scenario bad = parse(edited("where = { use = \"residential\" }", "ids = [\"tiny:building/77\"]"));
  CHECK_THROWS_WITH_AS(scenario::checkAgainstCity(bad, city),
                       doctest::Contains("test.toml:29: key 'variant[1].intervention[1].ids': no building with id "
                                         "'tiny:building/77' in the city"),
                       InputError);
}

TEST_CASE("a scale_series of a missing input is caught when the scenario is read") {
  const std::string text = edited("kind = \"enable_model\"\nmodel = \"noisy\"",
                                  "kind = \"enable_model\"\nmodel = \"noisy\"\n[[variant.intervention]]\n"
                                  "kind = \"scale_series\"\nmodel = \"noisy\"\nseries = \"gian\"\nfactor = 2");
  CHECK_SCENARIO_ERROR(text, "test.toml:36: key 'series': the [noisy] table has no input 'gian'");
}

TEST_CASE("a missing scenario file is an error naming it") {
  CHECK_THROWS_WITH_AS(scenario::loadScenario("/no/such/scenario.toml", registry()),
                       doctest::Contains("/no/such/scenario.toml: cannot read"), Error);
}

namespace {

const char* kSmall = R"toml(city = "tiny.gpkg"
start = "2026-07-01T00:00:00Z"
duration = "30s"
models = ["producer", "noisy"]

[noisy]
gain = 2

[[variant]]
name = "warm"
[[variant.intervention]]
kind = "set_attribute"
layer = "building"
attribute = "factor"
value = 2.0
all = true
)toml";

// kSmall, built in code.
scenario::Scenario smallInCode() {
  scenario::Scenario s;
  s.city = "tiny.gpkg";
  s.startEpochMs = *parseDateTime("2026-07-01T00:00:00Z");
  s.duration = 30 * sim::kSecond;
  s.models = {"producer", "noisy"};
  s.modelInputs["noisy"] = Value::table({{"gain", 2}});
  s.addVariant("warm").intervene(Value::table(
      {{"kind", "set_attribute"}, {"layer", "building"}, {"attribute", "factor"}, {"value", 2.0}, {"all", true}}));
  return s;
}

InputError errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error;
  }
  FAIL("no InputError");
  return InputError({}, "");
}

// The same mistake reads the same whatever the scenario's origin; only a file gives a file and a line.
void checkSameError(const InputError& fromFile, const InputError& fromCode, std::size_t line) {
  CHECK(fromFile.problem() == fromCode.problem());
  CHECK(fromFile.location().key == fromCode.location().key);
  CHECK(fromFile.location().file == "/data/scenarios/test.toml");
  CHECK(fromFile.location().line == line);
  CHECK(fromCode.location().file.empty());
  CHECK(fromCode.location().line == 0);
}

}  // namespace

TEST_CASE("a scenario built in code equals the same scenario read from a file") {
  const scenario::Scenario fromFile = parse(kSmall);
  const scenario::Scenario fromCode = smallInCode();
  CHECK_NOTHROW(scenario::validate(fromCode, registry()));
  CHECK(fromCode.branchCount() == fromFile.branchCount());
  CHECK(fromCode.duration == fromFile.duration);
  CHECK(fromCode.startIso8601() == fromFile.startIso8601());
  CHECK(scenario::branchModels(fromCode, 1) == scenario::branchModels(fromFile, 1));
}

TEST_CASE("the same mistake gives the same error from a file and from code") {
  // An unknown key in an intervention.
  std::string text = kSmall;
  text += "colour = \"red\"\n";
  scenario::Scenario inCode = smallInCode();
  inCode.variants[0].interventions[0].parameters.set("colour", "red");
  checkSameError(errorOf([&] { parse(text); }), errorOf([&] { scenario::validate(inCode, registry()); }), 17);

  // A wrong type in an intervention.
  text = kSmall;
  text.replace(text.find("value = 2.0"), 11, "value = \"high\"");
  inCode = smallInCode();
  inCode.variants[0].interventions[0].parameters.set("value", "high");
  checkSameError(errorOf([&] { parse(text); }), errorOf([&] { scenario::validate(inCode, registry()); }), 15);
  CHECK(errorOf([&] { scenario::validate(inCode, registry()); }).what() ==
        std::string("<input>: key 'variant[1].intervention[1].value': expected a number, found a string"));

  // An unknown model.
  text = kSmall;
  text.replace(text.find("\"noisy\"]"), 8, "\"nosy\"]");
  inCode = smallInCode();
  inCode.models[1] = "nosy";
  checkSameError(errorOf([&] { parse(text); }), errorOf([&] { scenario::validate(inCode, registry()); }), 4);

  // A wrong type in a model's inputs, found by the model when the branch is built.
  text = kSmall;
  text.replace(text.find("gain = 2"), 8, "gain = \"x\"");
  inCode = smallInCode();
  inCode.modelInputs["noisy"].set("gain", "x");
  const city::CityModel city = citytwin::testing::stepTestCity();
  const sim::ModelRegistry models = registry();
  auto build = [&](const scenario::Scenario& s) {
    return [&] { sim::Branch branch(scenario::makeBranchSpec(s, 0, city, "/tmp/out/base"), models); };
  };
  const scenario::Scenario parsed = parse(text);
  checkSameError(errorOf(build(parsed)), errorOf(build(inCode)), 7);
}
