#pragma once

#include <osg/Group>
#include <osg/Matrixd>

#include <memory>
#include <optional>
#include <vector>

#include "citytwin/viewer/city_view.hpp"
#include "city_scene.hpp"
#include "imgui_layer.hpp"
#include "panel_state.hpp"
#include "offscreen_renderer.hpp"

namespace citytwin::viewer {

// The camera transform of a viewpoint in scene coordinates.
osg::Matrixd viewMatrixOf(const Viewpoint& viewpoint, const SceneFrame& frame);
// The viewpoint (orbit around the point looked at) of a camera given as eye, centre and up.
Viewpoint viewpointOf(const osg::Vec3d& eye, const osg::Vec3d& centre, const SceneFrame& frame, std::string name);

struct CityView::Impl {
  Impl(const city::CityModel& city, std::optional<RunResults> results);

  OffscreenRenderer& offscreen(int width, int height, bool readBack);
  std::optional<PickedObject> pickWith(const osg::Camera& camera, double x, double yFromTop) const;

  std::optional<RunResults> run;
  ViewSettings settings;
  CityScene scene;
  osg::ref_ptr<osg::Group> top;  // the city scene plus overlays (the interface panels)
  std::vector<Viewpoint> standard;
  std::vector<Viewpoint> saved;
  Viewpoint current;
  std::unique_ptr<OffscreenRenderer> renderer;
  osg::ref_ptr<ImGuiOverlay> overlay;
  PanelState panel;
};

}  // namespace citytwin::viewer
