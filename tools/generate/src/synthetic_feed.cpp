#include "citytwin/generate/synthetic_feed.hpp"

#include <cmath>

#include "citytwin/core/date_time.hpp"
#include "citytwin/geo/coordinate_transform.hpp"
#include "citytwin/core/splitmix64.hpp"

namespace citytwin::generate {

namespace {

using nlohmann::json;

// SplitMix64: a stateless hash of (seed, sensor, time) so every value is reproducible on its own.
constexpr std::uint64_t mix(std::uint64_t x) { return splitMix64(x); }

double noise(std::uint64_t seed, std::size_t sensor, std::int64_t time) {
  const std::uint64_t h = mix(seed ^ mix(static_cast<std::uint64_t>(sensor) ^ mix(static_cast<std::uint64_t>(time))));
  return static_cast<double>(h >> 11) / static_cast<double>(1ULL << 53);  // [0, 1)
}

// 0 at night, 1 at the morning and evening peaks.
double dailyActivity(std::int64_t timeMs) {
  const double hour = std::fmod(static_cast<double>(timeMs) / 3.6e6, 24.0);
  const auto peak = [&](double centre, double width) { return std::exp(-0.5 * std::pow((hour - centre) / width, 2)); };
  return std::min(1.0, 0.15 + 0.85 * std::max(peak(8.0, 1.5), peak(17.5, 2.0)) + 0.4 * peak(13.0, 3.0));
}

// A rain event of two hours every six, peaking at 25 mm/h.
double rainfall(std::int64_t timeMs) {
  const double phase = std::fmod(static_cast<double>(timeMs) / 3.6e6, 6.0);
  if (phase > 2.0) return 0.0;
  return 25.0 * std::sin(phase / 2.0 * M_PI);
}

json property(json value) { return {{"type", "Property"}, {"value", std::move(value)}}; }

}  // namespace

struct SyntheticFeed::Impl {
  std::unique_ptr<geo::CoordinateTransform> transform;
};

SyntheticFeed::SyntheticFeed(const city::CityModel& city, std::uint64_t seed)
    : city_(city), seed_(seed), impl_(std::make_unique<Impl>()) {
  if (city.crsEpsg != 0) impl_->transform = std::make_unique<geo::CoordinateTransform>(city.crsName());
}

SyntheticFeed::~SyntheticFeed() = default;

json SyntheticFeed::round(std::int64_t timeMs) const {
  json entities = json::array();
  const std::string observedAt = formatDateTime(timeMs);
  const double activity = dailyActivity(timeMs);
  for (std::size_t i = 0; i < city_.sensors.size(); ++i) {
    const auto& sensor = city_.sensors[i];
    const double n = noise(seed_, i, timeMs);
    const std::string local = sensor.id.substr(sensor.id.find_last_of(':') + 1);
    json entity;
    const auto measured = [&](double value, const char* unitCode) {
      json p = property(std::round(value * 1000.0) / 1000.0);
      p["observedAt"] = observedAt;
      if (unitCode) p["unitCode"] = unitCode;
      return p;
    };
    if (sensor.type == "TrafficCounter") {
      entity["id"] = "urn:ngsi-ld:TrafficFlowObserved:" + local;
      entity["type"] = "TrafficFlowObserved";
      entity["intensity"] = measured(900.0 * activity * (0.85 + 0.3 * n), "E50");
      entity["averageVehicleSpeed"] = measured(50.0 * (1.0 - 0.5 * activity) + 5.0 * n, "KMH");
    } else if (sensor.type == "RainGauge") {
      entity["id"] = "urn:ngsi-ld:WeatherObserved:" + local;
      entity["type"] = "WeatherObserved";
      entity["precipitation"] = measured(rainfall(timeMs) * (0.9 + 0.2 * n), "H67");
      entity["temperature"] = measured(12.0 + 6.0 * activity + n, "CEL");
    } else if (sensor.type == "RiverGauge") {
      entity["id"] = "urn:ngsi-ld:WaterObserved:" + local;
      entity["type"] = "WaterObserved";
      entity["waterLevel"] = measured(1.2 + 0.08 * rainfall(timeMs - 3600000) + 0.05 * n, "MTR");
    } else if (sensor.type == "SmartMeter") {
      entity["id"] = "urn:ngsi-ld:DeviceMeasurement:" + local;
      entity["type"] = "DeviceMeasurement";
      entity["controlledProperty"] = property("power");
      entity["numValue"] = measured(40.0 * (0.3 + 0.7 * activity) * (0.8 + 0.4 * n), "KWT");
    } else {
      continue;
    }
    entity["refDevice"] = {{"type", "Relationship"}, {"object", sensor.id}};
    if (impl_->transform) {
      const auto ll = impl_->transform->toWgs84(sensor.position);
      entity["location"] = {{"type", "GeoProperty"},
                            {"value", {{"type", "Point"}, {"coordinates", {ll.lon, ll.lat}}}}};
    }
    entity["@context"] = json::array({"https://smartdatamodels.org/context.jsonld"});
    entities.push_back(std::move(entity));
  }
  return entities;
}

}  // namespace citytwin::generate
