#include "view_labels.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "citytwin/city/coupling_columns.hpp"

namespace citytwin::viewer {
namespace {

// At most this many sensor labels per view: beyond that they only hide the city.
constexpr std::size_t kMaxSensorLabels = 300;

void label(ImDrawList& draw, ImVec2 at, const std::string& text, ImU32 background, float scale) {
  ImFont* font = ImGui::GetFont();
  const float size = ImGui::GetFontSize() * scale;
  const ImVec2 extent = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text.c_str());
  const ImVec2 padding(6.0f * scale, 3.0f * scale);
  draw.AddRectFilled(at, ImVec2(at.x + extent.x + 2 * padding.x, at.y + extent.y + 2 * padding.y), background,
                     4.0f);
  draw.AddText(font, size, ImVec2(at.x + padding.x, at.y + padding.y), IM_COL32(255, 255, 255, 255),
               text.c_str());
}

}  // namespace

void drawViewLabels(CityView::Impl& view, const osg::Camera& camera) {
  const std::vector<ViewPlacement> placements = view.placements(camera);
  if (placements.empty()) return;
  ImDrawList& draw = *ImGui::GetBackgroundDrawList();
  const osg::Viewport& whole = *camera.getViewport();
  const auto toImGui = [&](double x, double y) {  // OpenGL window pixels -> ImGui's, from the top
    return ImVec2(static_cast<float>(x - whole.x()), static_cast<float>(whole.height() - (y - whole.y())));
  };
  const bool split = placements.size() > 1;
  for (const ViewPlacement& placement : placements) {
    const ImVec2 topLeft = toImGui(placement.x, placement.y + placement.height);
    const ImVec2 bottomRight = toImGui(placement.x + placement.width, placement.y);
    draw.PushClipRect(topLeft, bottomRight, true);
    if (split) {
      const std::string name = view.scene.variantOf(placement.side, view.settings);
      const std::string text = std::string(placement.side == Side::A ? "A: " : "B: ") + name;
      label(draw, ImVec2(topLeft.x + 12.0f, topLeft.y + 12.0f), text, IM_COL32(20, 30, 50, 220), 1.6f);
    }
    const LiveValues* live = view.scene.live();
    const std::vector<float>* values =
        live ? live->find(city::Layer::Sensor, std::string(city::columns::kSensorValue.name)) : nullptr;
    if (values != nullptr && view.settings.layer(LayerId::Sensors).visible) {
      const auto& sensors = view.scene.city().sensors;
      const SceneFrame& frame = view.scene.frame();
      std::size_t shown = 0;
      for (std::size_t i = 0; i < sensors.size() && i < values->size() && shown < kMaxSensorLabels; ++i) {
        if (!std::isfinite((*values)[i])) continue;
        const osg::Vec3d top = frame.toScene(sensors[i].position, frame.groundAt(sensors[i].position) + 25.0);
        // Behind the camera: w of the clip position is not positive.
        const osg::Vec4d clip =
            osg::Vec4d(top, 1.0) * (camera.getViewMatrix() * camera.getProjectionMatrix());
        if (clip.w() <= 0.0) continue;
        const osg::Vec3d window = top * placement.toWindow;
        if (window.x() < placement.x || window.x() > placement.x + placement.width ||
            window.y() < placement.y || window.y() > placement.y + placement.height) {
          continue;
        }
        char text[48];
        std::snprintf(text, sizeof(text), "%.3g", static_cast<double>((*values)[i]));
        label(draw, toImGui(window.x(), window.y()), text, IM_COL32(40, 40, 40, 200), 1.0f);
        ++shown;
      }
    }
    if (split && placement.side == Side::B) {
      // The divide between the two views.
      draw.AddLine(ImVec2(topLeft.x, topLeft.y), ImVec2(topLeft.x, bottomRight.y),
                   IM_COL32(255, 255, 255, 255), 3.0f);
    }
    draw.PopClipRect();
  }
}

}  // namespace citytwin::viewer
