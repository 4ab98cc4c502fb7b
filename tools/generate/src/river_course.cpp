#include "citytwin/generate/river_course.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "town_plan.hpp"

namespace citytwin::generate {

double RiverCourse::centreY(double x) const {
  double y = meanY;
  for (const auto& meander : meanders) {
    y += meander.amplitudeM * std::sin(2.0 * std::numbers::pi * (x - originX) / meander.wavelengthM + meander.phase);
  }
  return y;
}

double RiverCourse::offset(geo::Vec2 p) const { return std::abs(p.y - centreY(p.x)); }

double RiverCourse::bedElevationM(double x) const { return bedElevationAtOriginM - bedSlope * (x - originX); }

double RiverCourse::minimumOffset(geo::Vec2 a, geo::Vec2 b) const {
  const double span = geo::distance(a, b);
  const auto steps = static_cast<int>(std::ceil(span));
  double smallest = std::min(offset(a), offset(b));
  for (int i = 1; i < steps; ++i) {
    const double t = static_cast<double>(i) / steps;
    smallest = std::min(smallest, offset({a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}));
  }
  return smallest;
}

RiverCourse sampleRiverCourse(const SampleCityOptions& options) { return detail::planTown(options).river; }

}  // namespace citytwin::generate
