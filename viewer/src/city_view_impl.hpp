#pragma once

#include <array>
#include <memory>
#include <optional>
#include <osg/Camera>
#include <osg/Group>
#include <osg/Matrixd>
#include <vector>

#include "city_scene.hpp"
#include "citytwin/viewer/city_view.hpp"
#include "imgui_layer.hpp"
#include "live_feed.hpp"
#include "offscreen_renderer.hpp"
#include "panel_state.hpp"

namespace citytwin::viewer {

// The camera transform of a viewpoint in scene coordinates.
osg::Matrixd viewMatrixOf(const Viewpoint& viewpoint, const SceneFrame& frame);
// The viewpoint (orbit around the point looked at) of a camera given as eye, centre and up.
Viewpoint viewpointOf(const osg::Vec3d& eye, const osg::Vec3d& centre, const SceneFrame& frame,
                      std::string name);

// One view drawn into the picture: which variant side, and where (pixels from the bottom-left, as OpenGL
// counts).
struct ViewPlacement {
  Side side = Side::A;
  double x = 0.0;
  double y = 0.0;
  double width = 0.0;
  double height = 0.0;
  osg::Matrixd toWindow;  // scene -> window pixels (view x projection x viewport)
};

struct CityView::Impl {
  Impl(const city::CityModel& city, std::optional<RunResults> results);

  OffscreenRenderer& offscreen(int width, int height, bool readBack);
  // Brings the scene up to date with the settings and the live feed, and lays out the view(s) for `camera`.
  void prepareFrame(osg::Camera& camera);
  // The views `camera` draws: one, or two side by side, each with its own projection.
  std::vector<ViewPlacement> placements(const osg::Camera& camera) const;
  // Width of the column at the right of the picture that the map leaves free: the interface panels, or
  // without them the legend of an annotated picture (0 with neither).
  double sidebarWidth(double viewportWidth) const;
  static constexpr double kSidebarWidth = 560.0;
  static constexpr double kLegendColumnWidth = 274.0;
  std::optional<PickedObject> pickWith(const osg::Camera& camera, double x, double yFromTop) const;

  std::optional<RunResults> run;
  ViewSettings settings;
  CityScene scene;
  osg::ref_ptr<osg::Group> top;  // the view(s) plus overlays (labels, interface panels)
  // The map when not side by side, and the two halves of a side-by-side comparison: nested cameras that
  // follow the main camera's view, each drawing its variant's scene into its part of the map area.
  osg::ref_ptr<osg::Camera> single;
  std::array<osg::ref_ptr<osg::Camera>, 2> halves;
  std::vector<Viewpoint> standard;
  std::vector<Viewpoint> saved;
  Viewpoint current;
  std::unique_ptr<OffscreenRenderer> renderer;
  osg::ref_ptr<ImGuiOverlay> overlay;
  PanelState panel;
  std::unique_ptr<LiveFeed> live;
  KpiInfos kpiInfos;
  std::vector<std::string> warnings;  // shown in the picture and the window until the cause goes away
  std::string cityName;
};

}  // namespace citytwin::viewer
