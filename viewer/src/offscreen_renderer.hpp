#pragma once

#include <osg/Camera>
#include <osg/Image>
#include <osgViewer/Viewer>

#include "citytwin/viewer/image.hpp"

namespace citytwin::viewer {

// Renders a scene into a frame-buffer object of any size on a 1x1 pbuffer context, so no window is needed
// (an X display still is: Xvfb with Mesa is enough).
class OffscreenRenderer {
 public:
  // readBack: copy every frame into an image (screenshots); otherwise frames end with glFinish (timing).
  OffscreenRenderer(osg::Node* scene, int width, int height, bool readBack);

  int width() const { return width_; }
  int height() const { return height_; }
  bool readsBack() const { return readBack_; }
  osg::Camera* camera() { return viewer_->getCamera(); }
  const osg::Camera* camera() const { return viewer_->getCamera(); }
  void frame() { viewer_->frame(); }
  // The last frame, rows from the top.
  Image image() const;

 private:
  osg::ref_ptr<osgViewer::Viewer> viewer_;
  osg::ref_ptr<osg::Image> image_;
  int width_;
  int height_;
  bool readBack_;
};

// Sky behind the city: a pale grey-blue that is neither water nor terrain.
osg::Vec4 skyColour();

}  // namespace citytwin::viewer
