#include "citytwin/traffic/trip_table.hpp"

#include <cstdio>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::traffic {

namespace {

// An empty field for a time that never happened, so that no reader mistakes a sentinel for a time.
void putTime(std::FILE* file, double seconds, bool known) {
  if (known) std::fprintf(file, "%.3f", seconds);
  std::fputc(',', file);
}

}  // namespace

void writeTripTable(const std::filesystem::path& path, const std::vector<CityTrip>& trips,
                    const std::vector<TripRecord>& records, const std::vector<std::string>& nodeIds) {
  AtomicOutput output(path);
  std::FILE* file = std::fopen(output.temporaryPath().c_str(), "w");
  if (!file) throw Error("cannot write '" + path.string() + "'");
  std::fputs(
      "id,origin,destination,requested_depart_s,depart_s,arrive_s,travel_time_s,route_length_m,completed,"
      "status\n",
      file);
  for (std::size_t k = 0; k < trips.size(); ++k) {
    const CityTrip& trip = trips[k];
    std::fprintf(file, "trip%zu,%s,%s,%.3f,", k, nodeIds[trip.originNode].c_str(),
                 nodeIds[trip.destinationNode].c_str(), trip.requestedDepartS);
    if (trip.simulated < 0) {
      std::fputs(",,,,0,unroutable\n", file);
      continue;
    }
    const TripRecord& record = records[trip.simulated];
    putTime(file, record.departS, record.departS >= 0.0);
    putTime(file, record.arrivalS, record.arrived());
    putTime(file, record.arrivalS - record.departS, record.arrived());
    const char* status = record.arrived()        ? "arrived"
                         : record.stranded       ? "stranded"
                         : record.departS >= 0.0 ? "running"
                                                 : "waiting";
    std::fprintf(file, "%.2f,%d,%s\n", record.routeLengthM, record.arrived() ? 1 : 0, status);
  }
  const bool ok = std::fflush(file) == 0 && !std::ferror(file);
  std::fclose(file);
  if (!ok) throw Error("failed writing '" + path.string() + "'");
  output.commit();
}

}  // namespace citytwin::traffic
