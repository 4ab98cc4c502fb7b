#include "citytwin/traffic/result_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "citytwin/core/error.hpp"

namespace citytwin::traffic {

namespace {

constexpr double kEpsilon = 1e-9;

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

void ResultRecorder::appendSnapshot(ByteWriter& out) const {
  out.put(vehicles_.size());
  out.put(links_.size());
  out.put(nextVehicleSample_);
  out.put(nextLinkSample_);
  out.put(lastLinkSampleS_);
  out.put<std::uint64_t>(lastTotals_.size());
  for (const auto& c : lastTotals_) {
    out.put(c.exits);
    out.put(c.vehicleSeconds);
    out.put(c.metres);
  }
}

void ResultRecorder::restore(ByteReader& in) {
  vehicles_.truncate(in.get<std::uint64_t>());
  links_.truncate(in.get<std::uint64_t>());
  nextVehicleSample_ = in.get<std::uint64_t>();
  nextLinkSample_ = in.get<std::uint64_t>();
  lastLinkSampleS_ = in.get<double>();
  if (in.get<std::uint64_t>() != lastTotals_.size()) throw Error("traffic snapshot does not match this network");
  for (auto& c : lastTotals_) {
    c.exits = in.get<std::uint64_t>();
    c.vehicleSeconds = in.get<double>();
    c.metres = in.get<double>();
  }
}

}  // namespace citytwin::traffic
