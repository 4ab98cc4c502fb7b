#pragma once

#include <array>
#include <vector>

namespace citytwin::traffic {

// When in the day trips start: a rate per clock hour, read as a piecewise-linear density through the
// middle of every hour (so the rate changes smoothly, with no step at the full hour), and departures drawn
// from it over a window by inverse transform on one-minute bins.
class DepartureProfile {
 public:
  // Weekday vehicle trips by hour of departure: U.S. 2001 National Household Travel Survey, FHWA Highway
  // Statistics 2006, table NT-3 (Wednesday, trips per hour starting at 00:00 ... 23:00).
  static DepartureProfile weekdayVehicleTrips();
  explicit DepartureProfile(const std::array<double, 24>& tripsPerHour) : rate_(tripsPerHour) {}

  // The relative rate at `clockS` seconds after midnight (wraps around the day).
  double rateAt(double clockS) const;
  // Cumulative weights of one-minute bins over [startClockS, startClockS + durationS).
  struct Window {
    double startClockS = 0.0, durationS = 0.0;
    std::vector<double> cumulative;  // per bin, the weight of it and every bin before it
    // The departure (seconds from the window's start) for a uniform `u` in [0, 1) and another `v` in
    // [0, 1) placing it inside its bin.
    double sample(double u, double v) const;
  };
  Window window(double startClockS, double durationS) const;

 private:
  std::array<double, 24> rate_;
};

}  // namespace citytwin::traffic
