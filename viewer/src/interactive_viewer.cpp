#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <osgGA/TerrainManipulator>
#include <osgViewer/Viewer>
#include <osgViewer/ViewerEventHandlers>

#include "city_view_impl.hpp"
#include "citytwin/core/error.hpp"
#include "imgui_layer.hpp"
#include "viewer_panels.hpp"

namespace citytwin::viewer {
namespace {

// Click (press and release without dragging) to pick; Space zooms to the extent, P takes a screenshot.
class WindowEvents : public osgGA::GUIEventHandler {
 public:
  WindowEvents(CityView::Impl& view, PanelState& panel) : view_(view), panel_(panel) {}

  bool handle(const osgGA::GUIEventAdapter& event, osgGA::GUIActionAdapter& actions) override {
    using Event = osgGA::GUIEventAdapter;
    if (event.getHandled()) return false;
    switch (event.getEventType()) {
      case Event::PUSH:
        pressX_ = event.getX();
        pressY_ = event.getY();
        return false;
      case Event::RELEASE: {
        if (event.getButton() != Event::LEFT_MOUSE_BUTTON || imguiWantsMouse()) return false;
        if (std::abs(event.getX() - pressX_) > 3 || std::abs(event.getY() - pressY_) > 3) return false;
        auto* viewer = dynamic_cast<osgViewer::View*>(&actions);
        if (viewer == nullptr) return false;
        const double yFromTop = event.getMouseYOrientation() == Event::Y_INCREASING_UPWARDS
                                    ? event.getWindowHeight() - event.getY()
                                    : event.getY();
        const double x = event.getX() - event.getXmin();
        panel_.picked = view_.pickWith(*viewer->getCamera(), x, yFromTop);
        panel_.pickedRight =
            view_.scene.sideBySide(view_.settings) && x >= (event.getXmax() - event.getXmin()) / 2.0;
        panel_.pickedSeries.clear();
        if (panel_.picked) {
          const Side side = panel_.pickedRight ? Side::B : Side::A;
          panel_.pickedSeries = view_.scene.timeSeries(panel_.picked->layer, panel_.picked->index,
                                                       view_.scene.variantOf(side, view_.settings));
        }
        return false;
      }
      case Event::KEYDOWN:
        if (event.getKey() == 'p' || event.getKey() == 'P') {
          panel_.screenshot = true;
          return true;
        }
        return false;
      default:
        return false;
    }
  }

 private:
  CityView::Impl& view_;
  PanelState& panel_;
  float pressX_ = 0;
  float pressY_ = 0;
};

std::string screenshotName(const std::filesystem::path& cityFile) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", std::localtime(&now));
  const std::string stem = cityFile.empty() ? "citytwin" : cityFile.stem().string();
  return stem + "-" + stamp + ".png";
}

}  // namespace

void CityView::runWindow(const WindowOptions& options) {
  Impl& view = *impl_;
  view.settings.showInterface = true;
  view.panel.interactive = true;

  osg::ref_ptr<osgViewer::Viewer> viewer = new osgViewer::Viewer;
  viewer->setThreadingModel(osgViewer::Viewer::SingleThreaded);  // ImGui runs in the draw of the main thread
  viewer->setUpViewInWindow(40, 40, options.width, options.height);
  viewer->setSceneData(view.top.get());
  viewer->getCamera()->setClearColor(skyColour());
  viewer->getCamera()->setProjectionMatrixAsPerspective(
      30.0, static_cast<double>(options.width) / options.height, 1.0, 100000.0);
  viewer->setKeyEventSetsDone(osgGA::GUIEventAdapter::KEY_Escape);

  // The terrain manipulator orbits about the ground point under the screen centre, as GIS 3D views do.
  osg::ref_ptr<osgGA::TerrainManipulator> manipulator = new osgGA::TerrainManipulator;
  manipulator->setNode(view.scene.root());
  const auto setHome = [&](const Viewpoint& viewpoint) {
    osg::Vec3d eye, centre, up;
    viewMatrixOf(viewpoint, view.scene.frame()).getLookAt(eye, centre, up, viewpoint.distanceM);
    manipulator->setHomePosition(eye, centre, up);
  };
  setHome(view.current);
  viewer->setCameraManipulator(manipulator.get());
  viewer->addEventHandler(new ImGuiEventHandler);
  viewer->addEventHandler(new WindowEvents(view, view.panel));
  viewer->addEventHandler(new osgViewer::StatsHandler);
  viewer->realize();
  if (!viewer->isRealized()) {
    throw Error("cannot open a window: no X display? (set DISPLAY, or use --screenshot under xvfb-run)");
  }
  viewer->home();
  osgViewer::Viewer::Windows windows;
  viewer->getWindows(windows);
  for (osgViewer::GraphicsWindow* window : windows) window->setWindowName(windowTitle());

  const auto currentViewpoint = [&](const std::string& name) {
    osg::Vec3d eye, centre, up;
    manipulator->getInverseMatrix().getLookAt(eye, centre, up, manipulator->getDistance());
    return viewpointOf(eye, centre, view.scene.frame(), name);
  };

  auto last = std::chrono::steady_clock::now();
  int frames = 0;
  while (!viewer->done()) {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - last).count();
    last = now;
    if (view.panel.playing && view.run) {
      view.settings.timeS += elapsed * view.panel.speed;
      if (view.settings.timeS >= view.run->timeSpan().second) {
        view.settings.timeS = view.run->timeSpan().second;
        view.panel.playing = false;
      }
    }
    if (view.panel.goTo) {
      setHome(*view.panel.goTo);
      viewer->home();
      view.current = *view.panel.goTo;
      view.panel.goTo.reset();
    }
    if (view.panel.zoomToExtent) {
      view.panel.goTo = view.standard.front();
      view.panel.zoomToExtent = false;
    }
    if (view.panel.saveViewpoint) {
      view.panel.saveViewpoint = false;
      Viewpoint saved = currentViewpoint(view.panel.viewpointName);
      try {
        if (options.cityFile.empty()) throw Error("no city file to save viewpoints beside");
        saveViewpoint(viewpointFileFor(options.cityFile), saved);
        view.saved.erase(std::remove_if(view.saved.begin(), view.saved.end(),
                                        [&](const Viewpoint& v) { return v.name == saved.name; }),
                         view.saved.end());
        view.saved.push_back(saved);
        view.panel.message = "saved viewpoint '" + saved.name + "'";
      } catch (const Error& e) {
        view.panel.message = e.what();
      }
    }
    view.prepareFrame(*viewer->getCamera());
    view.overlay->setEnabled(true);
    viewer->frame();
    if (view.panel.screenshot) {
      view.panel.screenshot = false;
      const std::string file = screenshotName(options.cityFile);
      try {
        // Off-screen at the window's size and view; the panels stay out of it (they are for the screen).
        view.current = currentViewpoint("screenshot");
        view.overlay->setEnabled(false);
        OffscreenRenderer& renderer = view.offscreen(options.width, options.height, true);
        renderer.camera()->setViewMatrix(viewMatrixOf(view.current, view.scene.frame()));
        view.prepareFrame(*renderer.camera());
        renderer.frame();
        writePng(renderer.image(), file);
        view.panel.message = "wrote " + file;
      } catch (const Error& e) {
        view.panel.message = e.what();
      }
    }
    if (options.exitAfterFrames > 0 && ++frames >= options.exitAfterFrames) break;
  }
}

}  // namespace citytwin::viewer
