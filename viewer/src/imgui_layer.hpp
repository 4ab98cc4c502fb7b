#pragma once

#include <functional>
#include <osg/Camera>
#include <osg/Drawable>
#include <osgGA/GUIEventHandler>

struct ImGuiContext;

namespace citytwin::viewer {

// Draws Dear ImGui panels as the last thing of a frame (a drawable in a late render bin, so it also lands
// in off-screen frame-buffer images). `panels` is called between ImGui::NewFrame and ImGui::Render with the
// camera being drawn, so that labels can be placed over the scene.
class ImGuiOverlay : public osg::Drawable {
 public:
  explicit ImGuiOverlay(std::function<void(const osg::Camera&)> panels);
  ImGuiOverlay(const ImGuiOverlay& other, const osg::CopyOp& copy)
      : osg::Drawable(other, copy),
        panels_(other.panels_),
        context_(other.context_),
        enabled_(other.enabled_) {}
  META_Object(citytwin, ImGuiOverlay)

  void drawImplementation(osg::RenderInfo& renderInfo) const override;
  void setEnabled(bool enabled) { enabled_ = enabled; }

 private:
  ImGuiOverlay() = default;
  std::function<void(const osg::Camera&)> panels_;
  // Not destroyed with the overlay: its OpenGL backend can only be shut down in its own OpenGL context.
  ImGuiContext* context_ = nullptr;
  bool enabled_ = true;
  mutable unsigned contextId_ = ~0u;  // the OpenGL context ImGui's backend was set up in
  mutable double lastTime_ = 0.0;
};

// Feeds mouse and keyboard events to ImGui and keeps those it wants from reaching the camera manipulator.
class ImGuiEventHandler : public osgGA::GUIEventHandler {
 public:
  bool handle(const osgGA::GUIEventAdapter& event, osgGA::GUIActionAdapter& actions) override;
};

// True while ImGui has the mouse (the cursor is over a panel).
bool imguiWantsMouse();

}  // namespace citytwin::viewer
