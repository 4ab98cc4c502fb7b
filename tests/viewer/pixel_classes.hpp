#pragma once

#include <algorithm>
#include <cmath>
#include <set>

#include "citytwin/viewer/image.hpp"

namespace citytwin::viewer::testing {

// Pixel classes by hue, saturation and brightness; shading changes brightness, not hue, so each layer's
// palette (viewer/src/colour_ramp.cpp) falls in its own hue band:
//   terrain: greens to light browns (hue 28..140);  buildings: reds, pinks, violets (hue < 22 or > 250);
//   roads by class: white and near-white;  water: blues (hue 190..235), well saturated;
//   vehicles: pure amber (hue 40..52, fully saturated, unlike any terrain tint);
//   differences (colour_ramp.cpp's divergingRamp): less in B deep purple (hue 255..285, saturation >= 0.6,
//   more than any building violet), more in B orange (hue 18..40, saturation >= 0.55, unlike terrain tints);
//   overlays (annotation boxes, panels): dark (brightness < 0.36) with blue the largest channel.
struct PixelCounts {
  long terrain = 0;
  long buildings = 0;
  long roads = 0;
  long water = 0;
  long vehicles = 0;
  long decrease = 0;
  long increase = 0;
  long overlay = 0;
  long total = 0;
  std::size_t distinctColours = 0;
};

inline PixelCounts classifyPixels(const Image& image) {
  PixelCounts counts;
  std::set<unsigned> colours;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const auto p = image.pixel(x, y);
      colours.insert((unsigned(p[0]) << 16) | (unsigned(p[1]) << 8) | p[2]);
      const double r = p[0] / 255.0, g = p[1] / 255.0, b = p[2] / 255.0;
      const double high = std::max({r, g, b});
      const double low = std::min({r, g, b});
      const double saturation = high > 0 ? (high - low) / high : 0.0;
      double hue = 0.0;
      if (high > low) {
        if (high == r)
          hue = 60.0 * std::fmod((g - b) / (high - low) + 6.0, 6.0);
        else if (high == g)
          hue = 60.0 * ((b - r) / (high - low) + 2.0);
        else
          hue = 60.0 * ((r - g) / (high - low) + 4.0);
      }
      ++counts.total;
      if (high < 0.36 && b >= r && b >= g)
        ++counts.overlay;
      else if (saturation < 0.08 && high > 0.8)
        ++counts.roads;
      else if (saturation >= 0.3 && hue >= 190 && hue <= 235)
        ++counts.water;
      else if (saturation >= 0.9 && hue >= 40 && hue <= 52)
        ++counts.vehicles;
      else if (saturation >= 0.6 && hue >= 255 && hue <= 285)
        ++counts.decrease;
      else if (saturation >= 0.55 && hue >= 18 && hue <= 40)
        ++counts.increase;
      else if (saturation >= 0.3 && (hue < 22 || hue > 250))
        ++counts.buildings;
      else if (saturation >= 0.12 && hue >= 28 && hue <= 140)
        ++counts.terrain;
    }
  }
  counts.distinctColours = colours.size();
  return counts;
}

// The pixel classes of a rectangle [x0, x1) x [y0, y1) of a picture (rows from the top).
inline PixelCounts classifyRegion(const Image& image, int x0, int y0, int x1, int y1) {
  Image part{x1 - x0, y1 - y0, {}};
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      const auto p = image.pixel(x, y);
      part.rgba.insert(part.rgba.end(), p.begin(), p.end());
    }
  }
  return classifyPixels(part);
}

}  // namespace citytwin::viewer::testing
