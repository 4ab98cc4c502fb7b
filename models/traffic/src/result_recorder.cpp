#include "citytwin/traffic/result_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "citytwin/core/error.hpp"

namespace citytwin::traffic {

namespace {

constexpr double kEpsilon = 1e-9;

template <class T>
void put(std::vector<std::uint8_t>& bytes, const T& value) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
  bytes.insert(bytes.end(), p, p + sizeof(T));
}

template <class T>
T get(std::span<const std::uint8_t> bytes, std::size_t& offset) {
  if (offset + sizeof(T) > bytes.size()) throw Error("traffic snapshot is truncated");
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  offset += sizeof(T);
  return value;
}

}  // namespace

ResultRecorder::ResultRecorder(const city::RoadNetwork& roads, Intervals intervals)
    : intervals_(intervals), placement_(roads), lastTotals_(roads.links.size()), row_(512) {
  linkIds_.reserve(roads.links.size());
  for (const city::RoadLink& link : roads.links) linkIds_.push_back(link.id);
}

void ResultRecorder::record(const Microsimulation& simulation) {
  const double t = simulation.time();
  if (intervals_.vehiclesS > 0.0 &&
      t + kEpsilon >= static_cast<double>(nextVehicleSample_) * intervals_.vehiclesS) {
    recordVehicles(simulation);
    nextVehicleSample_ = static_cast<std::uint64_t>(std::floor(t / intervals_.vehiclesS + kEpsilon)) + 1;
  }
  if (intervals_.linksS > 0.0 && t + kEpsilon >= static_cast<double>(nextLinkSample_) * intervals_.linksS) {
    recordLinks(simulation);
    nextLinkSample_ = static_cast<std::uint64_t>(std::floor(t / intervals_.linksS + kEpsilon)) + 1;
  }
}

void ResultRecorder::recordVehicles(const Microsimulation& simulation) {
  const double t = simulation.time();
  const auto& trips = simulation.trips();
  const auto& links = simulation.network().links;
  for (const Microsimulation::VehiclePosition& p : simulation.positions()) {
    const PlacedVehicle at = placement_.place(p.link, p.lane, p.offsetM, links[p.link].lengthM);
    const int n = std::snprintf(row_.data(), row_.size(), "%.10g,%s,%.2f,%.2f,%.1f\n", t,
                                trips[p.trip].id.c_str(), at.x, at.y, at.headingDeg);
    if (n < 0 || static_cast<std::size_t>(n) >= row_.size())
      throw Error("traffic: trip id too long for vehicles.csv");
    vehicles_.append({row_.data(), static_cast<std::size_t>(n)});
  }
}

void ResultRecorder::recordLinks(const Microsimulation& simulation) {
  const double t = simulation.time();
  // The interval actually covered: from the previous sample (or the start) to now.
  const double span = std::max(t - lastLinkSampleS_, kEpsilon);
  lastLinkSampleS_ = t;
  const auto& totals = simulation.linkTotals();
  const auto& links = simulation.network().links;
  for (std::size_t l = 0; l < totals.size() && l < linkIds_.size(); ++l) {
    const std::uint64_t exits = totals[l].exits - lastTotals_[l].exits;
    const double vehicleSeconds = totals[l].vehicleSeconds - lastTotals_[l].vehicleSeconds;
    const double metres = totals[l].metres - lastTotals_[l].metres;
    const std::size_t present = simulation.vehiclesOn(static_cast<std::int32_t>(l));
    lastTotals_[l] = totals[l];
    if (exits == 0 && vehicleSeconds <= 0.0 && present == 0) continue;  // idle: left out (all zero)
    const double flow = static_cast<double>(exits) * 3600.0 / span;
    const double speedKph = vehicleSeconds > 0.0 ? metres / vehicleSeconds * 3.6 : links[l].speedLimit * 3.6;
    const double density = vehicleSeconds / span / (links[l].lengthM / 1000.0);
    const int n = std::snprintf(row_.data(), row_.size(), "%.10g,%s,%.2f,%.2f,%.3f,%zu\n", t,
                                linkIds_[l].c_str(), flow, speedKph, density, present);
    if (n < 0 || static_cast<std::size_t>(n) >= row_.size())
      throw Error("traffic: link id too long for links.csv");
    links_.append({row_.data(), static_cast<std::size_t>(n)});
  }
}

void ResultRecorder::write(const std::filesystem::path& directory) const {
  if (intervals_.vehiclesS > 0.0) vehicles_.writeTo(directory / "vehicles.csv", "t,id,x,y,heading\n");
  if (intervals_.linksS > 0.0)
    links_.writeTo(directory / "links.csv",
                   "t,link,flow_veh_per_h,mean_speed_kph,density_veh_per_km,vehicles\n");
}

void ResultRecorder::appendSnapshot(std::vector<std::uint8_t>& bytes) const {
  put(bytes, vehicles_.size());
  put(bytes, links_.size());
  put(bytes, nextVehicleSample_);
  put(bytes, nextLinkSample_);
  put(bytes, lastLinkSampleS_);
  put<std::uint64_t>(bytes, lastTotals_.size());
  for (const auto& c : lastTotals_) {
    put(bytes, c.exits);
    put(bytes, c.vehicleSeconds);
    put(bytes, c.metres);
  }
}

void ResultRecorder::restore(std::span<const std::uint8_t> bytes, std::size_t& offset) {
  vehicles_.truncate(get<std::uint64_t>(bytes, offset));
  links_.truncate(get<std::uint64_t>(bytes, offset));
  nextVehicleSample_ = get<std::uint64_t>(bytes, offset);
  nextLinkSample_ = get<std::uint64_t>(bytes, offset);
  lastLinkSampleS_ = get<double>(bytes, offset);
  if (get<std::uint64_t>(bytes, offset) != lastTotals_.size())
    throw Error("traffic snapshot does not match this network");
  for (auto& c : lastTotals_) {
    c.exits = get<std::uint64_t>(bytes, offset);
    c.vehicleSeconds = get<double>(bytes, offset);
    c.metres = get<double>(bytes, offset);
  }
}

}  // namespace citytwin::traffic
