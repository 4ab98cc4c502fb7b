#include "citytwin/traffic/departure_profile.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::traffic {

DepartureProfile DepartureProfile::weekdayVehicleTrips() {
  // Millions of vehicle trips starting in each clock hour of a Wednesday (NHTS 2001; FHWA Highway
  // Statistics 2006, table NT-3).
  return DepartureProfile({147,  82,   83,   36,   249,  639,  1607, 3893, 2994, 2294, 2600, 2967,
                           3166, 3032, 3321, 3888, 3959, 4377, 3746, 2819, 2061, 1559, 783,  381});
}

double DepartureProfile::rateAt(double clockS) const {
  constexpr double kDay = 86400.0;
  double t = std::fmod(clockS, kDay);
  if (t < 0) t += kDay;
  // Hour h's rate sits at h:30; interpolate between the two middles around t.
  const double hours = t / 3600.0 - 0.5;
  const double below = std::floor(hours);
  const double fraction = hours - below;
  const auto h0 = static_cast<int>((static_cast<int>(below) + 24) % 24);
  const int h1 = (h0 + 1) % 24;
  return rate_[static_cast<std::size_t>(h0)] * (1.0 - fraction) +
         rate_[static_cast<std::size_t>(h1)] * fraction;
}

DepartureProfile::Window DepartureProfile::window(double startClockS, double durationS) const {
  Window window;
  window.startClockS = startClockS;
  window.durationS = durationS;
  const auto bins = static_cast<std::size_t>(std::max(1.0, std::ceil(durationS / 60.0)));
  double sum = 0.0;
  for (std::size_t b = 0; b < bins; ++b) {
    const double begin = static_cast<double>(b) * 60.0;
    const double width = std::min(60.0, durationS - begin);
    sum += rateAt(startClockS + begin + width / 2) * width;  // midpoint rule per bin
    window.cumulative.push_back(sum);
  }
  return window;
}

double DepartureProfile::Window::sample(double u, double v) const {
  const double target = u * cumulative.back();
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  const auto bin =
      std::min<std::size_t>(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
  const double begin = static_cast<double>(bin) * 60.0;
  return std::min(durationS, begin + v * std::min(60.0, durationS - begin));
}

}  // namespace citytwin::traffic
