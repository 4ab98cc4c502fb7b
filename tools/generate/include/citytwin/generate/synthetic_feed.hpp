#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>

#include "citytwin/city/city_model.hpp"

namespace citytwin::generate {

// Plausible observations of a city's sensors as Smart Data Models entities (NGSI-LD normalized, @context in
// the body): TrafficCounter -> TrafficFlowObserved, RainGauge -> WeatherObserved, RiverGauge ->
// WaterObserved, SmartMeter -> DeviceMeasurement (power, kW). Values follow a daily cycle with seeded noise
// and a rain event every few hours; deterministic for (city, seed, time).
class SyntheticFeed {
 public:
  SyntheticFeed(const city::CityModel& city, std::uint64_t seed);
  ~SyntheticFeed();
  // One observation per sensor at timeMs (ms since the epoch); an array of entities.
  nlohmann::json round(std::int64_t timeMs) const;

 private:
  struct Impl;
  const city::CityModel& city_;
  std::uint64_t seed_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citytwin::generate
