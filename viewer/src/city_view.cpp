#include "citytwin/viewer/city_view.hpp"

#include <chrono>
#include <cmath>
#include <numbers>
#include <osgUtil/IntersectionVisitor>
#include <osgUtil/LineSegmentIntersector>

#include "city_view_impl.hpp"
#include "citytwin/core/error.hpp"
#include "view_annotations.hpp"
#include "view_labels.hpp"
#include "viewer_panels.hpp"

namespace citytwin::viewer {
namespace {

constexpr double kDegree = std::numbers::pi / 180.0;

}  // namespace

osg::Matrixd viewMatrixOf(const Viewpoint& viewpoint, const SceneFrame& frame) {
  const double heading = viewpoint.headingDeg * kDegree;
  const double pitch = std::clamp(viewpoint.pitchDeg, -89.99, 89.99) * kDegree;
  const osg::Vec3d direction(std::sin(heading) * std::cos(pitch), std::cos(heading) * std::cos(pitch),
                             -std::sin(pitch));
  const osg::Vec3d target = frame.toScene({viewpoint.targetX, viewpoint.targetY}, viewpoint.targetZ);
  const osg::Vec3d eye = target - direction * viewpoint.distanceM;
  const osg::Vec3d right(std::cos(heading), -std::sin(heading), 0.0);
  const osg::Vec3d up = right ^ direction;
  return osg::Matrixd::lookAt(eye, target, up);
}

Viewpoint viewpointOf(const osg::Vec3d& eye, const osg::Vec3d& centre, const SceneFrame& frame,
                      std::string name) {
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

namespace {

// A camera nested in the main one that draws `scene` into part of its viewport, with the main camera's view
// and its projection widened so the part keeps the main camera's vertical field of view.
osg::ref_ptr<osg::Camera> nestedView(osg::Node* scene) {
  osg::ref_ptr<osg::Camera> view = new osg::Camera;
  view->setRenderOrder(osg::Camera::NESTED_RENDER);
  view->setReferenceFrame(osg::Transform::RELATIVE_RF);
  view->setTransformOrder(osg::Camera::POST_MULTIPLY);
  view->setViewMatrix(osg::Matrixd::identity());
  view->setProjectionMatrix(osg::Matrixd::identity());
  view->setClearMask(0);
  view->addChild(scene);
  return view;
}

}  // namespace

CityView::Impl::Impl(const city::CityModel& city, std::optional<RunResults> results)
    : run(std::move(results)), scene(city, run ? &*run : nullptr), top(new osg::Group) {
  single = nestedView(scene.root(Side::A));
  top->addChild(single.get());
  for (std::size_t k = 0; k < halves.size(); ++k) {
    halves[k] = nestedView(scene.root(k == 0 ? Side::A : Side::B));
    halves[k]->setNodeMask(0u);
    top->addChild(halves[k].get());
  }
  overlay = new ImGuiOverlay([this](const osg::Camera& camera) {
    drawViewLabels(*this, camera);
    if (settings.annotate) drawAnnotations(*this, camera);
    if (settings.showInterface) drawPanels(panel, *this);
  });
  overlay->setEnabled(false);
  top->addChild(overlay.get());
  const SceneFrame& frame = scene.frame();
  standard = standardViewpoints(frame.extent(), (frame.minimumElevation() + frame.maximumElevation()) / 2);
  current = standard.front();
  cityName = city.name;
  if (run) {
    requireRunOfCity(*run, city);
    settings.timeS = run->timeSpan().second;  // the end of the run shows its outcome
    std::string withoutMap;
    std::size_t count = 0;
    for (const auto& variant : run->variants()) {
      if (variant.hasMapResults()) continue;
      withoutMap += (withoutMap.empty() ? "" : ", ") + variant.name;
      ++count;
    }
    if (count == run->variants().size()) {
      warnings.push_back(
          "this run has nothing to draw on the map (its models write KPIs and city-wide series only)");
    } else if (count > 0) {
      warnings.push_back("nothing to draw on the map for " + withoutMap);
    }
  }
}

double CityView::Impl::sidebarWidth(double viewportWidth) const {
  // The panels live in a column at the right edge; the map keeps the rest, so no panel ever covers it.
  // Without them, an annotated picture keeps its legend in a narrower column of its own for the same reason.
  if (settings.showInterface) return std::floor(std::min(kSidebarWidth, viewportWidth * 0.38));
  if (settings.annotate) return std::floor(std::min(kLegendColumnWidth, viewportWidth * 0.38));
  return 0.0;
}

OffscreenRenderer& CityView::Impl::offscreen(int width, int height, bool readBack) {
  if (!renderer || renderer->width() != width || renderer->height() != height ||
      renderer->readsBack() != readBack) {
    renderer.reset();
    renderer = std::make_unique<OffscreenRenderer>(top.get(), width, height, readBack);
  }
  return *renderer;
}

void CityView::Impl::prepareFrame(osg::Camera& camera) {
  if (live) scene.setLive(live->values());
  scene.apply(settings);
  const bool split = scene.sideBySide(settings);
  single->setNodeMask(split ? 0u : ~0u);
  for (auto& half : halves) half->setNodeMask(split ? ~0u : 0u);
  for (const ViewPlacement& view : placements(camera)) {
    osg::Camera& nested = split ? *halves[static_cast<std::size_t>(view.side)] : *single;
    nested.setViewport(view.x, view.y, view.width, view.height);
    nested.setProjectionMatrix(osg::Matrixd::scale(camera.getViewport()->width() / view.width, 1.0, 1.0));
  }
}

std::vector<ViewPlacement> CityView::Impl::placements(const osg::Camera& camera) const {
  std::vector<ViewPlacement> views;
  const osg::Viewport* viewport = camera.getViewport();
  if (viewport == nullptr) return views;
  const double mapWidth = viewport->width() - sidebarWidth(viewport->width());
  const bool split = scene.sideBySide(settings);
  const int count = split ? 2 : 1;
  const double width = mapWidth / count;
  for (int k = 0; k < count; ++k) {
    osg::ref_ptr<osg::Viewport> part =
        new osg::Viewport(viewport->x() + width * k, viewport->y(), width, viewport->height());
    // The nested camera widens the projection by viewport / part width to keep the field of view.
    const osg::Matrixd widen = osg::Matrixd::scale(viewport->width() / width, 1.0, 1.0);
    views.push_back(
        {k == 0 ? Side::A : Side::B, part->x(), part->y(), part->width(), part->height(),
         camera.getViewMatrix() * camera.getProjectionMatrix() * widen * part->computeWindowMatrix()});
  }
  return views;
}

std::optional<PickedObject> CityView::Impl::pickWith(const osg::Camera& camera, double x,
                                                     double yFromTop) const {
  const osg::Viewport* viewport = camera.getViewport();
  if (viewport == nullptr) return std::nullopt;
  const double y = viewport->height() - yFromTop;  // OpenGL windows count rows from the bottom
  for (const ViewPlacement& view : placements(camera)) {
    if (x < view.x || x >= view.x + view.width) continue;
    // A ray from the near to the far plane under the pixel, in scene coordinates.
    const osg::Matrixd fromWindow = osg::Matrixd::inverse(view.toWindow);
    const osg::Vec3d nearPoint = osg::Vec3d(x, y, 0.0) * fromWindow;
    const osg::Vec3d farPoint = osg::Vec3d(x, y, 1.0) * fromWindow;
    osg::ref_ptr<osgUtil::LineSegmentIntersector> intersector =
        new osgUtil::LineSegmentIntersector(osgUtil::Intersector::MODEL, nearPoint, farPoint);
    osgUtil::IntersectionVisitor visitor(intersector.get());
    scene.root(view.side)->accept(visitor);
    for (const auto& hit : intersector->getIntersections()) {
      if (hit.drawable == nullptr || hit.indexList.empty()) continue;
      if (auto picked = scene.describe(*hit.drawable, hit.indexList.front(), settings, view.side))
        return picked;
      // The nearest surface that is not water or a vehicle hides everything behind it.
      bool seeThrough = false;
      for (const osg::Node* node : hit.nodePath) {
        seeThrough = seeThrough || node->getName() == "water" || node->getName() == "vehicles";
      }
      if (!seeThrough) return std::nullopt;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

CityView::CityView(const city::CityModel& city, std::optional<RunResults> run)
    : impl_(std::make_unique<Impl>(city, std::move(run))) {}

CityView::~CityView() = default;

ViewSettings& CityView::settings() {
  return impl_->settings;
}
const RunResults* CityView::run() const {
  return impl_->run ? &*impl_->run : nullptr;
}

std::vector<Viewpoint> CityView::viewpoints() const {
  std::vector<Viewpoint> all = impl_->standard;
  all.insert(all.end(), impl_->saved.begin(), impl_->saved.end());
  return all;
}

void CityView::setSavedViewpoints(std::vector<Viewpoint> saved) {
  impl_->saved = std::move(saved);
}

Viewpoint CityView::viewpoint(const std::string& name) const {
  std::string known;
  for (const auto& v : viewpoints()) {
    if (v.name == name) return v;
    known += (known.empty() ? "" : ", ") + v.name;
  }
  throw Error("viewpoint '" + name + "' not found (known: " + known + ")");
}

void CityView::setViewpoint(const Viewpoint& viewpoint) {
  impl_->current = viewpoint;
}
const Viewpoint& CityView::currentViewpoint() const {
  return impl_->current;
}

Image CityView::render(int width, int height) {
  OffscreenRenderer& renderer = impl_->offscreen(width, height, true);
  impl_->panel.interactive = false;
  renderer.camera()->setViewMatrix(viewMatrixOf(impl_->current, impl_->scene.frame()));
  impl_->prepareFrame(*renderer.camera());
  // The variant labels of a side-by-side picture belong in it even without the panels.
  impl_->overlay->setEnabled(impl_->settings.showInterface || impl_->settings.annotate ||
                             impl_->scene.sideBySide(impl_->settings));
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
  // In the left (or only) view.
  const osg::Vec3d window = scenePoint * impl_->placements(*camera).front().toWindow;
  return ScreenPoint{window.x(), camera->getViewport()->height() - window.y()};
}

std::optional<PickedObject> CityView::pick(ScreenPoint point) const {
  if (!impl_->renderer) return std::nullopt;
  return impl_->pickWith(*impl_->renderer->camera(), point.x, point.y);
}

FrameTimings CityView::measureFrames(int width, int height, int frames) {
  FrameTimings timings;
  OffscreenRenderer& renderer = impl_->offscreen(width, height, false);
  impl_->overlay->setEnabled(false);
  const osg::Matrixd base = viewMatrixOf(impl_->current, impl_->scene.frame());
  renderer.camera()->setViewMatrix(base);
  impl_->prepareFrame(*renderer.camera());
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

void CityView::connectLive(const LiveOptions& options) {
  impl_->live.reset();
  impl_->live = std::make_unique<LiveFeed>(impl_->scene.city(), options);
}

LiveStatus CityView::liveStatus() const {
  return impl_->live ? impl_->live->status() : LiveStatus{};
}

bool CityView::waitForLive(double timeoutS) {
  if (!impl_->live) return false;
  return impl_->live->waitForFirstPoll(std::chrono::milliseconds(static_cast<long>(timeoutS * 1000.0)));
}

std::optional<double> CityView::liveValue(city::Layer layer, const std::string& id,
                                          const std::string& column) const {
  if (!impl_->live) return std::nullopt;
  const auto values = impl_->live->values();
  const std::vector<float>* observed = values ? values->find(layer, column) : nullptr;
  if (observed == nullptr) return std::nullopt;
  const city::CityModel& city = impl_->scene.city();
  const auto valueAt = [&](const auto& objects) -> std::optional<double> {
    for (std::size_t i = 0; i < objects.size() && i < observed->size(); ++i) {
      if (objects[i].id == id && std::isfinite((*observed)[i])) return (*observed)[i];
    }
    return std::nullopt;
  };
  switch (layer) {
    case city::Layer::Building:
      return valueAt(city.buildings);
    case city::Layer::RoadLink:
      return valueAt(city.roads.links);
    case city::Layer::Sensor:
      return valueAt(city.sensors);
    case city::Layer::Substation:
      return valueAt(city.grid.substations);
    default:
      return std::nullopt;
  }
}

void CityView::setKpiInfos(KpiInfos infos) {
  impl_->kpiInfos = std::move(infos);
}
void CityView::addWarning(std::string warning) {
  impl_->warnings.push_back(std::move(warning));
}
const std::vector<std::string>& CityView::warnings() const {
  return impl_->warnings;
}

std::vector<std::string> CityView::attributes(city::Layer layer, const std::string& variant) const {
  return impl_->scene.attributes(layer, variant);
}

std::string CityView::windowTitle() const {
  const city::CityModel& city = impl_->scene.city();
  std::string title = "citytwin - " + (city.name.empty() ? std::string("city") : city.name);
  if (const RunResults* results = run()) {
    const std::filesystem::path folder = results->folder().lexically_normal();
    const std::string runName =
        folder.has_filename() ? folder.filename().string() : folder.parent_path().filename().string();
    title += " - run " + runName + ": " + impl_->scene.variantOf(Side::A, impl_->settings);
    if (!impl_->settings.compareVariant.empty()) title += " vs " + impl_->settings.compareVariant;
  }
  return title;
}

std::pair<std::size_t, std::size_t> CityView::wetCells() const {
  const bool split = impl_->scene.sideBySide(impl_->settings);
  return {impl_->scene.wetCells(Side::A), split ? impl_->scene.wetCells(Side::B) : 0};
}

}  // namespace citytwin::viewer
