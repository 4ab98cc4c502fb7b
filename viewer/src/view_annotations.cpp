#include "view_annotations.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "readable_numbers.hpp"
#include "viewer_panels.hpp"

namespace citytwin::viewer {
namespace {

const ImU32 kBoxColour = IM_COL32(20, 30, 50, 215);
const ImU32 kTextColour = IM_COL32(255, 255, 255, 255);
// The legend column: a dark grey that reads as a panel, not as part of the map.
const ImU32 kColumnColour = IM_COL32(40, 44, 52, 255);
const ImU32 kWarningColour = IM_COL32(170, 20, 20, 235);
constexpr float kMargin = 12.0f;

ImU32 toImColour(const Colour& c) {
  return ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, 1.0f));
}

ImVec2 textSize(const std::string& text) {
  return ImGui::CalcTextSize(text.c_str());
}

void textBox(ImDrawList& draw, ImVec2 at, const std::string& text, ImU32 background) {
  const ImVec2 size = textSize(text);
  draw.AddRectFilled(at, ImVec2(at.x + size.x + 12.0f, at.y + size.y + 6.0f), background, 4.0f);
  draw.AddText(ImVec2(at.x + 6.0f, at.y + 3.0f), kTextColour, text.c_str());
}

std::string metres(double m) {
  char text[32];
  if (m >= 1000.0)
    std::snprintf(text, sizeof(text), "%g km", m / 1000.0);
  else
    std::snprintf(text, sizeof(text), "%g m", m);
  return text;
}

// The legend as rows of items: a title, then a ramp with its end values, or swatches with names.
// A title wraps at the legend's width rather than run past its box ("Buildings: supplied: red no power,
// ...").
float titleHeight(const std::string& title, float textWidth) {
  return ImGui::CalcTextSize(title.c_str(), nullptr, false, textWidth).y + ImGui::GetStyle().ItemSpacing.y;
}

float legendHeight(const std::vector<Legend>& legends, float legendWidth) {
  const float line = ImGui::GetTextLineHeightWithSpacing();
  float height = 8.0f;
  for (const Legend& legend : legends) {
    height += titleHeight(legend.title, legendWidth - 16.0f);
    if (legend.ramp) height += 12.0f + line;
    if (!legend.categories.empty()) height += line * static_cast<float>((legend.categories.size() + 1) / 2);
    height += 4.0f;
  }
  return height;
}

void drawLegend(ImDrawList& draw, ImVec2 topLeft, float legendWidth, const std::vector<Legend>& legends) {
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float height = legendHeight(legends, legendWidth);
  draw.AddRectFilled(topLeft, ImVec2(topLeft.x + legendWidth, topLeft.y + height), kBoxColour, 4.0f);
  float y = topLeft.y + 4.0f;
  const float x = topLeft.x + 8.0f;
  const float width = legendWidth - 16.0f;
  for (const Legend& legend : legends) {
    draw.AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(x, y), kTextColour, legend.title.c_str(),
                 nullptr, width);
    y += titleHeight(legend.title, width);
    if (legend.ramp) {
      const ColourRamp& ramp = *legend.ramp;
      constexpr int kSteps = 32;
      for (int i = 0; i < kSteps; ++i) {
        const double v0 = ramp.minimum() + (ramp.maximum() - ramp.minimum()) * i / kSteps;
        const double v1 = ramp.minimum() + (ramp.maximum() - ramp.minimum()) * (i + 1) / kSteps;
        const float x0 = x + width * static_cast<float>(i) / kSteps;
        const float x1 = x + width * static_cast<float>(i + 1) / kSteps;
        draw.AddRectFilledMultiColor(ImVec2(x0, y), ImVec2(x1, y + 10.0f), toImColour(ramp.at(v0)),
                                     toImColour(ramp.at(v1)), toImColour(ramp.at(v1)),
                                     toImColour(ramp.at(v0)));
      }
      y += 12.0f;
      const std::string low = formatValue(ramp.minimum());
      const std::string high = formatValue(ramp.maximum()) + (ramp.unit().empty() ? "" : " " + ramp.unit());
      draw.AddText(ImVec2(x, y), kTextColour, low.c_str());
      draw.AddText(ImVec2(x + width - textSize(high).x, y), kTextColour, high.c_str());
      y += line;
    }
    for (std::size_t i = 0; i < legend.categories.size(); ++i) {
      const auto& [name, colour] = legend.categories[i];
      const float cx = x + (i % 2 == 0 ? 0.0f : width / 2.0f);
      const float cy = y + line * static_cast<float>(i / 2);
      draw.AddRectFilled(ImVec2(cx, cy + 2.0f), ImVec2(cx + 10.0f, cy + 12.0f), toImColour(colour));
      draw.AddText(ImVec2(cx + 14.0f, cy), kTextColour, name.c_str());
    }
    y += line * static_cast<float>((legend.categories.size() + 1) / 2);
    y += 4.0f;
  }
}

}  // namespace

