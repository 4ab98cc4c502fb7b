#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "citytwin/city/road_network.hpp"
#include "citytwin/core/byte_buffer.hpp"
#include "citytwin/traffic/microsimulation.hpp"
#include "citytwin/traffic/row_spool.hpp"
#include "citytwin/traffic/vehicle_placement.hpp"

namespace citytwin::traffic {

// Time series of a city run for the viewer and for analysis, written as traffic/vehicles.csv and
// traffic/links.csv (formats in models/traffic/README.md). Rows are spooled to temporary files while the
// simulation runs, so memory does not grow with the number of vehicles or the run's length; the bytes
// depend only on the simulation's state, never on the number of threads.
class ResultRecorder {
 public:
  struct Intervals {
    double vehiclesS = 10.0;  // 0: no vehicle positions
    double linksS = 300.0;    // 0: no link time series
  };
  ResultRecorder(const city::RoadNetwork& roads, Intervals intervals);

  // Call after every simulation step: records whatever falls due at the simulation's time.
  void record(const Microsimulation& simulation);
  // Writes the files that are enabled into `directory` (which must exist).
  void write(const std::filesystem::path& directory) const;

  // State for Model::snapshot(); restore() reads it back and forgets rows recorded after the snapshot.
  void appendSnapshot(ByteWriter& out) const;
  void restore(ByteReader& in);

 private:
  void recordVehicles(const Microsimulation& simulation);
  void recordLinks(const Microsimulation& simulation);

  std::vector<std::string> linkIds_;
  Intervals intervals_;
  VehiclePlacement placement_;
  RowSpool vehicles_, links_;
  std::uint64_t nextVehicleSample_ = 1, nextLinkSample_ = 1;  // in multiples of the intervals
  double lastLinkSampleS_ = 0.0;
  std::vector<Microsimulation::LinkCounters> lastTotals_;
  std::vector<char> row_;
};

}  // namespace citytwin::traffic
