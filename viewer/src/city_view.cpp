#include "citytwin/viewer/city_view.hpp"

#include <osgUtil/IntersectionVisitor>
#include <osgUtil/LineSegmentIntersector>

#include <chrono>
#include <cmath>
#include <numbers>

#include "citytwin/core/error.hpp"
#include "city_view_impl.hpp"
#include "viewer_panels.hpp"

namespace citytwin::viewer {
namespace {

constexpr double kDegree = std::numbers::pi / 180.0;

}  // namespace

osg::Matrixd viewMatrixOf(const Viewpoint& viewpoint, const SceneFrame& frame) {
  const double heading = viewpoint.headingDeg * kDegree;
  const double pitch = std::clamp(viewpoint.pitchDeg, -89.99, 89.99) * kDegree;
  const osg::Vec3d direction(std::sin(heading) * std::cos(pitch), std::cos(heading) * std::cos(pitch), -std::sin(pitch));
  const osg::Vec3d target = frame.toScene({viewpoint.targetX, viewpoint.targetY}, viewpoint.targetZ);
  const osg::Vec3d eye = target - direction * viewpoint.distanceM;
  const osg::Vec3d right(std::cos(heading), -std::sin(heading), 0.0);
  const osg::Vec3d up = right ^ direction;
  return osg::Matrixd::lookAt(eye, target, up);
}

Viewpoint viewpointOf(const osg::Vec3d& eye, const osg::Vec3d& centre, const SceneFrame& frame, std::string name) {
  const osg::Vec3d direction = centre - eye;
  const double distance = direction.length();
  const geo::Vec2 target = frame.toCity(centre);
  Viewpoint v;
  v.name = std::move(name);
  v.targetX = target.x;
  v.targetY = target.y;
  v.targetZ = centre.z();
  v.distanceM = distance;
  v.headingDeg = std::atan2(direction.x(), direction.y()) / kDegree;
  v.pitchDeg = std::atan2(-direction.z(), std::hypot(direction.x(), direction.y())) / kDegree;
  return v;
}

CityView::Impl::Impl(const city::CityModel& city, std::optional<RunResults> results)
    : run(std::move(results)), scene(city, run ? &*run : nullptr), top(new osg::Group) {
  top->addChild(scene.root());
  overlay = new ImGuiOverlay([this] {
    if (settings.showInterface) drawPanels(panel, *this);
  });
  overlay->setEnabled(false);
  top->addChild(overlay.get());
  const SceneFrame& frame = scene.frame();
  standard = standardViewpoints(frame.extent(), (frame.minimumElevation() + frame.maximumElevation()) / 2);
  current = standard.front();
  if (run) {
    settings.timeS = run->timeSpan().second;  // the end of the run shows its outcome
  }
}

OffscreenRenderer& CityView::Impl::offscreen(int width, int height, bool readBack) {
  if (!renderer || renderer->width() != width || renderer->height() != height || renderer->readsBack() != readBack) {
    renderer.reset();
    renderer = std::make_unique<OffscreenRenderer>(top.get(), width, height, readBack);
  }
  return *renderer;
}

std::optional<PickedObject> CityView::Impl::pickWith(const osg::Camera& camera, double x, double yFromTop) const {
  const osg::Viewport* viewport = camera.getViewport();
  if (viewport == nullptr) return std::nullopt;
  const double y = viewport->height() - yFromTop;  // OpenGL windows count rows from the bottom
  osg::ref_ptr<osgUtil::LineSegmentIntersector> intersector =
      new osgUtil::LineSegmentIntersector(osgUtil::Intersector::WINDOW, x, y);
  osgUtil::IntersectionVisitor visitor(intersector.get());
  const_cast<osg::Camera&>(camera).accept(visitor);
  for (const auto& hit : intersector->getIntersections()) {
    if (hit.drawable == nullptr || hit.indexList.empty()) continue;
    if (auto picked = scene.describe(*hit.drawable, hit.indexList.front(), settings)) return picked;
    // The nearest surface that is not water or a vehicle hides everything behind it.
    bool seeThrough = false;
    for (const osg::Node* node : hit.nodePath) {
      if (node == scene.root()) continue;
      if (node->getNumParents() > 0 && node->getParent(0) == scene.root()) {
        const std::string kind = node->getName();
        seeThrough = kind == "water" || kind == "vehicles";
      }
    }
    if (!seeThrough) return std::nullopt;
  }
  return std::nullopt;
}

CityView::CityView(const city::CityModel& city, std::optional<RunResults> run)
    : impl_(std::make_unique<Impl>(city, std::move(run))) {}

CityView::~CityView() = default;

ViewSettings& CityView::settings() { return impl_->settings; }
const RunResults* CityView::run() const { return impl_->run ? &*impl_->run : nullptr; }

std::vector<Viewpoint> CityView::viewpoints() const {
  std::vector<Viewpoint> all = impl_->standard;
  all.insert(all.end(), impl_->saved.begin(), impl_->saved.end());
  return all;
}

void CityView::setSavedViewpoints(std::vector<Viewpoint> saved) { impl_->saved = std::move(saved); }

Viewpoint CityView::viewpoint(const std::string& name) const {
  std::string known;
  for (const auto& v : viewpoints()) {
    if (v.name == name) return v;
    known += (known.empty() ? "" : ", ") + v.name;
  }
  throw Error("viewpoint '" + name + "' not found (known: " + known + ")");
}

void CityView::setViewpoint(const Viewpoint& viewpoint) { impl_->current = viewpoint; }
const Viewpoint& CityView::currentViewpoint() const { return impl_->current; }

Image CityView::render(int width, int height) {
  OffscreenRenderer& renderer = impl_->offscreen(width, height, true);
  impl_->scene.apply(impl_->settings);
  impl_->panel.interactive = false;
  impl_->overlay->setEnabled(impl_->settings.showInterface);
  renderer.camera()->setViewMatrix(viewMatrixOf(impl_->current, impl_->scene.frame()));
  renderer.frame();
  // ImGui hides a new auto-sized panel for its first frame while it measures it: draw once more.
  if (impl_->settings.showInterface) renderer.frame();
  return renderer.image();
}

std::optional<ScreenPoint> CityView::project(geo::Vec2 position, double elevationM) const {
  if (!impl_->renderer) return std::nullopt;
  const osg::Camera* camera = impl_->renderer->camera();
  const osg::Vec3d scenePoint = impl_->scene.frame().toScene(position, elevationM);
  const osg::Vec3d eyePoint = scenePoint * camera->getViewMatrix();
  if (eyePoint.z() >= 0.0) return std::nullopt;  // behind the camera (eye space looks down -z)
  const osg::Matrixd toWindow =
      camera->getViewMatrix() * camera->getProjectionMatrix() * camera->getViewport()->computeWindowMatrix();
  const osg::Vec3d window = scenePoint * toWindow;
  return ScreenPoint{window.x(), camera->getViewport()->height() - window.y()};
}

std::optional<PickedObject> CityView::pick(ScreenPoint point) const {
  if (!impl_->renderer) return std::nullopt;
  return impl_->pickWith(*impl_->renderer->camera(), point.x, point.y);
}

FrameTimings CityView::measureFrames(int width, int height, int frames) {
  FrameTimings timings;
  OffscreenRenderer& renderer = impl_->offscreen(width, height, false);
  impl_->scene.apply(impl_->settings);
  impl_->overlay->setEnabled(false);
  const osg::Matrixd base = viewMatrixOf(impl_->current, impl_->scene.frame());
  renderer.camera()->setViewMatrix(base);
  renderer.frame();  // the first frame uploads the geometry; it is not a steady-state frame
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < frames; ++i) {
    // Orbit a little so each frame is a new view, as while navigating.
    Viewpoint turned = impl_->current;
    turned.headingDeg += 0.5 * (i + 1);
    renderer.camera()->setViewMatrix(viewMatrixOf(turned, impl_->scene.frame()));
    renderer.frame();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  timings.frames = frames;
  timings.msPerFrame = frames > 0 ? seconds * 1000.0 / frames : 0.0;
  return timings;
}

}  // namespace citytwin::viewer