void drawAnnotations(CityView::Impl& view, const osg::Camera& camera) {
  const std::vector<ViewPlacement> placements = view.placements(camera);
  if (placements.empty()) return;
  ImDrawList& draw = *ImGui::GetBackgroundDrawList();
  const osg::Viewport& whole = *camera.getViewport();
  const auto toImGui = [&](double x, double y) {
    return ImVec2(static_cast<float>(x - whole.x()), static_cast<float>(whole.height() - (y - whole.y())));
  };
  const bool split = placements.size() > 1;
  // The point looked at: scale and north are measured there.
  osg::Vec3d eye, centre, up;
  camera.getViewMatrix().getLookAt(eye, centre, up, view.current.distanceM);
  const SceneFrame& frame = view.scene.frame();
  const geo::Vec2 target = frame.toCity(centre);
  const double ground = frame.groundAt(target);
  const osg::Vec3d here = frame.toScene(target, ground);
  const osg::Vec3d look = centre - eye;
  // Across the line of sight on the ground, so perspective foreshortening does not shorten it.
  osg::Vec3d across(look.y(), -look.x(), 0.0);
  if (across.length2() < 1e-9) across = osg::Vec3d(1.0, 0.0, 0.0);
  across.normalize();

  for (const ViewPlacement& placement : placements) {
    const ImVec2 topLeft = toImGui(placement.x, placement.y + placement.height);
    const ImVec2 bottomRight = toImGui(placement.x + placement.width, placement.y);
    draw.PushClipRect(topLeft, bottomRight, true);
    const float line = ImGui::GetTextLineHeightWithSpacing();

    // Time of the run (below the variant label of a side-by-side view).
    float labelY = topLeft.y + kMargin + (split ? 2.2f * line + 6.0f : 0.0f);
    if (view.run) {
      const auto [first, last] = view.run->timeSpan();
      std::string text = "t = " + formatClock(view.settings.timeS) + " of " + formatClock(last);
      if (first < 0.0) text += " (from " + formatClock(first) + ")";
      if (!split) text = view.scene.variantOf(placement.side, view.settings) + "   " + text;
      textBox(draw, ImVec2(topLeft.x + kMargin, labelY), text, kBoxColour);
      labelY += line + 8.0f;
    }
    if (placement.side == Side::A) {
      for (const std::string& warning : view.warnings) {
        textBox(draw, ImVec2(topLeft.x + kMargin, labelY), "Warning: " + warning, kWarningColour);
        labelY += line + 8.0f;
      }
    }

    // Scale bar at the bottom left: a round length of at most a fifth of the view's width.
    const osg::Vec3d a = here * placement.toWindow;
    const osg::Vec3d b = (here + across * 100.0) * placement.toWindow;
    const double pixelsPer100M = std::hypot(b.x() - a.x(), b.y() - a.y());
    if (pixelsPer100M > 0.0 && std::isfinite(pixelsPer100M)) {
      const double length = scaleBarLength(placement.width / 5.0 / pixelsPer100M * 100.0);
      const float pixels = static_cast<float>(length / 100.0 * pixelsPer100M);
      const ImVec2 origin(topLeft.x + kMargin, bottomRight.y - kMargin - line - 14.0f);
      draw.AddRectFilled(ImVec2(origin.x - 6.0f, origin.y - 4.0f),
                         ImVec2(origin.x + pixels + 6.0f + 60.0f, origin.y + line + 18.0f), kBoxColour, 4.0f);
      draw.AddRectFilled(ImVec2(origin.x, origin.y + 4.0f), ImVec2(origin.x + pixels, origin.y + 10.0f),
                         kTextColour);
      draw.AddText(ImVec2(origin.x, origin.y + 12.0f), kTextColour, metres(length).c_str());
    }

    // North arrow at the top right, pointing where north is on the ground looked at.
    const osg::Vec3d north = (here + osg::Vec3d(0.0, 100.0, 0.0)) * placement.toWindow;
    double dx = north.x() - a.x();
    double dy = -(north.y() - a.y());  // ImGui rows grow downwards
    const double norm = std::hypot(dx, dy);
    if (norm > 1e-6) {
      dx /= norm;
      dy /= norm;
      const ImVec2 middle(bottomRight.x - kMargin - 30.0f, topLeft.y + kMargin + 40.0f);
      draw.AddCircleFilled(middle, 36.0f, kBoxColour);
      const ImVec2 tip(middle.x + static_cast<float>(dx) * 16.0f, middle.y + static_cast<float>(dy) * 16.0f);
      const ImVec2 tail(middle.x - static_cast<float>(dx) * 22.0f, middle.y - static_cast<float>(dy) * 22.0f);
      const ImVec2 side(static_cast<float>(-dy) * 7.0f, static_cast<float>(dx) * 7.0f);
      draw.AddTriangleFilled(tip, ImVec2(tail.x + side.x, tail.y + side.y),
                             ImVec2(tail.x - side.x, tail.y - side.y), kTextColour);
      const ImVec2 letter(middle.x + static_cast<float>(dx) * 27.0f - 4.0f,
                          middle.y + static_cast<float>(dy) * 27.0f - line / 2.0f);
      draw.AddText(letter, kTextColour, "N");
    }

    draw.PopClipRect();
  }

  // One legend for the picture, in the column the map leaves free at the right (both sides of a comparison
  // share their ramps), so it never hides the map. With the interface the legend is in the panel column.
  if (!view.settings.showInterface) {
    const float columnLeft = toImGui(placements.back().x + placements.back().width, 0.0).x;
    const float columnRight = static_cast<float>(whole.width());
    if (columnRight - columnLeft > 2.0f * kMargin) {
      draw.AddRectFilled(ImVec2(columnLeft, 0.0f), ImVec2(columnRight, static_cast<float>(whole.height())),
                         kColumnColour);
      drawLegend(draw, ImVec2(columnLeft + kMargin, kMargin), columnRight - columnLeft - 2.0f * kMargin,
                 view.scene.legends());
    }
  }
}

}  // namespace citytwin::viewer
