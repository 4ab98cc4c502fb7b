#include "citytwin/traffic/trip_statistics.hpp"

#include <cstdio>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::traffic {

TripStatistics summariseTrips(const std::vector<TripRecord>& trips) {
  TripStatistics stats;
  stats.trips = trips.size();
  double duration = 0.0, speed = 0.0, delay = 0.0;
  for (const TripRecord& trip : trips) {
    if (trip.stranded) ++stats.stranded;
    if (!trip.arrived()) continue;
    ++stats.arrived;
    const double travel = trip.arrivalS - trip.departS;
    duration += travel;
    speed += travel > 0 ? trip.routeLengthM / travel : 0.0;
    delay += trip.departS - trip.requestedDepartS;
  }
  if (stats.arrived > 0) {
    const auto n = static_cast<double>(stats.arrived);
    stats.meanTravelTimeS = duration / n;
    stats.meanSpeed = speed / n;
    stats.meanDepartDelayS = delay / n;
  }
  return stats;
}

void writeTripInfoCsv(const std::filesystem::path& path, const std::vector<TripRecord>& trips) {
  AtomicOutput output(path);
  std::FILE* file = std::fopen(output.temporaryPath().c_str(), "w");
  if (!file) throw Error("cannot write '" + path.string() + "'");
  std::fprintf(file, "id,depart_s,arrival_s,duration_s,route_length_m,depart_delay_s,status\n");
  for (const TripRecord& trip : trips) {
    const char* status = trip.arrived() ? "arrived" : trip.stranded ? "stranded" : trip.departS >= 0 ? "running" : "waiting";
    const double duration = trip.arrived() ? trip.arrivalS - trip.departS : -1.0;
    const double delay = trip.departS >= 0 ? trip.departS - trip.requestedDepartS : -1.0;
    std::fprintf(file, "%s,%.3f,%.3f,%.3f,%.3f,%.3f,%s\n", trip.id.c_str(), trip.departS, trip.arrivalS, duration,
                 trip.routeLengthM, delay, status);
  }
  const bool ok = std::fflush(file) == 0 && !std::ferror(file);
  std::fclose(file);
  if (!ok) throw Error("failed writing '" + path.string() + "'");
  output.commit();
}

}  // namespace citytwin::traffic
