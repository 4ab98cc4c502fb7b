// A run from the live state names, for every input the live state carries, which of the live value and the
// scenario's setting wins and why, and flags observations far from the scenario's start.
#include "citytwin/server/live_inputs.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "citytwin/core/date_time.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;

namespace {

constexpr const char* kModel = "https://smartdatamodels.org/dataModel.";

context::Entity rain(const std::string& id, double mmPerH, const std::string& observedAt) {
  context::Attribute attribute;
  attribute.value = mmPerH;
  attribute.observedAt = observedAt;
  attribute.observedMs = parseDateTime(observedAt).value();
  return {id, {std::string(kModel) + "Weather/WeatherObserved"}, {{"precipitation", {attribute}}}, 0, 0};
}

scenario::Scenario floodScenario(Value floodTable) {
  scenario::Scenario spec;
  spec.name = "live";
  spec.startEpochMs = parseDateTime("2026-07-01T14:00:00Z").value();
  spec.models = {"flood"};
  spec.modelInputs["flood"] = std::move(floodTable);
  return spec;
}

const server::LiveInputNote* find(const std::vector<server::LiveInputNote>& notes, const std::string& kind,
                                  const std::string& input) {
  for (const auto& note : notes) {
    if (note.kind == kind && note.input == input) return &note;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("live rain against a scenario's rain: the scenario wins unless use_rain_gauges, and says why") {
  const city::CityModel city = testing::tinyCity();
  const context::LiveState live(city, {rain("urn:ngsi-ld:W:1", 12.5, "2026-07-01T13:50:00Z")});
  REQUIRE(live.observations().size() == 1);
  CHECK(live.observations()[0].inputs == std::vector<std::string>{"rain"});

  const Value series = Value::array({Value::array({Value(0), Value(30.0)})});
  const auto scenarioRain =
      server::liveInputNotes(floodScenario(Value::table({{"rain_series", series}})), live);
  const server::LiveInputNote* rainNote = find(scenarioRain, "precedence", "rain");
  REQUIRE(rainNote != nullptr);
  CHECK(rainNote->winner == "scenario");
  CHECK(rainNote->message.find("use_rain_gauges") != std::string::npos);
  // Observed 10 minutes before the start: not stale.
  CHECK(find(scenarioRain, "stale", "rain") == nullptr);

  const auto gauges = server::liveInputNotes(
      floodScenario(Value::table({{"rain_series", series}, {"use_rain_gauges", Value(true)}})), live);
  REQUIRE(find(gauges, "precedence", "rain") != nullptr);
  CHECK(find(gauges, "precedence", "rain")->winner == "live");

  const auto noRain = server::liveInputNotes(floodScenario(Value::table()), live);
  CHECK(find(noRain, "precedence", "rain")->winner == "live");

  scenario::Scenario withoutFlood = floodScenario(Value::table());
  withoutFlood.models.clear();
  const auto unused = server::liveInputNotes(withoutFlood, live);
  CHECK(find(unused, "precedence", "rain")->message.find("not used") != std::string::npos);

  // The JSON section and the events carry the same notes.
  const nlohmann::json json = server::liveInputsJson(scenarioRain);
  REQUIRE(json["precedence"].size() == 1);
  CHECK(json["precedence"][0]["input"] == "rain");
  CHECK(json["precedence"][0]["winner"] == "scenario");
  CHECK(json["stale"].empty());
  CHECK(json["max_offset_s"] == 3600.0);
  const std::vector<sim::Event> events = server::liveInputEvents(scenarioRain);
  REQUIRE(events.size() == 1);
  CHECK(events[0].time == 0);
  CHECK(events[0].source == "live");
  CHECK(events[0].kind == "live_input_precedence");
  CHECK(events[0].message == rainNote->message);
}

TEST_CASE("observations more than an hour from the scenario's start are flagged, either side") {
  const city::CityModel city = testing::tinyCity();
  const auto spec = floodScenario(Value::table());
  for (const char* observedAt : {"2026-07-01T12:59:00Z", "2026-07-01T15:01:00Z", "2026-01-15T14:00:00Z"}) {
    INFO(observedAt);
    const context::LiveState live(city, {rain("urn:ngsi-ld:W:1", 3.0, observedAt)});
    const auto notes = server::liveInputNotes(spec, live);
    const server::LiveInputNote* stale = find(notes, "stale", "rain");
    REQUIRE(stale != nullptr);
    CHECK(stale->entity == "urn:ngsi-ld:W:1");
    CHECK(stale->message.find(observedAt) != std::string::npos);
    CHECK(server::liveInputEvents(notes).back().kind == "live_observation_stale");
  }
  for (const char* observedAt : {"2026-07-01T13:00:00Z", "2026-07-01T15:00:00Z"}) {
    const context::LiveState live(city, {rain("urn:ngsi-ld:W:1", 3.0, observedAt)});
    CHECK(find(server::liveInputNotes(spec, live), "stale", "rain") == nullptr);
  }
}
