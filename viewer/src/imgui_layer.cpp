#include "imgui_layer.hpp"

#include <imgui.h>
#include <backends/imgui_impl_opengl3.h>
#include <osg/Camera>
#include <osg/GLExtensions>
#include <osg/State>
#include <osg/Timer>

#include <algorithm>

namespace citytwin::viewer {
namespace {

// A configured ImGui context, made current.
ImGuiContext* createContext() {
  ImGuiContext* context = ImGui::CreateContext();
  ImGui::SetCurrentContext(context);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // panel positions are not worth a file in the user's folder
  ImGui::StyleColorsDark();
  ImGui::GetStyle().Alpha = 0.94f;
  // Small private key codes: ImGui 1.86 indexes KeysDown[] by them.
  io.KeyMap[ImGuiKey_Tab] = 1;
  io.KeyMap[ImGuiKey_LeftArrow] = 2;
  io.KeyMap[ImGuiKey_RightArrow] = 3;
  io.KeyMap[ImGuiKey_UpArrow] = 4;
  io.KeyMap[ImGuiKey_DownArrow] = 5;
  io.KeyMap[ImGuiKey_Home] = 6;
  io.KeyMap[ImGuiKey_End] = 7;
  io.KeyMap[ImGuiKey_Delete] = 8;
  io.KeyMap[ImGuiKey_Backspace] = 9;
  io.KeyMap[ImGuiKey_Enter] = 10;
  io.KeyMap[ImGuiKey_Escape] = 11;
  return context;
}

void ensureContext() {
  if (ImGui::GetCurrentContext() == nullptr) createContext();
}

int keyIndex(int osgKey) {
  using Key = osgGA::GUIEventAdapter::KeySymbol;
  switch (osgKey) {
    case Key::KEY_Tab: return 1;
    case Key::KEY_Left: return 2;
    case Key::KEY_Right: return 3;
    case Key::KEY_Up: return 4;
    case Key::KEY_Down: return 5;
    case Key::KEY_Home: return 6;
    case Key::KEY_End: return 7;
    case Key::KEY_Delete: return 8;
    case Key::KEY_BackSpace: return 9;
    case Key::KEY_Return:
    case Key::KEY_KP_Enter: return 10;
    case Key::KEY_Escape: return 11;
    default: return -1;
  }
}

}  // namespace

ImGuiOverlay::ImGuiOverlay(std::function<void(const osg::Camera&)> panels)
    : panels_(std::move(panels)), context_(createContext()) {
  setUseDisplayList(false);
  setUseVertexBufferObjects(false);
  setCullingActive(false);
  setDataVariance(osg::Object::DYNAMIC);
  osg::StateSet* state = getOrCreateStateSet();
  state->setRenderBinDetails(10000, "RenderBin");  // after the transparent bin
  state->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF);
  state->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
}

void ImGuiOverlay::drawImplementation(osg::RenderInfo& renderInfo) const {
  if (!enabled_) return;
  // Every overlay has its own ImGui context: ImGui's OpenGL backend belongs to one OpenGL context, and a
  // process may draw into several (a window, off-screen renderers, several views in tests).
  ImGui::SetCurrentContext(context_);
  osg::State& state = *renderInfo.getState();
  const unsigned context = state.getContextID();
  if (contextId_ == ~0u) {
    ImGui_ImplOpenGL3_Init("#version 130");
    contextId_ = context;
  }
  if (context != contextId_) return;  // the backend's GL objects live in the first context only
  const osg::Camera* camera = renderInfo.getCurrentCamera();
  const osg::Viewport* viewport = camera->getViewport();
  if (viewport == nullptr) return;

  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(viewport->width()), static_cast<float>(viewport->height()));
  const double now = osg::Timer::instance()->time_s();
  io.DeltaTime = lastTime_ > 0.0 ? static_cast<float>(std::max(now - lastTime_, 1e-4)) : 1.0f / 60.0f;
  lastTime_ = now;

  // OSG may leave a vertex array object or program bound that ImGui's backend would draw through.
  state.disableAllVertexArrays();
  state.unbindVertexBufferObject();
  state.unbindElementBufferObject();
  state.get<osg::GLExtensions>()->glUseProgram(0);
  state.setLastAppliedProgramObject(nullptr);

  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
  if (panels_) panels_(*camera);
  ImGui::Render();
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

  // ImGui changed OpenGL state behind OSG's back.
  state.dirtyAllVertexArrays();
  state.dirtyAllAttributes();
  state.dirtyAllModes();
  state.setActiveTextureUnit(0);
}

bool imguiWantsMouse() { return ImGui::GetCurrentContext() != nullptr && ImGui::GetIO().WantCaptureMouse; }

bool ImGuiEventHandler::handle(const osgGA::GUIEventAdapter& event, osgGA::GUIActionAdapter&) {
  ensureContext();
  ImGuiIO& io = ImGui::GetIO();
  using Event = osgGA::GUIEventAdapter;
  const auto mousePosition = [&] {
    const float y = event.getMouseYOrientation() == Event::Y_INCREASING_UPWARDS ? event.getWindowHeight() - event.getY()
                                                                                : event.getY();
    io.MousePos = ImVec2(event.getX() - event.getXmin(), y);
  };
  const auto button = [&]() -> int {
    switch (event.getButton()) {
      case Event::LEFT_MOUSE_BUTTON: return 0;
      case Event::RIGHT_MOUSE_BUTTON: return 1;
      case Event::MIDDLE_MOUSE_BUTTON: return 2;
      default: return -1;
    }
  };
  switch (event.getEventType()) {
    case Event::MOVE:
    case Event::DRAG:
      mousePosition();
      return io.WantCaptureMouse;
    case Event::PUSH:
      mousePosition();
      if (const int b = button(); b >= 0) io.MouseDown[b] = true;
      return io.WantCaptureMouse;
    case Event::RELEASE:
      mousePosition();
      if (const int b = button(); b >= 0) io.MouseDown[b] = false;
      return io.WantCaptureMouse;
    case Event::SCROLL:
      io.MouseWheel += event.getScrollingMotion() == Event::SCROLL_UP ? 1.0f : event.getScrollingMotion() == Event::SCROLL_DOWN ? -1.0f : 0.0f;
      return io.WantCaptureMouse;
    case Event::KEYDOWN:
    case Event::KEYUP: {
      const bool down = event.getEventType() == Event::KEYDOWN;
      const int mask = event.getModKeyMask();
      io.KeyCtrl = (mask & Event::MODKEY_CTRL) != 0;
      io.KeyShift = (mask & Event::MODKEY_SHIFT) != 0;
      io.KeyAlt = (mask & Event::MODKEY_ALT) != 0;
      if (const int index = keyIndex(event.getKey()); index >= 0) io.KeysDown[index] = down;
      if (down && event.getKey() >= 32 && event.getKey() < 127) io.AddInputCharacter(static_cast<unsigned>(event.getKey()));
      return io.WantCaptureKeyboard;
    }
    default:
      return false;
  }
}

}  // namespace citytwin::viewer
