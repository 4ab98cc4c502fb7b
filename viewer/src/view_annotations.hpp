#pragma once

#include <osg/Camera>
#include <string>

#include "city_view_impl.hpp"

namespace citytwin::viewer {

// What makes a picture readable on its own, drawn over each view: the time of the run shown, a scale bar,
// a north arrow, the legend of what the colours mean, and any warning about what is shown.
void drawAnnotations(CityView::Impl& view, const osg::Camera& camera);

}  // namespace citytwin::viewer
