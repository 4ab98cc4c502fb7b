#pragma once

#include <array>

#include "citytwin/generate/sample_city.hpp"
#include "citytwin/geo/geometry.hpp"

namespace citytwin::generate {

// The river of the sample town: it flows eastwards across the whole terrain, meandering about a mean
// northing. Its channel is the band of points whose north-south offset from the centreline is below
// `halfWidthM`; roads cross it only on bridges and no building stands in it.
struct RiverCourse {
  struct Meander {
    double amplitudeM = 0.0;
    double wavelengthM = 1.0;
    double phase = 0.0;
  };

  double originX = 0.0;     // easting where the meander phases are measured from
  double meanY = 0.0;       // mean northing of the centreline
  std::array<Meander, 2> meanders{};
  double bedHalfWidthM = 0.0;   // flat bed of the channel
  double halfWidthM = 0.0;      // bed plus banks: the channel's edge
  double bedElevationAtOriginM = 0.0;
  double bedSlope = 0.0;        // metres of fall per metre downstream (eastwards)
  double bankDepthM = 0.0;      // depth of the bed below the floodplain at the channel's edge

  double centreY(double x) const;
  // North-south distance from the centreline.
  double offset(geo::Vec2 p) const;
  bool inChannel(geo::Vec2 p) const { return offset(p) < halfWidthM; }
  double bedElevationM(double x) const;
  // The smallest offset of any point of the segment a-b (sampled every metre, ends included).
  double minimumOffset(geo::Vec2 a, geo::Vec2 b) const;
};

// The river the generator lays out for these options (the same one generateSampleCity uses).
RiverCourse sampleRiverCourse(const SampleCityOptions& options);

}  // namespace citytwin::generate
