#include <doctest/doctest.h>

#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/sim/branch.hpp"
#include "citytwin/sim/engine_interventions.hpp"
#include "test_city.hpp"
#include "test_models.hpp"

using namespace citytwin;

namespace {

sim::Intervention intervention(const std::string& text) {
  sim::Intervention result;
  result.parameters = scenario::parseToml(text, "what-if.toml");
  result.kind = result.parameters.find("kind")->asString();
  result.sourceFile = "what-if.toml";
  return result;
}

std::vector<std::uint32_t> select(const std::string& selectorKeys, std::uint64_t seed = 1) {
  const sim::Intervention parsed =
      intervention("kind = 'set_attribute'\nattribute = 'x'\nvalue = 1\n" + selectorKeys);
  const sim::EngineAction action = sim::parseEngineIntervention(parsed);
  const city::CityModel city = citytwin::testing::stepTestCity();
  return std::get<sim::SetAttribute>(action).selector.resolve(city, seed);
}

using Indices = std::vector<std::uint32_t>;

}  // namespace

TEST_CASE("selectors pick objects by id, static property, range, area and share") {
  CHECK(select("layer = 'building'\nid = 'tiny:building/3'") == Indices{3});
  CHECK(select("layer = 'building'\nids = ['tiny:building/4', 'tiny:building/1']") == Indices{1, 4});
  CHECK(select("layer = 'building'\nwhere = { use = 'residential' }") == Indices{0, 1, 3, 5});
  CHECK(select("layer = 'building'\nwhere = { use = ['office', 'commercial'] }") == Indices{2, 4});
  CHECK(select("layer = 'building'\nwhere = { year_built = { max = 1970 } }") == Indices{0, 1, 2});
  CHECK(select("layer = 'building'\nwhere = { use = 'residential', year_built = { min = 1960 } }") == Indices{1, 3, 5});
  CHECK(select("layer = 'building'\narea = { bbox = [15, -5, 62, 20] }") == Indices{1, 2});
  CHECK(select("layer = 'building'\narea = { polygon = [[-5, -5], [30, -5], [30, 20], [-5, 20]] }") == Indices{0, 1});
  CHECK(select("layer = 'road_link'\nwhere = { highway = 'residential' }") == Indices{2, 3});
  CHECK(select("layer = 'road_link'\narea = { bbox = [0, -20, 40, 0] }") == Indices{0, 1});
  CHECK(select("layer = 'sensor'\nwhere = { type = 'RainGauge' }") == Indices{0});
  CHECK(select("layer = 'building'\nall = true").size() == 6);

  const Indices half = select("layer = 'building'\nall = true\nfraction = 0.5", 11);
  CHECK(half.size() == 3);
  CHECK(select("layer = 'building'\nall = true\nfraction = 0.5", 11) == half);
  const Indices most = select("layer = 'building'\nall = true\nfraction = 0.84", 11);
  CHECK(most.size() == 5);
  for (std::uint32_t index : half) CHECK(std::find(most.begin(), most.end(), index) != most.end());
}

TEST_CASE("selector and intervention mistakes name the line and key") {
  CHECK_THROWS_WITH_AS(select("layer = 'building'\n\nid = 'tiny:building/99'"),
                       doctest::Contains("what-if.toml:6: key 'id': no building with id 'tiny:building/99'"), InputError);
  CHECK_THROWS_WITH_AS(select("layer = 'building'\nwhere = { colour = 'red' }"),
                       doctest::Contains("what-if.toml:5: key 'where.colour': no such property"), InputError);
  CHECK_THROWS_WITH_AS(select("layer = 'building'\nwhere = { year_built = 'old' }"),
                       doctest::Contains("key 'where.year_built': expected a number"), InputError);
  CHECK_THROWS_WITH_AS(select("layer = 'building'\nfraction = 2\nall = true"),
                       doctest::Contains(":5: key 'fraction'"), InputError);
  CHECK_THROWS_WITH_AS(select("layer = 'building'"), doctest::Contains("say which objects"), InputError);
  CHECK_THROWS_WITH_AS(select("layer = 'bulding'\nall = true"), doctest::Contains(":4: key 'layer': unknown layer"),
                       InputError);
  CHECK_THROWS_WITH_AS(select("layer = 'building'\nall = true\ncolour = 'red'"),
                       doctest::Contains(":6: key 'colour': unknown key"), InputError);
  CHECK_THROWS_WITH_AS(sim::parseEngineIntervention(intervention("kind = 'enable_model'\n")),
                       doctest::Contains("key 'model': missing"), InputError);
  CHECK_THROWS_WITH_AS(sim::parseEngineIntervention(intervention("kind = 'scale_series'\nmodel = 'm'\nseries = 's'\n"
                                                                 "factor = 'twice'")),
                       doctest::Contains(":4: key 'factor': expected a number, found a string"), InputError);
}

