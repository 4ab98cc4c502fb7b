#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace citytwin::viewer {

// Reads the first column ("t", seconds) of a result CSV: its smallest and largest value.
std::pair<double, double> csvTimeSpan(const std::filesystem::path& file);

struct VehiclePose {
  std::string id;
  double x = 0.0;
  double y = 0.0;
  double headingDeg = 0.0;  // compass heading, 0 north, 90 east
};

// Vehicle positions over time from traffic/vehicles.csv (t,id,x,y,heading); a vehicle is shown between its
// first and last sample, moving linearly in between.
class VehicleTracks {
 public:
  static VehicleTracks load(const std::filesystem::path& file);
  std::vector<VehiclePose> at(double timeS) const;
  std::size_t vehicleCount() const { return tracks_.size(); }

 private:
  struct Sample {
    double t, x, y, heading;
  };
  std::vector<std::pair<std::string, std::vector<Sample>>> tracks_;
};

// A CSV file of one layer's values over time: t, the object's id in `idColumn`, then value columns.
struct StateSource {
  std::filesystem::path file;
  std::string idColumn = "id";
};

// One layer's result columns over time from state/<layer>.csv (t,id,<attribute>,...) and, for road links,
// traffic/links.csv (t,link,...): the value of an object at time t is that of its latest row at or before t
// in which the column has a value.
class StateTable {
 public:
  // `objectIndex` maps the layer's object ids to their index; rows for unknown ids are ignored. Columns of
  // the same name in several sources are one column.
  static StateTable load(const std::vector<StateSource>& sources,
                         const std::unordered_map<std::string, std::size_t>& objectIndex,
                         std::size_t objectCount);
  static StateTable load(const std::filesystem::path& file,
                         const std::unordered_map<std::string, std::size_t>& objectIndex,
                         std::size_t objectCount) {
    return load(std::vector<StateSource>{{file, "id"}}, objectIndex, objectCount);
  }

  std::vector<std::string> attributes() const;
  bool has(const std::string& attribute) const { return columns_.count(attribute) != 0; }
  // Per object, NaN where the object has no value yet.
  const std::vector<float>& values(const std::string& attribute, double timeS) const;
  // Smallest and largest finite value over all times.
  std::pair<double, double> range(const std::string& attribute) const;
  // The (time, value) rows of one object.
  std::vector<std::pair<double, double>> series(const std::string& attribute, std::size_t object) const;

 private:
  struct Column {
    std::vector<double> times;                 // increasing
    std::vector<std::vector<float>> snapshots;  // carried forward: every object's latest value at times[i]
    double minimum = 0.0;
    double maximum = 0.0;
  };
  std::map<std::string, Column> columns_;
  std::vector<float> empty_;
};

}  // namespace citytwin::viewer
