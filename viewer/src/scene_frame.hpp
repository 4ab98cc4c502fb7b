#pragma once

#include <osg/Vec3>
#include <osg/Vec3d>

#include "citytwin/city/city_model.hpp"

namespace citytwin::viewer {

// Scene coordinates are city CRS metres shifted to the centre of the city, so single-precision vertices
// keep centimetre precision (UTM northings are millions of metres).
class SceneFrame {
 public:
  explicit SceneFrame(const city::CityModel& city);

  osg::Vec3 toScene(geo::Vec2 p, double z) const {
    return {static_cast<float>(p.x - origin_.x), static_cast<float>(p.y - origin_.y), static_cast<float>(z)};
  }
  geo::Vec2 toCity(const osg::Vec3d& v) const { return {v.x() + origin_.x, v.y() + origin_.y}; }
  // Ground elevation from the city's terrain (bilinear), or the lowest terrain value outside it.
  double groundAt(geo::Vec2 p) const;
  const geo::BBox& extent() const { return extent_; }
  double minimumElevation() const { return minElevation_; }
  double maximumElevation() const { return maxElevation_; }
  const geo::RasterGrid& terrain() const { return *terrain_; }

 private:
  const geo::RasterGrid* terrain_;
  geo::Vec2 origin_;
  geo::BBox extent_;
  double minElevation_ = 0.0;
  double maxElevation_ = 0.0;
};

}  // namespace citytwin::viewer