TEST_CASE("scale_series multiplies a number or an array of numbers in the model's table") {
  Value parameters = scenario::parseToml("rain = { intensity = [10, 20.5], peak = 4 }\nname = 'storm'", "");
  const sim::Intervention scale = intervention("kind = 'scale_series'\nmodel = 'flood'\nseries = 'rain.intensity'\nfactor = 1.5");
  sim::applyScaleSeries(std::get<sim::ScaleSeries>(sim::parseEngineIntervention(scale)), scale, parameters);
  CHECK(parameters.atPath("rain.intensity")->items()[0].asFloat() == 15.0);
  CHECK(parameters.atPath("rain.intensity")->items()[1].asFloat() == 30.75);

  const sim::Intervention peak = intervention("kind = 'scale_series'\nmodel = 'flood'\nseries = 'rain.peak'\nfactor = 0.5");
  sim::applyScaleSeries(std::get<sim::ScaleSeries>(sim::parseEngineIntervention(peak)), peak, parameters);
  CHECK(parameters.atPath("rain.peak")->asFloat() == 2.0);

  const sim::Intervention text = intervention("kind = 'scale_series'\nmodel = 'flood'\nseries = 'name'\nfactor = 2");
  CHECK_THROWS_WITH_AS(
      sim::applyScaleSeries(std::get<sim::ScaleSeries>(sim::parseEngineIntervention(text)), text, parameters),
      doctest::Contains(":3: key 'series': input 'name' of [flood] is not a number"), InputError);
}

TEST_CASE("interventions reach the model: scaled inputs, enabled models, model-specific kinds") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  auto makeBase = [&] {
    sim::BranchSpec base;
    base.city = &city;
    base.models = {"noisy"};
    base.modelParameters["noisy"] = scenario::parseToml("gain = 2", "");
    base.end = 3 * sim::kSecond;
    base.seed = 5;
    return base;
  };
  const sim::BranchSpec base = makeBase();
  sim::Branch reference(base, registry);
  reference.run();
  const double referenceLoad = reference.currentKpis().at("noisy").at("total_load");

  sim::BranchSpec scaled = makeBase();
  scaled.interventions.push_back(intervention("kind = 'scale_series'\nmodel = 'noisy'\nseries = 'gain'\nfactor = 3"));
  sim::Branch tripled(std::move(scaled), registry);
  tripled.run();
  CHECK(tripled.currentKpis().at("noisy").at("total_load") == doctest::Approx(3 * referenceLoad));

  sim::BranchSpec enabled = makeBase();
  enabled.interventions.push_back(intervention("kind = 'enable_model'\nmodel = 'producer'"));
  sim::Branch withProducer(std::move(enabled), registry);
  withProducer.run();
  CHECK(withProducer.runsModel("producer"));
  CHECK(withProducer.state().column(city::Layer::Building, "signal").front() == 3.0);

  sim::BranchSpec orphan = makeBase();
  orphan.models = {"producer"};
  orphan.interventions.push_back(intervention("kind = 'boost'\namount = 1"));
  CHECK_THROWS_WITH_AS(sim::Branch(std::move(orphan), registry),
                       doctest::Contains("what-if.toml:1: key 'kind': no model of this branch handles"), InputError);

  sim::BranchSpec badBoost = makeBase();
  badBoost.interventions.push_back(intervention("kind = 'boost'\namount = 'lots'"));
  CHECK_THROWS_WITH_AS(sim::Branch(std::move(badBoost), registry), doctest::Contains(":2: key 'amount'"), InputError);
}

TEST_CASE("the registry refuses duplicates and lists known names for an unknown one") {
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  CHECK(registry.names() == std::vector<std::string>{"consumer", "noisy", "producer"});
  CHECK_THROWS_AS(registry.add("noisy", [] { return std::make_unique<citytwin::testing::NoisyModel>(); }), Error);
  CHECK_THROWS_WITH_AS(registry.create("flod"), doctest::Contains("known models are consumer, noisy, producer"), Error);
}

TEST_CASE("a timed set_attribute applies at its boundary, before the steps that start there") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  // noisy steps every 3 s: a setting at 4 s or at 6 s is first read by its step from 6 s; at 7 s, from 9 s.
  auto runWith = [&](const std::string& at) {
    sim::BranchSpec spec;
    spec.city = &city;
    spec.models = {"noisy"};
    spec.end = 12 * sim::kSecond;
    spec.seed = 5;
    spec.interventions.push_back(intervention("kind = 'set_attribute'\nlayer = 'building'\nattribute = 'factor'\n"
                                              "value = 5\nid = 'tiny:building/0'\nat = '" + at + "'"));
    auto branch = std::make_unique<sim::Branch>(std::move(spec), registry);
    branch->advanceTo(5 * sim::kSecond);
    CHECK(branch->state().column(city::Layer::Building, "factor")[0] == (at == "4s" ? 5.0 : 1.0));
    branch->run();
    return branch;
  };
  const auto at4 = runWith("4s");
  const auto at6 = runWith("6s");
  const auto at7 = runWith("7s");
  CHECK(at4->state().column(city::Layer::Building, "factor")[0] == 5.0);
  // The KPI published at 9 s comes from the step that started at 6 s.
  CHECK(at4->kpiSeries() == at6->kpiSeries());
  CHECK(at4->kpiSeries() != at7->kpiSeries());
  CHECK(at4->kpiSeries().back() == at7->kpiSeries().back());
  REQUIRE(at7->events().size() == 1);
  CHECK(at7->events()[0].time == 7 * sim::kSecond);
  CHECK(at7->events()[0].entity == "tiny:building/0");

  sim::BranchSpec late;
  late.city = &city;
  late.models = {"noisy"};
  late.end = 12 * sim::kSecond;
  late.interventions.push_back(intervention("kind = 'set_attribute'\nlayer = 'building'\nattribute = 'factor'\n"
                                            "value = 5\nall = true\nat = '12s'"));
  CHECK_THROWS_WITH_AS(sim::Branch(std::move(late), registry), doctest::Contains(":6: key 'at': is not before the end"),
                       InputError);
  CHECK_THROWS_WITH_AS(select("layer = 'building'\nall = true\nat = 'soon'"),
                       doctest::Contains(":6: key 'at': 'soon' is not a duration"), InputError);
}
