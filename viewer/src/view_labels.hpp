#pragma once

#include <osg/Camera>

#include "city_view_impl.hpp"

namespace citytwin::viewer {

// Text drawn over the scene, in the picture as well as on screen: the variant name of each view of a
// side-by-side comparison, and the latest live value above each sensor that reports one.
void drawViewLabels(CityView::Impl& view, const osg::Camera& camera);

}  // namespace citytwin::viewer
